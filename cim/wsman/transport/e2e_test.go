package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest/authserver"
	"github.com/cimsh/cimsh/cim/wsmantest/kdc"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

// echoSOAP answers every request with a SOAP envelope that quotes the
// request body and says how the caller was authenticated; a body "fault"
// gets a 500 SOAP fault.
type echoSOAP struct {
	mu     sync.Mutex
	bodies []string
}

func (e *echoSOAP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	e.mu.Lock()
	e.bodies = append(e.bodies, string(b))
	e.mu.Unlock()
	id, _ := authserver.FromContext(r.Context())
	w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	if string(b) == "fault" {
		w.WriteHeader(500)
		_, _ = io.WriteString(w, soapFault)
		return
	}
	fmt.Fprintf(w, `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body user=%q scheme=%q sealed="%t">%s</s:Body></s:Envelope>`, id.User, id.Scheme, id.Sealed, b)
}

func echoReply(user, scheme string, sealed bool, body string) string {
	return fmt.Sprintf(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body user=%q scheme=%q sealed="%t">%s</s:Body></s:Envelope>`, user, scheme, sealed, body)
}

// authServer starts the project's WS-Man authentication layer (the
// server-side NTLM acceptor with sealing, Kerberos, Basic) over HTTP or
// HTTPS on loopback.
func authServer(t *testing.T, cfg authserver.Config, tlsCert *tls.Certificate) (*authserver.Handler, *httptest.Server, *echoSOAP) {
	t.Helper()
	echo := &echoSOAP{}
	h := authserver.New(cfg, echo)
	ts := httptest.NewUnstartedServer(h)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	h.Install(ts.Config)
	if tlsCert != nil {
		ts.TLS = &tls.Config{Certificates: []tls.Certificate{*tlsCert}}
		ts.StartTLS()
	} else {
		ts.Start()
	}
	t.Cleanup(ts.Close)
	return h, ts, echo
}

var ntlmUsers = authserver.Config{NTLM: []ntlmserver.User{{Name: "Administrator", Domain: "CIMSH", Password: "Ntlm-Pa55word"}}}

func TestNTLMSealedOneHandshakePerConnection(t *testing.T) {
	h, ts, _ := authServer(t, ntlmUsers, nil)
	host, port := hostPort(t, ts.Listener.Addr().String())
	c, err := New(Config{Host: host, Port: port, Auth: AuthDefault, User: `CIMSH\Administrator`, Password: "Ntlm-Pa55word"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	post := func(i int) {
		t.Helper()
		body := fmt.Sprintf("<req n='%d'>%s</req>", i, strings.Repeat("é", i*31))
		out, err := c.Post(ctx, []byte(body), readOrChange(i%2 == 0))
		if err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
		if want := echoReply("Administrator", "ntlm", true, body); string(out) != want {
			t.Fatalf("post %d:\n got %q\nwant %q", i, out, want)
		}
	}
	for i := 0; i < 50; i++ {
		post(i)
	}
	if got := h.Handshakes.Load(); got != 1 {
		t.Fatalf("server handshakes %d after 50 requests, want 1", got)
	}
	if s := c.Stats(); s.Handshakes != 1 || s.Dials != 1 || s.Requests != 52 || s.Posts != 50 {
		t.Fatalf("stats %+v, want 1 handshake, 1 dial, 50 posts + 2 handshake legs", s)
	}

	// The server drops the connection: one redial, one more handshake.
	ts.CloseClientConnections()
	for i := 50; i < 60; i++ {
		post(i)
	}
	if got := h.Handshakes.Load(); got != 2 {
		t.Fatalf("server handshakes %d after a forced close, want 2", got)
	}
	if s := c.Stats(); s.Handshakes != 2 || s.Dials != 2 {
		t.Fatalf("stats %+v", s)
	}

	// A SOAP fault comes back unsealed in an HTTPError.
	_, err = c.Post(ctx, []byte("fault"), wsman.EffectRead)
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 500 || string(he.Body) != soapFault || he.ContentType != "application/soap+xml;charset=UTF-8" {
		t.Fatalf("fault: %v", err)
	}
	post(61) // the connection is still in step
}

func TestNTLMWrongPassword(t *testing.T) {
	_, ts, echo := authServer(t, ntlmUsers, nil)
	host, port := hostPort(t, ts.Listener.Addr().String())
	c, _ := New(Config{Host: host, Port: port, Auth: AuthNTLM, User: "Administrator", Domain: "CIMSH", Password: "Wrong-Pa55"})
	defer c.Close()
	_, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectChange)
	f, ok := model.AsFault(err)
	if !ok || f.Category != model.CategoryAccessDenied || f.HTTPStatus != 401 || f.Reason != "credentials rejected" {
		t.Fatalf("err %v", err)
	}
	if strings.Contains(err.Error(), "Wrong-Pa55") {
		t.Fatal("password in error")
	}
	echo.mu.Lock()
	defer echo.mu.Unlock()
	if len(echo.bodies) != 0 {
		t.Fatal("the request reached the server")
	}
}

// A request cancelled while the server works on it drops its NTLM
// connection; the next request authenticates a new one.
func TestNTLMCancelDropsConnection(t *testing.T) {
	var (
		slowNext atomic.Bool
		arrived  = make(chan struct{}, 1)
		release  = make(chan struct{})
	)
	echo := &echoSOAP{}
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slowNext.CompareAndSwap(true, false) {
			arrived <- struct{}{}
			<-release
		}
		echo.ServeHTTP(w, r)
	})
	h := authserver.New(ntlmUsers, slow)
	ts := httptest.NewUnstartedServer(h)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	h.Install(ts.Config)
	ts.Start()
	defer ts.Close()
	defer close(release)

	host, port := hostPort(t, ts.Listener.Addr().String())
	c, _ := New(Config{Host: host, Port: port, User: `CIMSH\Administrator`, Password: "Ntlm-Pa55word"})
	defer c.Close()
	if _, err := c.Post(context.Background(), []byte("<a/>"), wsman.EffectRead); err != nil {
		t.Fatal(err)
	}
	slowNext.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	start := time.Now()
	_, err := c.Post(ctx, []byte("<b/>"), wsman.EffectRead)
	if !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
	if _, err := c.Post(context.Background(), []byte("<c/>"), wsman.EffectRead); err != nil {
		t.Fatal(err)
	}
	if s := c.Stats(); s.Handshakes != 2 || s.Dials != 2 {
		t.Fatalf("stats %+v: the cancelled connection must be dropped", s)
	}
	if h.Handshakes.Load() != 2 {
		t.Fatalf("server handshakes %d", h.Handshakes.Load())
	}
}

// Over HTTPS NTLM authenticates once per connection and sends plain
// bodies (TLS protects them).
func TestNTLMOverHTTPS(t *testing.T) {
	pki := newPKI(t)
	cert, _, _ := pki.issue(t, "ntlm-https", false, "127.0.0.1")
	h, ts, _ := authServer(t, ntlmUsers, &cert)
	host, port := hostPort(t, ts.Listener.Addr().String())
	c, _ := New(Config{Host: host, Port: port, HTTPS: true, CAFile: pki.caFile, Auth: AuthNegotiate, User: "Administrator@CIMSH", Password: "Ntlm-Pa55word"})
	defer c.Close()
	for i := 0; i < 5; i++ {
		out, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead)
		if err != nil {
			t.Fatal(err)
		}
		if want := echoReply("Administrator", "ntlm", false, "<x/>"); string(out) != want {
			t.Fatalf("got %q", out)
		}
	}
	if h.Handshakes.Load() != 1 || c.Stats().Dials != 1 {
		t.Fatalf("handshakes %d stats %+v", h.Handshakes.Load(), c.Stats())
	}
}

// With no_encryption NTLM authenticates and sends plain bodies, which a
// server with AllowUnencrypted accepts and Windows' default refuses with
// an empty 500.
func TestNTLMNoEncryption(t *testing.T) {
	for _, allow := range []bool{true, false} {
		cfg := ntlmUsers
		cfg.AllowUnencrypted = allow
		_, ts, _ := authServer(t, cfg, nil)
		host, port := hostPort(t, ts.Listener.Addr().String())
		c, _ := New(Config{Host: host, Port: port, NoEncryption: true, User: `CIMSH\Administrator`, Password: "Ntlm-Pa55word"})
		out, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead)
		if allow {
			if err != nil || string(out) != echoReply("Administrator", "ntlm", false, "<x/>") {
				t.Fatalf("allowed: %q %v", out, err)
			}
		} else {
			var he *HTTPError
			if !errors.As(err, &he) || he.StatusCode != 500 || len(he.Body) != 0 {
				t.Fatalf("refused: %v", err)
			}
		}
		c.Close()
	}
}

func TestBasicAgainstAuthServer(t *testing.T) {
	cfg := authserver.Config{Basic: map[string]string{"root": "Basic-Pa55"}, AllowUnencrypted: true}
	_, ts, _ := authServer(t, cfg, nil)
	host, port := hostPort(t, ts.Listener.Addr().String())
	c, _ := New(Config{Host: host, Port: port, Auth: AuthBasic, NoEncryption: true, User: "root", Password: "Basic-Pa55"})
	defer c.Close()
	out, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead)
	if err != nil || string(out) != echoReply("root", "basic", false, "<x/>") {
		t.Fatalf("%q %v", out, err)
	}
	if s := c.Stats(); s.Requests != 1 {
		t.Fatalf("stats %+v: Basic must go with the first request", s)
	}
}

// Kerberos against the project's acceptor, which binds the context to
// the connection: one token per connection, one service ticket.
func TestKerberosAgainstAuthServer(t *testing.T) {
	k := kdc.Start(t, "CIMSH.TEST")
	kt, err := k.ServiceKeytab()
	if err != nil {
		t.Fatal(err)
	}
	h, ts, _ := authServer(t, authserver.Config{Keytab: kt, SPN: k.SPN, AllowUnencrypted: true}, nil)
	host, port := hostPort(t, ts.Listener.Addr().String())
	c, _ := New(Config{Host: host, Port: port, Auth: AuthKerberos, NoEncryption: true, SPN: "HTTP/localhost",
		User: k.UserPrincipal(), Password: k.Password, Krb5Conf: k.Krb5Conf})
	defer c.Close()
	for i := 0; i < 10; i++ {
		out, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead)
		if err != nil {
			t.Fatal(err)
		}
		if want := echoReply(k.User, "kerberos", false, "<x/>"); string(out) != want {
			t.Fatalf("got %q", out)
		}
	}
	if s := c.Stats(); s.Handshakes != 1 || s.Requests != 10 || s.Dials != 1 {
		t.Fatalf("stats %+v", s)
	}
	if h.Handshakes.Load() != 1 {
		t.Fatalf("server handshakes %d", h.Handshakes.Load())
	}
}

// Kerberos with HTTP message encryption (the Windows default over plain
// HTTP) against the project's acceptor: one empty authenticating POST per
// connection, the AP-REP checked, then sealed requests and replies.
func TestKerberosSealed(t *testing.T) {
	k := kdc.Start(t, "CIMSH.TEST")
	kt, err := k.ServiceKeytab()
	if err != nil {
		t.Fatal(err)
	}
	h, ts, _ := authServer(t, authserver.Config{Keytab: kt, SPN: k.SPN}, nil) // AllowUnencrypted off
	host, port := hostPort(t, ts.Listener.Addr().String())
	c, err := New(Config{Host: host, Port: port, Auth: AuthKerberos, SPN: "HTTP/localhost",
		User: k.UserPrincipal(), Password: k.Password, Krb5Conf: k.Krb5Conf})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	post := func(i int) {
		t.Helper()
		body := fmt.Sprintf("<req n='%d'>%s</req>", i, strings.Repeat("ü", i*29))
		out, err := c.Post(ctx, []byte(body), readOrChange(i%2 == 1))
		if err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
		if want := echoReply(k.User, "kerberos", true, body); string(out) != want {
			t.Fatalf("post %d:\n got %q\nwant %q", i, out, want)
		}
	}
	post(0)
	_, tgs0 := kdcRequests(t, k)
	for i := 1; i < 50; i++ {
		post(i)
	}
	if _, tgs1 := kdcRequests(t, k); tgs1 != tgs0 {
		t.Fatalf("%d TGS requests for 49 more posts", tgs1-tgs0)
	}
	if s := c.Stats(); s.Handshakes != 1 || s.Dials != 1 || s.Requests != 51 {
		t.Fatalf("stats %+v, want 1 handshake, 1 dial, 50 posts + 1 handshake POST", s)
	}
	ts.CloseClientConnections()
	for i := 50; i < 55; i++ {
		post(i)
	}
	if h.Handshakes.Load() != 2 || c.Stats().Handshakes != 2 {
		t.Fatalf("handshakes: server %d, client %+v", h.Handshakes.Load(), c.Stats())
	}
	// A SOAP fault comes back unsealed in an HTTPError.
	_, err = c.Post(ctx, []byte("fault"), wsman.EffectRead)
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 500 || string(he.Body) != soapFault {
		t.Fatalf("fault: %v", err)
	}
	post(56)
}

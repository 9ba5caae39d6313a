package transport

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jcmturner/goidentity/v6"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest/kdc"
)

// krbServer serves SOAP behind gokrb5's SPNEGO acceptor (the service side
// with the KDC's HTTP/localhost keytab), recording who authenticated.
func krbServer(t *testing.T, k *kdc.KDC, pki *testPKI) (*httptest.Server, *atomic.Int64, *atomic.Value) {
	t.Helper()
	kt, err := k.ServiceKeytab()
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int64
	var who atomic.Value
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if id := goidentity.FromHTTPRequestContext(r); id != nil {
			who.Store(id.UserName() + "@" + id.Domain())
		}
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
		_, _ = io.WriteString(w, soapReply)
	})
	h := spnego.SPNEGOKRB5Authenticate(inner, kt, service.DecodePAC(false), service.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if pki != nil {
		cert, _, _ := pki.issue(t, "krb-server", false, "127.0.0.1", "localhost")
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, &hits, &who
}

// kdcRequests counts the AS and TGS requests in the KDC's log.
func kdcRequests(t *testing.T, k *kdc.KDC) (as, tgs int) {
	b, err := os.ReadFile(filepath.Join(k.Dir, "kdc.log"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "AS_REQ"), strings.Count(string(b), "TGS_REQ")
}

func TestKerberos(t *testing.T) {
	k := kdc.Start(t, "CIMSH.TEST")
	srv, hits, who := krbServer(t, k, nil)
	h, p := hostPort(t, srv.Listener.Addr().String())
	base := Config{Host: h, Port: p, Auth: AuthKerberos, NoEncryption: true, SPN: "HTTP/localhost", Krb5Conf: k.Krb5Conf}

	t.Run("password, one service ticket for many requests", func(t *testing.T) {
		cfg := base
		cfg.User, cfg.Password = k.UserPrincipal(), k.Password
		c, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead); err != nil {
			t.Fatal(err)
		}
		// The second post learns that this acceptor (gokrb5's) wants a
		// token on every request; later posts cost one request each.
		if _, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead); err != nil {
			t.Fatal(err)
		}
		as0, tgs0 := kdcRequests(t, k)
		if as0 == 0 || tgs0 == 0 {
			t.Fatalf("the KDC log shows %d AS and %d TGS requests: cannot count", as0, tgs0)
		}
		before, st0 := hits.Load(), c.Stats()
		for i := 0; i < 10; i++ {
			if out, err := c.Post(context.Background(), []byte("<x/>"), readOrChange(i%2 == 0)); err != nil || string(out) != soapReply {
				t.Fatalf("post %d: %v", i, err)
			}
		}
		as1, tgs1 := kdcRequests(t, k)
		if as1 != as0 || tgs1 != tgs0 {
			t.Fatalf("KDC saw %d AS and %d TGS requests for 10 more posts, want 0", as1-as0, tgs1-tgs0)
		}
		if hits.Load()-before != 10 {
			t.Fatalf("server served %d", hits.Load()-before)
		}
		if st := c.Stats(); st.Requests-st0.Requests != 10 || st.Dials != st0.Dials {
			t.Fatalf("stats %+v then %+v: want 10 requests on the same connection", st0, st)
		}
		if got, _ := who.Load().(string); got != k.UserPrincipal() {
			t.Fatalf("authenticated as %q", got)
		}
	})

	t.Run("ticket cache", func(t *testing.T) {
		cfg := base
		cfg.CCache = "FILE:" + k.Kinit(t)
		c, _ := New(cfg)
		defer c.Close()
		if _, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("KRB5CCNAME and KRB5_CONFIG", func(t *testing.T) {
		t.Setenv("KRB5CCNAME", k.Kinit(t))
		t.Setenv("KRB5_CONFIG", k.Krb5Conf)
		cfg := base
		cfg.Krb5Conf = ""
		c, _ := New(cfg)
		defer c.Close()
		if _, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("keytab", func(t *testing.T) {
		cfg := base
		cfg.User, cfg.Keytab = k.SPN, k.Keytab // the service's own keys as a client
		c, _ := New(cfg)
		defer c.Close()
		if _, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		cfg := base
		cfg.User, cfg.Password = k.UserPrincipal(), "Wrong-Pw-42"
		c, _ := New(cfg)
		defer c.Close()
		_, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead)
		f, ok := model.AsFault(err)
		if !ok || f.Category != model.CategoryAccessDenied || strings.Contains(err.Error(), "Wrong-Pw-42") {
			t.Fatalf("err %v", err)
		}
	})

	// gokrb5's acceptor answers without an AP-REP, so it cannot seal:
	// over plain HTTP with encryption on, that is a clear error, not
	// plaintext.
	t.Run("sealing needs an AP-REP", func(t *testing.T) {
		cfg := base
		cfg.User, cfg.Password, cfg.NoEncryption = k.UserPrincipal(), k.Password, false
		c, _ := New(cfg)
		defer c.Close()
		before := hits.Load()
		_, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead)
		f, ok := model.AsFault(err)
		if !ok || f.Category != model.CategoryProtocol || !strings.Contains(err.Error(), "AP-REP") {
			t.Fatalf("err %v", err)
		}
		if hits.Load()-before != 1 {
			t.Fatalf("server handled %d requests, want only the empty handshake POST", hits.Load()-before)
		}
	})

	t.Run("unknown SPN", func(t *testing.T) {
		cfg := base
		cfg.User, cfg.Password, cfg.SPN = k.UserPrincipal(), k.Password, "HTTP/nosuchhost"
		c, _ := New(cfg)
		defer c.Close()
		if _, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead); err == nil || !strings.Contains(err.Error(), "HTTP/nosuchhost") {
			t.Fatalf("err %v", err)
		}
	})
}

func TestKerberosHTTPS(t *testing.T) {
	k := kdc.Start(t, "CIMSH.TEST")
	pki := newPKI(t)
	srv, _, _ := krbServer(t, k, pki)
	_, p := hostPort(t, srv.Listener.Addr().String())
	// Host localhost: the default SPN HTTP/localhost and the certificate
	// name both come from it.
	c, err := New(Config{Host: "localhost", Port: p, HTTPS: true, CAFile: pki.caFile, Auth: AuthKerberos,
		User: k.UserPrincipal(), Password: k.Password, Krb5Conf: k.Krb5Conf})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.SPN() != "HTTP/localhost" {
		t.Fatalf("SPN %s", c.SPN())
	}
	for i := 0; i < 3; i++ {
		if _, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead); err != nil {
			t.Fatal(err)
		}
	}
}

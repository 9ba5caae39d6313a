package wsmantest

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func getDisk() []byte { return envelope(actionGet, wmiDiskURI, sel("DeviceID", "C:"), "") }

func TestInjectFaults(t *testing.T) {
	s := NewServer(t, Options{})
	// A TimedOut on the next Pull only.
	s.InjectFault(MatchOperation("Pull"), FaultTimedOut)
	r := post(t, s, envelope(actionEnumerate, dmtfSvcURI, cimv2Sel, enumBody(2, "")))
	ctx := r.bodyElem(t).child(nsEnumeration, "EnumerationContext").text()
	pull := envelope(actionPull, dmtfSvcURI, cimv2Sel, `<n:Pull><n:EnumerationContext>`+ctx+`</n:EnumerationContext><n:MaxElements>2</n:MaxElements></n:Pull>`)
	r = post(t, s, pull)
	if r.status != 500 || r.subcode() != "w:TimedOut" {
		t.Fatalf("injected TimedOut: HTTP %d %q", r.status, r.subcode())
	}
	wf := r.bodyElem(t).child(nsSOAP, "Detail").child(nsWSManFault, "WSManFault")
	if c, _ := wf.attr("", "Code"); c != "2150858793" {
		t.Fatalf("TimedOut code %s", c)
	}
	r = post(t, s, pull) // the retry works: the context survived
	if r.status != 200 || len(items(t, r.bodyElem(t))) != 2 {
		t.Fatalf("retried Pull: HTTP %d %s", r.status, r.body)
	}
	// An empty 500, twice.
	s.InjectFault(MatchOperation("Get"), FaultSpec{EmptyBody: true, Times: 2})
	for i := 0; i < 2; i++ {
		if r = post(t, s, getDisk()); r.status != 500 || len(r.body) != 0 {
			t.Fatalf("empty 500 #%d: HTTP %d %q", i, r.status, r.body)
		}
	}
	if r = post(t, s, getDisk()); r.status != 200 {
		t.Fatalf("after the injected faults: HTTP %d", r.status)
	}
	// AccessDenied, and a dropped connection.
	s.InjectFault(nil, FaultAccessDenied)
	if r = post(t, s, getDisk()); r.subcode() != "w:AccessDenied" {
		t.Fatalf("AccessDenied: %q", r.subcode())
	}
	s.InjectFault(nil, FaultSpec{Close: true})
	req, _ := http.NewRequest(http.MethodPost, s.URL(), strings.NewReader(string(getDisk())))
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("a dropped connection answered HTTP %d", resp.StatusCode)
	}
	log := s.Requests()
	last := log[len(log)-1]
	if last.Operation != "Get" || last.Fault != "closed" || last.Selectors[0].Value != "C:" {
		t.Fatalf("log entry %+v", last)
	}
	if s.Counters().Faults != 5 {
		t.Fatalf("faults counted %d, want 5", s.Counters().Faults)
	}
}

func TestRequestLogAndCounters(t *testing.T) {
	s := NewServer(t, Options{})
	// The client tells when it sees the server's close: net/http closes
	// an idle connection (and takes it from its pool) once it reads EOF.
	clientClosed := make(chan struct{}, 4)
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &closeSignalConn{Conn: nc, closed: clientClosed}, nil
	}}}
	for i := 0; i < 3; i++ {
		postWith(t, c, s.URL(), getDisk())
	}
	if got := s.Counters(); got.Requests != 3 || got.Connections != 1 {
		t.Fatalf("counters %+v, want 3 requests on 1 connection", got)
	}
	// Windows drops idle connections; the client must redial. The
	// server marks the connection idle just after writing the reply,
	// which the client may have read before.
	n := 0
	for deadline := time.Now().Add(10 * time.Second); n == 0 && time.Now().Before(deadline); {
		if n = s.DropIdleConnections(); n == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	if n != 1 {
		t.Fatalf("dropped %d idle connections", n)
	}
	select {
	case <-clientClosed:
	case <-time.After(10 * time.Second):
		t.Fatal("the client never saw the server close its idle connection")
	}
	postWith(t, c, s.URL(), getDisk())
	if got := s.Counters(); got.Requests != 4 || got.Connections != 2 {
		t.Fatalf("counters after a drop %+v", got)
	}
	ops := strings.Join(s.Operations(), ",")
	if ops != "Get,Get,Get,Get" {
		t.Fatalf("operations %s", ops)
	}
	l := s.Requests()[0]
	if l.Seq != 1 || l.ResourceURI != wmiDiskURI || l.Status != 200 || l.MaxEnvelopeSize != 512000 || len(l.Body) == 0 {
		t.Fatalf("log entry %+v", l)
	}
	s.ResetLog()
	if len(s.Requests()) != 0 {
		t.Fatal("log not reset")
	}
}

func TestHTTPErrors(t *testing.T) {
	s := NewServer(t, Options{MaxEnvelopeSize: 10000})
	resp, err := http.Get(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Fatalf("GET: HTTP %d", resp.StatusCode)
	}
	if r := post(t, s, getDisk(), "Content-Type", "text/xml"); r.status != 415 {
		t.Fatalf("wrong content type: HTTP %d", r.status)
	}
	if r := post(t, s, []byte(strings.Repeat(" ", 10001))); r.status != 413 {
		t.Fatalf("oversized: HTTP %d", r.status)
	}
	if r := post(t, s, []byte("<not-xml")); r.status != 500 || r.subcode() != "w:SchemaValidationError" {
		t.Fatalf("malformed: HTTP %d %q", r.status, r.subcode())
	}
	if r := post(t, s, []byte(`<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"/>`)); r.subcode() != "w:SchemaValidationError" {
		t.Fatalf("SOAP 1.1: %q", r.subcode())
	}
	resp, err = http.Post(strings.TrimSuffix(s.URL(), "/wsman")+"/other", "application/soap+xml", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("other path: HTTP %d", resp.StatusCode)
	}
}

func TestBasicAuth(t *testing.T) {
	users := map[string]string{"alice": "s3cret"}
	s := NewServer(t, Options{BasicUsers: users})
	do := func(s *Server, c *http.Client, user, pass string) (int, http.Header) {
		req, _ := http.NewRequest(http.MethodPost, s.URL(), strings.NewReader(string(getDisk())))
		req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Header
	}
	if st, h := do(s, http.DefaultClient, "", ""); st != 401 || h.Get("WWW-Authenticate") != `Basic realm="WSMAN"` {
		t.Fatalf("no credentials: %d %q", st, h.Get("WWW-Authenticate"))
	}
	if st, _ := do(s, http.DefaultClient, "alice", "wrong"); st != 401 {
		t.Fatalf("wrong password: %d", st)
	}
	// Basic over plain HTTP without AllowUnencrypted: an empty 500.
	if st, _ := do(s, http.DefaultClient, "alice", "s3cret"); st != 500 {
		t.Fatalf("unencrypted Basic: %d", st)
	}
	s = NewServer(t, Options{BasicUsers: users, AllowUnencrypted: true})
	if st, _ := do(s, http.DefaultClient, "alice", "s3cret"); st != 200 {
		t.Fatalf("allowed Basic: %d", st)
	}
	if u := s.Requests()[0].User; u != "alice" {
		t.Fatalf("logged user %q", u)
	}
	for _, l := range s.Requests() {
		if strings.Contains(string(l.Body), "s3cret") {
			t.Fatal("password in the log")
		}
	}
	// Over TLS Basic is fine; the certificate verifies.
	s = NewServer(t, Options{BasicUsers: users, TLS: true})
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CertPool()}}}
	if !strings.HasPrefix(s.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL %s", s.URL())
	}
	for i := 0; i < 2; i++ {
		if st, _ := do(s, c, "alice", "s3cret"); st != 200 {
			t.Fatalf("TLS Basic: %d", st)
		}
	}
	if got := s.Counters(); got.Handshakes != 1 || got.Connections != 1 {
		t.Fatalf("TLS counters %+v", got)
	}
}

// OMI never answers a request without credentials: it closes the
// connection after a while.
func TestOMIHoldsUnauthenticated(t *testing.T) {
	s := NewServer(t, Options{Dialect: OMI, BasicUsers: map[string]string{"u": "p"}, AllowUnencrypted: true,
		UnauthenticatedHold: 100 * time.Millisecond})
	start := time.Now()
	req, _ := http.NewRequest(http.MethodPost, s.URL(), strings.NewReader(string(getDisk())))
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("answered HTTP %d", resp.StatusCode)
	}
	if el := time.Since(start); el < 100*time.Millisecond {
		t.Fatalf("closed after %v", el)
	}
	if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
		t.Logf("error: %v", err)
	}
}

// TestLatencyAndConcurrency: a slow server (a minute of latency) holds
// eight requests at once, none answered while the latency runs (a server
// that served one request at a time would only ever have one in hand),
// and each ends when its client hangs up. Events, not timers: the log
// records each request on arrival.
func TestLatencyAndConcurrency(t *testing.T) {
	s := NewServer(t, Options{Latency: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var answered atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL(), strings.NewReader(string(getDisk())))
			req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				answered.Add(1)
				resp.Body.Close()
				t.Errorf("answered HTTP %d within a minute of latency", resp.StatusCode)
			}
		}()
	}
	waitLogged(t, s, "Get", 8)
	if n := answered.Load(); n != 0 {
		t.Fatalf("%d requests answered during the latency", n)
	}
	for _, l := range s.Requests() {
		if l.Status != 0 {
			t.Fatalf("request %d answered HTTP %d during the latency", l.Seq, l.Status)
		}
	}
	cancel()
	wg.Wait()
	if s.Counters().Requests != 8 {
		t.Fatalf("requests %d", s.Counters().Requests)
	}

	// A short latency ends: the reply comes, no sooner than it.
	s = NewServer(t, Options{Latency: 50 * time.Millisecond})
	start := time.Now()
	if r := post(t, s, getDisk()); r.status != 200 {
		t.Fatalf("HTTP %d", r.status)
	}
	if el := time.Since(start); el < 50*time.Millisecond {
		t.Fatalf("answered after %v with 50 ms latency", el)
	}
}

func TestStartCloseAndAccessors(t *testing.T) {
	s, err := Start(Options{Prefix: "/custom"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Host() != "127.0.0.1" || s.Port() == 0 || !strings.HasSuffix(s.URL(), "/custom") {
		t.Fatalf("host %s port %d url %s", s.Host(), s.Port(), s.URL())
	}
	if r := post(t, s, getDisk()); r.status != 200 {
		t.Fatalf("HTTP %d", r.status)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Post(s.URL(), "application/soap+xml", strings.NewReader("x")); err == nil {
		t.Fatal("a closed server answered")
	}
	s.Close() // twice is fine
}

// A server slower than the request's OperationTimeout answers w:TimedOut
// when the timeout passes, not when its latency has: with an hour of
// latency, the answer comes at all only if the timeout ends the wait
// (the client gives up after 30 s, far below the hour, so a wrong server
// fails rather than hangs; no upper bound on a loaded machine's timing).
func TestOperationTimeoutVersusLatency(t *testing.T) {
	s := NewServer(t, Options{Latency: time.Hour})
	req := strings.Replace(string(getDisk()), "PT60.000S", "PT0.050S", 1)
	start := time.Now()
	r := postWith(t, &http.Client{Timeout: 30 * time.Second}, s.URL(), []byte(req))
	if r.status != 500 || r.subcode() != "w:TimedOut" {
		t.Fatalf("HTTP %d %q", r.status, r.subcode())
	}
	if el := time.Since(start); el < 50*time.Millisecond {
		t.Fatalf("TimedOut after %v, before the 50 ms OperationTimeout", el)
	}
}

func TestQuotaAndLocale(t *testing.T) {
	s := NewServer(t, Options{MaxEnumerations: 2})
	open := func() reply { return post(t, s, envelope(actionEnumerate, dmtfSvcURI, cimv2Sel, enumBody(1, ""))) }
	open()
	open()
	r := open()
	if r.status != 500 || r.subcode() != "w:InternalError" {
		t.Fatalf("third open enumeration: HTTP %d %q", r.status, r.subcode())
	}
	wf := r.bodyElem(t).child(nsSOAP, "Detail").child(nsWSManFault, "WSManFault")
	if c, _ := wf.attr("", "Code"); c != "2150859174" || !strings.Contains(wf.child(nsWSManFault, "Message").text(), "maximum number of 2 concurrent operations") {
		t.Fatalf("quota fault: %s", r.body)
	}
	s.ExpireEnumerations()
	if r = open(); r.status != 200 {
		t.Fatalf("after expiry: HTTP %d", r.status)
	}
	locale := `<w:Locale xml:lang="en-US" s:mustUnderstand="true"/>`
	r = post(t, s, envelope(actionGet, wmiDiskURI, sel("DeviceID", "C:"), "", locale))
	if r.subcode() != "w:UnsupportedFeature" {
		t.Fatalf("Locale mustUnderstand=true: %q", r.subcode())
	}
	r = post(t, s, envelope(actionGet, wmiDiskURI, sel("DeviceID", "C:"), "", strings.Replace(locale, "true", "false", 1)))
	if r.status != 200 {
		t.Fatalf("Locale mustUnderstand=false: HTTP %d", r.status)
	}
}

// closeSignalConn tells closed when it is closed (once).
type closeSignalConn struct {
	net.Conn
	closed chan<- struct{}
	once   sync.Once
}

func (c *closeSignalConn) Close() error {
	c.once.Do(func() { c.closed <- struct{}{} })
	return c.Conn.Close()
}

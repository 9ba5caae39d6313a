package authserver

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// echoHandler answers with the identity and the request body it saw, so
// a test can tell what the middleware passed on.
type echoHandler struct {
	mu     sync.Mutex
	seen   []Identity
	bodies []string
}

func (e *echoHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, ok := FromContext(r.Context())
	if !ok {
		http.Error(w, "no identity", http.StatusInternalServerError)
		return
	}
	body, _ := io.ReadAll(r.Body)
	e.mu.Lock()
	e.seen = append(e.seen, id)
	e.bodies = append(e.bodies, string(body))
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	fmt.Fprintf(w, "<echo user=%q scheme=%q sealed=%v type=%q>%s</echo>", id.User, id.Scheme, id.Sealed, r.Header.Get("Content-Type"), body)
}

// startServer runs the middleware on 127.0.0.1 (TLS when tlsCfg is not
// nil) and stops it with the test.
func startServer(t *testing.T, cfg Config, next http.Handler, tlsCfg *tls.Config) (*Handler, *httptest.Server) {
	t.Helper()
	h := New(cfg, next)
	ts := httptest.NewUnstartedServer(h)
	h.Install(ts.Config)
	if tlsCfg != nil {
		ts.TLS = tlsCfg
		ts.StartTLS()
	} else {
		ts.Start()
	}
	t.Cleanup(ts.Close)
	return h, ts
}

// oneConnClient is a client that sends every request over one TCP
// connection, one at a time, as connection-bound authentication (NTLM,
// Kerberos) needs. It dials again only after the server answered
// "Connection: close"; a connection the server drops otherwise is an error,
// so a test through it also proves the server keeps connections alive.
//
// net/http's Transport cannot promise one connection even with
// MaxConnsPerHost 1: when its read loop has the whole response before the
// write loop reported the request written, it waits at most 50 ms
// (maxWriteWaitBeforeConnReuse) and then closes the connection instead of
// pooling it. On a loaded machine the write loop's thread can stay off the
// CPU that long, and the next request went out on a fresh, unauthenticated
// connection (a 401 in TestNTLMSealedKeepAlive about 2 runs in 300).
//
// The client's Transport is an *http.Transport (bodgit/ntlmssp/http insists
// on one) whose "http" scheme is registered to the one connection.
func oneConnClient(t testing.TB) *http.Client {
	oc := &oneConn{}
	t.Cleanup(oc.close)
	tr := &http.Transport{}
	tr.RegisterProtocol("http", oc)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

type oneConn struct {
	mu     sync.Mutex
	conn   net.Conn
	br     *bufio.Reader
	closed bool // the server closed the connection with "Connection: close"
	dialed bool
}

func (oc *oneConn) RoundTrip(req *http.Request) (*http.Response, error) {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	if req.URL.Scheme != "http" {
		return nil, fmt.Errorf("oneConn: %s: plain HTTP only", req.URL)
	}
	if oc.conn == nil {
		if oc.dialed && !oc.closed {
			return nil, errors.New("oneConn: the connection is gone and the server never said Connection: close")
		}
		conn, err := net.DialTimeout("tcp", req.URL.Host, 30*time.Second)
		if err != nil {
			return nil, err
		}
		oc.conn, oc.br, oc.dialed, oc.closed = conn, bufio.NewReader(conn), true, false
	}
	// A deadline for this exchange only: the connection stays open.
	oc.conn.SetDeadline(time.Now().Add(30 * time.Second))
	resp, err := oc.exchange(req)
	if err != nil {
		oc.conn.Close()
		oc.conn = nil
		return nil, fmt.Errorf("oneConn: %w", err)
	}
	if resp.Close {
		oc.conn.Close()
		oc.conn, oc.closed = nil, true
	}
	return resp, nil
}

// exchange writes req and reads the whole response, so the connection is
// free for the next request as soon as it returns.
func (oc *oneConn) exchange(req *http.Request) (*http.Response, error) {
	if err := req.Write(oc.conn); err != nil {
		return nil, err
	}
	resp, err := http.ReadResponse(oc.br, req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func (oc *oneConn) close() {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	if oc.conn != nil {
		oc.conn.Close()
		oc.conn = nil
	}
}

func post(t testing.TB, c *http.Client, url string, body []byte, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// testPKI is a CA with a server and a client certificate.
type testPKI struct {
	caPool     *x509.CertPool
	server     tls.Certificate
	client     tls.Certificate
	serverPool *x509.CertPool
}

func newPKI(t *testing.T, clientCN string) *testPKI {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cimsh test CA " + clientCN},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(cn string, usage x509.ExtKeyUsage, serial int64) tls.Certificate {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{usage}, KeyUsage: x509.KeyUsageDigitalSignature,
			DNSNames: []string{"localhost"}, IPAddresses: nil,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	}
	p := &testPKI{caPool: x509.NewCertPool()}
	p.caPool.AddCert(ca)
	p.server = issue("localhost", x509.ExtKeyUsageServerAuth, 2)
	p.client = issue(clientCN, x509.ExtKeyUsageClientAuth, 3)
	p.serverPool = p.caPool
	return p
}

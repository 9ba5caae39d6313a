package transport

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
)

// tlsServer serves HTTPS on loopback with a certificate for names, from
// the test CA; with clientCAs it requires a client certificate.
func tlsServer(t *testing.T, pki *testPKI, clientCAs bool, names ...string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	cert, _, _ := pki.issue(t, "server-"+strings.Join(names, "-"), false, names...)
	var hits atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		if clientCAs {
			if len(r.TLS.PeerCertificates) == 0 || r.Header.Get("Authorization") != mutualAuth {
				w.WriteHeader(401)
				return
			}
		}
		w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
		_, _ = io.WriteString(w, soapReply)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	if clientCAs {
		srv.TLS.ClientAuth = tls.RequireAndVerifyClientCert
		srv.TLS.ClientCAs = pki.pool
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &hits
}

func httpsConfig(t *testing.T, srv *httptest.Server) Config {
	h, p := hostPort(t, srv.Listener.Addr().String())
	return Config{Host: h, Port: p, HTTPS: true, Auth: AuthBasic, User: "u", Password: "p"}
}

func TestTLSVerification(t *testing.T) {
	pki := newPKI(t)
	good, _ := tlsServer(t, pki, false, "127.0.0.1")
	wrongName, _ := tlsServer(t, pki, false, "other.example")
	other := newPKI(t) // a CA nobody trusts
	untrusted, _ := tlsServer(t, other, false, "127.0.0.1")

	tests := []struct {
		name   string
		srv    *httptest.Server
		adjust func(*Config)
		ok     bool
		errHas string
	}{
		{"default rejects an unknown CA", good, func(*Config) {}, false, "certificate signed by unknown authority"},
		{"CA file", good, func(c *Config) { c.CAFile = pki.caFile }, true, ""},
		{"skip CA check", good, func(c *Config) { c.SkipCACheck = true }, true, ""},
		{"wrong name rejected", wrongName, func(c *Config) { c.CAFile = pki.caFile }, false, "127.0.0.1 because it doesn't contain any IP SANs"},
		{"skip CN check", wrongName, func(c *Config) { c.CAFile = pki.caFile; c.SkipCNCheck = true }, true, ""},
		{"skip CN check still checks the chain", untrusted, func(c *Config) { c.CAFile = pki.caFile; c.SkipCNCheck = true }, false, "unknown authority"},
		{"skip CA check accepts any", untrusted, func(c *Config) { c.SkipCACheck = true }, true, ""},
		{"missing CA file", good, func(c *Config) { c.CAFile = pki.dir + "/nope.pem" }, false, "CA file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := httpsConfig(t, tt.srv)
			tt.adjust(&cfg)
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			out, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead)
			if tt.ok {
				if err != nil || string(out) != soapReply {
					t.Fatalf("post: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("err %v, want %q", err, tt.errHas)
			}
		})
	}
}

func TestClientCertificate(t *testing.T) {
	pki := newPKI(t)
	srv, hits := tlsServer(t, pki, true, "127.0.0.1")
	_, certFile, keyFile := pki.issue(t, "client", true, "client.example")
	cfg := httpsConfig(t, srv)
	cfg.Auth, cfg.User, cfg.Password = AuthCertificate, "", ""
	cfg.CAFile, cfg.CertFile, cfg.KeyFile = pki.caFile, certFile, keyFile
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < 3; i++ {
		if out, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead); err != nil || string(out) != soapReply {
			t.Fatalf("post: %v", err)
		}
	}
	if hits.Load() != 3 || c.Stats().Dials != 1 {
		t.Fatalf("hits %d stats %+v", hits.Load(), c.Stats())
	}

	// Without a certificate the TLS handshake fails (or the server
	// rejects the request): never a success.
	cfg.Auth, cfg.User, cfg.Password = AuthBasic, "u", "p"
	c2, _ := New(cfg)
	defer c2.Close()
	if _, err := c2.Post(context.Background(), []byte("<x/>"), wsman.EffectRead); err == nil {
		t.Fatal("no client certificate, yet success")
	} else if f, ok := model.AsFault(err); !ok || (f.Category != model.CategoryUnreachable && f.Category != model.CategoryAccessDenied) {
		t.Fatalf("err %v", err)
	}

	cfg.Auth, cfg.KeyFile = AuthCertificate, pki.dir+"/missing.key"
	c3, _ := New(cfg)
	if _, err := c3.Post(context.Background(), []byte("<x/>"), wsman.EffectRead); err == nil || !strings.Contains(err.Error(), "client certificate") {
		t.Fatalf("missing key: %v", err)
	}
}

// An HTTPS connection the server closed while idle is redialed, even for
// a non-idempotent request, which the server then sees once.
func TestTLSRedial(t *testing.T) {
	pki := newPKI(t)
	srv, hits := tlsServer(t, pki, false, "127.0.0.1")
	cfg := httpsConfig(t, srv)
	cfg.CAFile = pki.caFile
	c, _ := New(cfg)
	defer c.Close()
	if _, err := c.Post(context.Background(), []byte("<a/>"), wsman.EffectRead); err != nil {
		t.Fatal(err)
	}
	srv.CloseClientConnections()
	waitIdleSeenClosed(t, c)
	if _, err := c.Post(context.Background(), []byte("<b/>"), wsman.EffectChange); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 2 || c.Stats().Dials != 2 {
		t.Fatalf("hits %d stats %+v", hits.Load(), c.Stats())
	}
}

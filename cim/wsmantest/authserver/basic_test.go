package authserver

import (
	"crypto/tls"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"
)

func basicHeader(user, password string) map[string]string {
	return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))}
}

// TestBasic: accepted with the right password where allowed; refused
// with a wrong one, for an unknown user, and over plain HTTP without
// AllowUnencrypted (like Windows).
func TestBasic(t *testing.T) {
	pki := newPKI(t, "client")
	cases := []struct {
		name           string
		tls            bool
		allow          bool
		user, password string
		want           int
	}{
		{"http allowed", false, true, "basicuser", "basic-Pass1", http.StatusOK},
		{"http refused without AllowUnencrypted", false, false, "basicuser", "basic-Pass1", http.StatusUnauthorized},
		{"https", true, false, "basicuser", "basic-Pass1", http.StatusOK},
		{"wrong password", true, false, "basicuser", "basic-Pass2", http.StatusUnauthorized},
		{"unknown user", true, false, "nobody", "basic-Pass1", http.StatusUnauthorized},
		{"password prefix", false, true, "basicuser", "basic-Pass", http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ntlmCfg
			cfg.AllowUnencrypted = tc.allow
			var tlsCfg *tls.Config
			client := http.DefaultClient
			if tc.tls {
				tlsCfg = &tls.Config{Certificates: []tls.Certificate{pki.server}}
				tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pki.caPool, ServerName: "localhost"}}
				defer tr.CloseIdleConnections()
				client = &http.Client{Transport: tr}
			}
			echo := &echoHandler{}
			h, ts := startServer(t, cfg, echo, tlsCfg)
			resp, body := post(t, client, ts.URL+"/wsman", []byte("<basic/>"), basicHeader(tc.user, tc.password))
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d (%q)", resp.StatusCode, tc.want, body)
			}
			if tc.want == http.StatusOK {
				if !strings.Contains(string(body), `user="basicuser" scheme="basic" sealed=false`) || !strings.HasSuffix(string(body), "<basic/></echo>") {
					t.Fatalf("body %q", body)
				}
				return
			}
			if h.AuthFailures.Load() != 1 || len(echo.seen) != 0 {
				t.Fatalf("failures %d, next handler calls %d", h.AuthFailures.Load(), len(echo.seen))
			}
			if strings.Contains(string(body), tc.password) {
				t.Fatal("response shows the password")
			}
			// Basic is offered only where it could succeed.
			offered := strings.Join(resp.Header.Values("WWW-Authenticate"), ",")
			if wantBasic := tc.tls || tc.allow; strings.Contains(offered, `Basic realm="WSMAN"`) != wantBasic {
				t.Fatalf("WWW-Authenticate %q", offered)
			}
		})
	}
}

// TestClientCertificate: the https/mutual profile with a certificate from
// the trusted CA is accepted as its common name; one from another CA, or
// none, is refused.
func TestClientCertificate(t *testing.T) {
	pki := newPKI(t, "certuser")
	other := newPKI(t, "intruder")
	cfg := Config{RequireClientCert: true, ClientCAs: pki.caPool}
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{pki.server}, ClientAuth: tls.RequestClientCert}
	echo := &echoHandler{}
	_, ts := startServer(t, cfg, echo, tlsCfg)
	cases := []struct {
		name  string
		certs []tls.Certificate
		want  int
	}{
		{"trusted", []tls.Certificate{pki.client}, http.StatusOK},
		{"untrusted CA", []tls.Certificate{other.client}, http.StatusUnauthorized},
		{"no certificate", nil, http.StatusUnauthorized},
		{"server certificate as client", []tls.Certificate{pki.server}, http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pki.caPool, ServerName: "localhost", Certificates: tc.certs}}
			defer tr.CloseIdleConnections()
			resp, body := post(t, &http.Client{Transport: tr}, ts.URL+"/wsman", []byte("<cert/>"),
				map[string]string{"Authorization": MutualAuthorization})
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.want == http.StatusOK && !strings.Contains(string(body), `user="certuser" scheme="certificate"`) {
				t.Fatalf("body %q", body)
			}
		})
	}
	// Certificate authentication disabled: refused even with a good one.
	_, ts2 := startServer(t, Config{ClientCAs: pki.caPool}, echo, tlsCfg)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pki.caPool, ServerName: "localhost", Certificates: []tls.Certificate{pki.client}}}
	defer tr.CloseIdleConnections()
	if resp, _ := post(t, &http.Client{Transport: tr}, ts2.URL, nil, map[string]string{"Authorization": MutualAuthorization}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("disabled: status %d", resp.StatusCode)
	}
}

// TestSilentUnauthenticated: the OMI mode sends nothing to a request
// without credentials and closes the connection after the delay, while
// Basic on the first request is served.
func TestSilentUnauthenticated(t *testing.T) {
	cfg := Config{Basic: map[string]string{"basicuser": "basic-Pass1"}, AllowUnencrypted: true, SilentUnauthenticated: 300 * time.Millisecond}
	_, ts := startServer(t, cfg, &echoHandler{}, nil)
	start := time.Now()
	resp, err := http.Post(ts.URL+"/wsman", "application/soap+xml;charset=UTF-8", strings.NewReader("<x/>"))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got a response (%d) to an unauthenticated request", resp.StatusCode)
	}
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Fatalf("connection closed after %v, want about 300ms", d)
	}
	if resp, _ := post(t, http.DefaultClient, ts.URL+"/wsman", []byte("<x/>"), basicHeader("basicuser", "basic-Pass1")); resp.StatusCode != http.StatusOK {
		t.Fatalf("Basic on the first request: %d", resp.StatusCode)
	}
}

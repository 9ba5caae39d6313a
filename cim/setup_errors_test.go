package cim

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest"
)

func firstOSError(t *testing.T, cfg Config) error {
	t.Helper()
	s, err := NewSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = s.GetInstances(ctx, InstanceQuery{ClassName: "Win32_OperatingSystem"})
	if err == nil {
		t.Fatal("no error")
	}
	return err
}

// The default authentication with no credential is the user's Kerberos
// ticket; without one the error says what to do, not which file is
// missing.
func TestNoCredentialNoTicket(t *testing.T) {
	srv := wsmantest.NewServer(t, wsmantest.Options{})
	t.Setenv("KRB5CCNAME", "FILE:"+filepath.Join(t.TempDir(), "krb5cc_none"))
	for _, auth := range []Authentication{AuthDefault, AuthKerberos} {
		err := firstOSError(t, Config{ComputerName: srv.URL(), Authentication: auth})
		want := "127.0.0.1: no credential given and no Kerberos ticket (no credential cache "
		if msg := err.Error(); !strings.HasPrefix(msg, want) || !strings.HasSuffix(msg, "): give credential= or run kinit") {
			t.Errorf("%s: %v", auth, msg)
		}
	}
}

// A web server that is not WS-Man answers with HTML: the error says so
// and does not dump the page.
func TestNotAWSManEndpoint(t *testing.T) {
	page := "<!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        <meta charset=\"utf-8\">\n        <title>Error response</title>\n    </head>\n" +
		"    <body>\n        <h1>Error response</h1>\n        <p>Error code: 501</p>\n        <p>Message: Unsupported method ('POST').</p>\n    </body>\n</html>\n"
	for _, status := range []int{501, 200, 404, 405} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "text/html;charset=utf-8")
			w.WriteHeader(status)
			io.WriteString(w, page)
		}))
		err := firstOSError(t, Config{ComputerName: srv.URL, Authentication: AuthBasic, Credential: NewCredential("u", "p"),
			Option: SessionOption{NoEncryption: true}})
		srv.Close()
		msg := err.Error()
		if !strings.Contains(msg, "not a WS-Management endpoint (HTTP ") || !strings.Contains(msg, srv.URL+"/wsman") ||
			strings.Contains(msg, "<") || len(msg) > 300 {
			t.Errorf("HTTP %d: %s", status, msg)
		}
	}
}

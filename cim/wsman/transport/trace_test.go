package transport

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/authserver"
)

// syncBuffer is a trace writer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const invokeWithPassword = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header><a:Action>http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service/Change</a:Action><w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service</w:ResourceURI></s:Header><s:Body><p:Change_INPUT xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service"><p:StartName>svc</p:StartName><p:StartPassword>Svc-S3cret</p:StartPassword><p:Note>said TRACE-PA55 aloud</p:Note><p:Env Name="DB_PASSWORD">Db-S3cret</p:Env></p:Change_INPUT></s:Body></s:Envelope>`

// Basic: the envelopes indented with status and timing; the credentials
// header, password-named values and the password itself redacted.
func TestTraceBasic(t *testing.T) {
	var out syncBuffer
	srv := wsmantest.NewServer(t, wsmantest.Options{BasicUsers: map[string]string{"tracer": "TRACE-PA55"}, AllowUnencrypted: true})
	c, err := New(Config{Host: srv.Host(), Port: srv.Port(), Auth: AuthBasic, NoEncryption: true, User: "tracer", Password: "TRACE-PA55", Trace: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Post(context.Background(), []byte(identifyRequest), wsman.EffectRead); err != nil {
		t.Fatal(err)
	}
	_, err = c.Post(context.Background(), []byte(invokeWithPassword), wsman.EffectChange)
	if err == nil {
		t.Fatal("the invoke of a missing service succeeded")
	}
	got := out.String()
	t.Logf("trace:\n%s", got)
	for _, want := range []string{
		"--> #", "POST http://" + c.cfg.addr() + "/wsman (basic)", "Authorization: Basic <redacted>",
		"<-- #", "200 OK after ", "\n        <wsmid:IdentifyResponse", "\n          <wsmid:ProductVendor>",
		"<p:StartPassword><redacted></p:StartPassword>", `<p:Env Name="DB_PASSWORD"><redacted></p:Env>`,
		"said <redacted> aloud", "500 Internal Server Error after ", "<s:Fault>",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the trace lacks %q", want)
		}
	}
	for _, secret := range []string{"TRACE-PA55", base64.StdEncoding.EncodeToString([]byte("tracer:TRACE-PA55")), "Svc-S3cret", "Db-S3cret"} {
		if strings.Contains(got, secret) {
			t.Errorf("the trace shows %q", secret)
		}
	}
}

// NTLM with sealing: the envelopes shown decrypted, the handshake legs
// with their status, no token.
func TestTraceNTLMSealed(t *testing.T) {
	var out syncBuffer
	var auth *authserver.Handler
	srv := wsmantest.NewServer(t, wsmantest.Options{
		Auth: func(next http.Handler) http.Handler {
			auth = authserver.New(ntlmUsers, next)
			return auth
		},
		Handshakes: func() int64 { return auth.Handshakes.Load() },
	})
	c, err := New(Config{Host: srv.Host(), Port: srv.Port(), User: `CIMSH\Administrator`, Password: "Ntlm-Pa55word", Trace: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < 2; i++ {
		if _, err := c.Post(context.Background(), []byte(identifyRequest), wsman.EffectRead); err != nil {
			t.Fatal(err)
		}
	}
	got := out.String()
	t.Logf("trace:\n%s", got)
	for _, want := range []string{"(default, sealed: shown decrypted)", "Authorization: Negotiate <redacted>",
		"(authentication: 401 Unauthorized after", "WWW-Authenticate: Negotiate <redacted>", "<wsmid:Identify/>", "<wsmid:ProductVendor>"} {
		if !strings.Contains(got, want) {
			t.Errorf("the trace lacks %q", want)
		}
	}
	// "TlRMTVNT" is base64 of "NTLMSS": no NTLM message in any form.
	for _, secret := range []string{"TlRMTVNT", "Ntlm-Pa55word", "--Encrypted Boundary"} {
		if strings.Contains(got, secret) {
			t.Errorf("the trace shows %q", secret)
		}
	}
	// The second request reuses the connection: no handshake legs.
	if n := strings.Count(got, "(authentication: 401"); n != 1 {
		t.Errorf("%d challenges for one handshake", n)
	}
}

func TestIndentXML(t *testing.T) {
	got, err := indentXML([]byte(`<a:x xmlns:a="u"><a:y k="v&amp;">t &lt;1</a:y>mixed<a:z/><a:w>  </a:w></a:x>`))
	if err != nil {
		t.Fatal(err)
	}
	want := "    <a:x xmlns:a=\"u\">\n      <a:y k=\"v&amp;\">t &lt;1</a:y>\n      mixed\n      <a:z/>\n      <a:w/>\n    </a:x>\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := indentXML([]byte("<a><b></a>")); err == nil {
		t.Fatal("unbalanced accepted")
	}
}

// The indenter never panics and never lets a password-named element's
// text through.
func FuzzIndentXML(f *testing.F) {
	f.Add([]byte(invokeWithPassword))
	f.Add([]byte(identifyRequest))
	f.Add([]byte("<a>\x1b[2J</a>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		out, err := indentXML(body)
		if err != nil {
			return
		}
		if strings.Contains(out, "Svc-S3cret") && bytes.Contains(body, []byte("<p:StartPassword>Svc-S3cret</p:StartPassword>")) {
			t.Fatalf("secret shown:\n%s", out)
		}
	})
}

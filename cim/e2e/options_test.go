package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// The operation timeout becomes the WS-Man OperationTimeout header
// (capped at 60 s, what Windows accepts) and, a little longer, the client
// deadline: a server slower than it answers w:TimedOut, which the caller
// sees as a timeout.
func TestOperationTimeout(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		// The server would take a minute: anything but its w:TimedOut
		// at the 400 ms operation timeout is far from it.
		srv := basicServer(t, d, wsmantest.Options{Latency: time.Minute})
		cfg := config(srv, cim.AuthBasic, cim.NewCredential(basicUser, basicPassword), cim.SessionOption{NoEncryption: true})
		cfg.OperationTimeout = 300 * time.Millisecond
		s := open(t, cfg)
		start := time.Now()
		_, err := s.GetInstance(testCtx(t), ref("Win32_Service", "root/cimv2", "Name", "WinRM"), cim.Options{OperationTimeout: 400 * time.Millisecond})
		took := time.Since(start)
		f := mustFault(t, "a Get slower than its operation timeout", err)
		t.Logf("slow Get after %v: %v", took, err)
		if f.Category != model.CategoryTimeout {
			t.Errorf("category %s: %v", f.Category, err)
		}
		// The client waits a little longer than the server, so that
		// the server's own fault arrives: a definite answer, and a
		// connection (and its NTLM context) that stays usable.
		if !strings.HasSuffix(f.Subcode, "TimedOut") {
			t.Errorf("the client gave up before the server's w:TimedOut: %v", err)
		}
		// Generous (a loaded machine), yet under the test's 20 s context
		// and far from the minute the server would otherwise take.
		if took > 15*time.Second {
			t.Errorf("the Get returned after %v with a 400ms operation timeout", took)
		}
		var header string
		for _, l := range srv.Requests() {
			if l.Operation == "Get" {
				body := string(l.Body)
				if i := strings.Index(body, "OperationTimeout>"); i >= 0 {
					header = body[i+len("OperationTimeout>"):]
					header = header[:strings.IndexByte(header, '<')]
				}
			}
		}
		if header != "PT0.400S" {
			t.Errorf("OperationTimeout header %q, want PT0.400S", header)
		}
	})
}

// A long operation timeout is capped at 60 s on the wire.
func TestOperationTimeoutCapped(t *testing.T) {
	srv := basicServer(t, wsmantest.Windows, wsmantest.Options{})
	cfg := config(srv, cim.AuthBasic, cim.NewCredential(basicUser, basicPassword), cim.SessionOption{NoEncryption: true})
	cfg.OperationTimeout = 5 * time.Minute
	s := open(t, cfg)
	if _, err := s.GetInstance(testCtx(t), ref("Win32_Service", "root/cimv2", "Name", "WinRM"), cim.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, l := range srv.Requests() {
		if l.Operation == "Get" && !strings.Contains(string(l.Body), "OperationTimeout>PT60") {
			t.Errorf("a 5-minute operation timeout was not capped at 60 s: %s", l.Body)
		}
	}
}

// The WMI resource URI form (resource_uri_form "wmi") addresses classes
// as WinRM's own tools do, and works for every kind of request.
func TestWMIResourceURIs(t *testing.T) {
	srv := basicServer(t, wsmantest.Windows, wsmantest.Options{})
	s := open(t, config(srv, cim.AuthBasic, cim.NewCredential(basicUser, basicPassword),
		cim.SessionOption{NoEncryption: true, ResourceURIForm: "wmi"}))
	ctx := testCtx(t)
	got, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service", Filter: "Name = 'WinRM'"})
	if err != nil || len(got) != 1 {
		t.Fatalf("WQL in the WMI form: %v %v", got, err)
	}
	if _, err := s.InvokeMethod(ctx, cim.MethodCall{Input: got[0], Method: "StopService"}); err != nil {
		t.Fatalf("Invoke in the WMI form: %v", err)
	}
	inst, err := s.GetInstance(ctx, got[0], cim.Options{})
	if err != nil || text(inst, "State") != "Stopped" {
		t.Fatalf("Get in the WMI form: %s %v", text(inst, "State"), err)
	}
	for _, l := range srv.Requests() {
		if l.Operation == "Identify" {
			continue
		}
		if !strings.HasPrefix(l.ResourceURI, "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/") &&
			!strings.HasPrefix(l.ResourceURI, "http://schemas.dmtf.org/wbem/cim-xml/") {
			t.Errorf("%s used %s", l.Operation, l.ResourceURI)
		}
	}
}

// http_prefix, culture and ui_culture reach the wire.
func TestPrefixAndLocale(t *testing.T) {
	srv := basicServer(t, wsmantest.Windows, wsmantest.Options{Prefix: "/custom/wsman"})
	s := open(t, config(srv, cim.AuthBasic, cim.NewCredential(basicUser, basicPassword),
		cim.SessionOption{NoEncryption: true, HTTPPrefix: "custom/wsman", Culture: "de-DE", UICulture: "fr-FR"}))
	if _, err := s.GetInstance(testCtx(t), ref("Win32_Service", "root/cimv2", "Name", "WinRM"), cim.Options{}); err != nil {
		t.Fatalf("with http_prefix: %v", err)
	}
	l := srv.Requests()
	body := string(l[len(l)-1].Body)
	for _, want := range []string{srv.URL() + "<", `xml:lang="fr-FR"`, `xml:lang="de-DE"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the request lacks %s: %s", want, body)
		}
	}
}

// A request larger than the server's MaxEnvelopeSize (HTTP 413) is a
// clear error, and the session carries on.
func TestRequestTooLarge(t *testing.T) {
	srv := basicServer(t, wsmantest.Windows, wsmantest.Options{MaxEnvelopeSize: 64 << 10})
	s := basicSession(t, srv)
	ctx := testCtx(t)
	inst := model.NewInstance("Cimsh_ValueKinds", "root/cimv2")
	inst.SetKey("Id", model.String("big"))
	inst.Set("Str", model.String(strings.Repeat("x", 100<<10)))
	_, err := s.NewInstance(ctx, inst, cim.Options{})
	f := mustFault(t, "a request over MaxEnvelopeSize", err)
	t.Logf("too large (%s): %v", f.Category, err)
	if f.HTTPStatus != 413 {
		t.Errorf("HTTP %d, want 413", f.HTTPStatus)
	}
	if _, err := s.Test(ctx); err != nil {
		t.Errorf("the session broke after a 413: %v", err)
	}
}

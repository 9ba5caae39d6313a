package e2e

import (
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// Windows treats selector names and values case-insensitively
// (PROTOCOL.md): an instance addressed in another case is found, and
// what comes back carries the server's spelling, which later requests
// use.
func TestWindowsSelectorsCaseInsensitive(t *testing.T) {
	srv := basicServer(t, wsmantest.Windows, wsmantest.Options{})
	s := basicSession(t, srv)
	ctx := testCtx(t)
	lower := ref("Win32_Service", "root/cimv2", "NAME", "winrm")
	got, err := s.GetInstance(ctx, lower, cim.Options{})
	if err != nil || text(got, "Name") != "WinRM" {
		t.Fatalf("Get by NAME=winrm: %s %v", text(got, "Name"), err)
	}
	if _, err := s.InvokeMethod(ctx, cim.MethodCall{Input: lower, Method: "StopService"}); err != nil {
		t.Fatalf("StopService by NAME=winrm: %v", err)
	}
	after, err := s.GetInstance(ctx, got, cim.Options{})
	if err != nil || text(after, "State") != "Stopped" {
		t.Fatalf("the instance the Get returned: %s %v", text(after, "State"), err)
	}
	if v, _ := srv.Requests()[len(srv.Requests())-1].Selector("Name"); v != "WinRM" {
		t.Errorf("the returned instance was addressed as %q, not in the server's spelling", v)
	}
}

// Request headers (PROTOCOL.md): w:Locale with mustUnderstand="false"
// (Windows faults UnsupportedFeature on "true", which the Windows
// dialect does), __cimnamespace on every DMTF-form request that names a
// class (Windows defaults to root/hardware, as the dialect does), and
// never PowerShell's p:OperationID (it switches
// Windows to the "robust connection" mode) or __MI_CallbackRegistration,
// on every kind of request a session sends.
func TestRequestHeadersEveryOperation(t *testing.T) {
	srv := basicServer(t, wsmantest.Windows, wsmantest.Options{})
	s := basicSession(t, srv)
	ctx := testCtx(t)
	if _, err := s.Test(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: 3}); err != nil {
		t.Fatal(err)
	}
	svc, err := s.GetInstance(ctx, ref("Win32_Service", "root/cimv2", "Name", "Spooler"), cim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.InvokeMethod(ctx, cim.MethodCall{Input: svc, Method: "StopService"}); err != nil {
		t.Fatal(err)
	}
	inst := model.NewInstance("Cimsh_ValueKinds", "root/cimv2")
	inst.SetKey("Id", model.String("headers"))
	created, err := s.NewInstance(ctx, inst, cim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	created.Set("Str", model.String("x"))
	if _, err := s.SetInstance(ctx, created, []string{"Str"}, cim.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveInstance(ctx, created, cim.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetAssociatedInstances(ctx, cim.AssociatedQuery{Input: svc, Association: "Win32_DependentService"}); err != nil {
		t.Fatal(err)
	}
	// One instance a page, so that the pages pulled ahead do not reach
	// the end.
	en, err := s.Enumerate(ctx, cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	en.Next(ctx)
	en.Close() // a Release
	seen := map[string]bool{}
	for _, l := range srv.Requests() {
		seen[l.Operation] = true
		body := string(l.Body)
		if l.Operation == "Identify" {
			continue // no addressing headers at all
		}
		if !strings.Contains(body, `<w:Locale xml:lang="en-US" s:mustUnderstand="false"/>`) {
			t.Errorf("%s: no w:Locale with mustUnderstand=\"false\": %.600s", l.Operation, body)
		}
		// Without __cimnamespace Windows looks in root/hardware.
		if _, ok := l.Selector("__cimnamespace"); !ok && strings.HasPrefix(l.ResourceURI, "http://schemas.dmtf.org/") && l.Operation != "Pull" && l.Operation != "Release" {
			t.Errorf("%s of %s without __cimnamespace", l.Operation, l.ResourceURI)
		}
		for _, bad := range []string{"OperationID", "__MI_CallbackRegistration"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s carries %s", l.Operation, bad)
			}
		}
	}
	for _, op := range []string{"Identify", "Enumerate", "Pull", "Release", "Get", "Invoke", "Create", "Put", "Delete"} {
		if !seen[op] {
			t.Errorf("no %s was checked (%v)", op, srv.Operations())
		}
	}
}

// Basic over plain HTTP to a server whose AllowUnencrypted is off (the
// Windows default): an empty HTTP 500, which the session reports as
// such, naming the setting, without the password.
func TestBasicRefusedUnencrypted(t *testing.T) {
	srv := wsmantest.NewServer(t, wsmantest.Options{BasicUsers: basicUsers})
	s := basicSession(t, srv)
	_, err := s.GetInstance(testCtx(t), ref("Win32_Service", "root/cimv2", "Name", "WinRM"), cim.Options{})
	f := mustFault(t, "Basic over HTTP without AllowUnencrypted", err)
	if f.HTTPStatus != 500 || !strings.Contains(err.Error(), "AllowUnencrypted") {
		t.Errorf("HTTP %d: %v", f.HTTPStatus, err)
	}
	noSecret(t, err, basicPassword)
	if l := srv.Requests(); len(l) != 0 {
		t.Errorf("the refused request reached WS-Man handling: %v", srv.Operations())
	}
}

// Below 8192 bytes of envelope every server answers EncodingLimit: a
// session with max_envelope_size_kb under 8 is refused when it is made,
// naming the option, before it connects anywhere.
func TestEnvelopeBelowMinimumRefused(t *testing.T) {
	srv := basicServer(t, wsmantest.Windows, wsmantest.Options{})
	cfg := config(srv, cim.AuthBasic, cim.NewCredential(basicUser, basicPassword), cim.SessionOption{NoEncryption: true, MaxEnvelopeSizeKB: 4})
	_, err := cim.NewSession(cfg)
	if err == nil || !strings.Contains(err.Error(), "max_envelope_size_kb 4 is below 8") {
		t.Fatalf("NewSession with a 4 KB envelope: %v", err)
	}
	if c := srv.Counters(); c.Connections != 0 {
		t.Errorf("the refused session connected: %+v", c)
	}
}

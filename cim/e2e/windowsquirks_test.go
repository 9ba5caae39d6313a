package e2e

import (
	"testing"

	"github.com/cimsh/cimsh/cim"
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

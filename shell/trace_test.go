package shell

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/wsmantest"
)

// --trace shows every envelope on stderr, with status and timing; a
// hostile server's control characters arrive escaped and no password
// appears.
func TestTraceFlagHostile(t *testing.T) {
	env, _, errb := testEnv(t, "")
	hostileServer(t, env)
	env.Args = []string{"--trace", "-e", `local s = hostile(); local _, err = s:get_instance("Cimsh_Hostile"); print(err)`}
	if code := Main(env); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb)
	}
	got := errb.String()
	for _, want := range []string{"--> #", "POST http://127.0.0.1:", "(basic)", "Authorization: Basic <redacted>", "<-- #", "500 Internal Server Error after "} {
		if !strings.Contains(got, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	for _, bad := range []string{"\x1b", "\u009b", "\u202e", "\x07", "Hostile-Pa55", base64.StdEncoding.EncodeToString([]byte("admin:Hostile-Pa55"))} {
		if strings.Contains(got, bad) {
			t.Errorf("stderr holds %q", bad)
		}
	}
}

// CIMSH_TRACE=1 traces a command's whole WinRS conversation; the
// password of any credential made in the run is redacted, even where a
// script put it in a command line.
func TestTraceEnvRun(t *testing.T) {
	env, out, errb := testEnv(t, "")
	srv := wsmantest.NewServer(t, wsmantest.Options{BasicUsers: map[string]string{"admin": "Run-Pa55word"}, AllowUnencrypted: true})
	env.NewProvider = nil
	base := env.Getenv
	env.Getenv = func(k string) string {
		if k == "CIMSH_TRACE" {
			return "1"
		}
		return base(k)
	}
	env.Args = []string{"-e", fmt.Sprintf(`
		local other = cim.credential("svc", "Other-S3cret")
		local s = cim.new_session{computer_name = %q, port = %d, authentication = "basic",
			credential = cim.credential("admin", "Run-Pa55word"), session_option = cim.new_session_option{no_encryption = true}}
		local r = assert(s:run("echo", {arguments = {"Other-S3cret"}}))
		print(r.exit_code)`, srv.Host(), srv.Port())}
	if code := Main(env); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb)
	}
	got := errb.String()
	if out.String() != "0\n" {
		t.Fatalf("stdout %q", out)
	}
	for _, want := range []string{"transfer/Create</a:Action>", "windows/shell/Command</a:Action>", "<rsp:Arguments>",
		"windows/shell/Receive</a:Action>", "<rsp:ReceiveResponse>", "CommandState/Done", "transfer/Delete</a:Action>"} {
		if !strings.Contains(got, want) {
			t.Errorf("the trace lacks %q", want)
		}
	}
	for _, bad := range []string{"Run-Pa55word", "Other-S3cret"} {
		if strings.Contains(got, bad) {
			t.Errorf("the trace shows %q", bad)
		}
	}
	if n := strings.Count(got, "--> #"); n != len(srv.Requests()) {
		t.Errorf("%d traced requests, the server saw %d", n, len(srv.Requests()))
	}

	// Without the flag or the variable, nothing.
	env2, _, errb2 := testEnv(t, "")
	env2.NewProvider = nil
	env2.Args = []string{"-e", fmt.Sprintf(`local s = cim.new_session{computer_name = %q, port = %d, authentication = "basic",
		credential = cim.credential("admin", "Run-Pa55word"), session_option = cim.new_session_option{no_encryption = true}}
		assert(s:test())`, srv.Host(), srv.Port())}
	if code := Main(env2); code != ExitOK || errb2.Len() != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb2)
	}
}

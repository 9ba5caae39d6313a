//go:build unix

package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest"
)

// TestTerminalPasswordFromEnv runs cimsh on a pseudo-terminal with
// CIMSH_PASSWORD set: cim.credential(user) takes it without prompting
// (today's README quickstart), in the REPL and in a bundled script, and
// the server accepts it over real HTTP.
func TestTerminalPasswordFromEnv(t *testing.T) {
	srv := wsmantest.NewServer(t, wsmantest.Options{BasicUsers: map[string]string{"admin": "Env5Pass"}, AllowUnencrypted: true})
	env := []string{"CIMSH_PASSWORD=Env5Pass"}

	tm := spawnTerm(t, env, "cimsh")
	tm.waitFor("> ", 5*time.Second)
	m := tm.mark()
	tm.send(fmt.Sprintf(`s = cim.new_session{computer_name = %q, port = %d, authentication = "basic", `+
		`credential = cim.credential("admin"), session_option = cim.new_session_option{no_encryption = true}}; `+
		`print(assert(s:test()) and "auth" .. "-ok")`+"\r", srv.Host(), srv.Port()))
	tm.waitForAfter(m, "auth-ok", 10*time.Second)
	tm.send("\x04")
	tm.exit(5 * time.Second)
	if out := tm.since(0); strings.Contains(out, "Password for") || strings.Contains(out, "Env5Pass") {
		t.Errorf("prompted or showed the password:\n%q", out)
	}

	sc := spawnTerm(t, env, "cimsh", "-s", "os_summary", "--computer", srv.Host(), "--port", strconv.Itoa(srv.Port()),
		"--user", "admin", "--auth", "basic", "--no-encryption")
	sc.waitFor("Windows Server", 10*time.Second)
	if err := sc.exit(10 * time.Second); err != nil {
		t.Errorf("os_summary: %v\n%q", err, sc.since(0))
	}
	if out := sc.since(0); strings.Contains(out, "Password for") {
		t.Errorf("os_summary prompted:\n%q", out)
	}
}

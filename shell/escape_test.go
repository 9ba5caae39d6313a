package shell

import (
	"strings"
	"testing"

	"github.com/cimsh/cimsh/luabind/luatest"
)

// TestErrorLineEscapesServerText runs scripts that fail on a hostile
// server's fault (over real HTTP): the "cimsh: ..." line on stderr shows
// the fault's control characters escaped, whether the error is the
// error value (assert) or its raw message (error(err.message)), while
// the script's own print of the same text stays raw (print is the
// user's).
func TestErrorLineEscapesServerText(t *testing.T) {
	const escaped = `access failed\x1b[2J\x1b[H\x1b]0;pwned\x07\x9b31m\u202etxt.exe\u202c`
	for _, c := range []struct{ raise, want string }{
		{`assert(s:get_instance("Cimsh_Hostile"))`,
			`cimsh: (command line):5: s:get_instance: 127.0.0.1: ` + escaped + ` [HTTP 500, w:AccessDenied, CIM 2 CIM_ERR_ACCESS_DENIED]` + "\n"},
		{`error("failed: " .. err.message)`, `cimsh: (command line):5: failed: ` + escaped + "\n"},
	} {
		env, out, errb := testEnv(t, "")
		hostileServer(t, env)
		env.Args = []string{"-e", `
			local s = hostile()
			local _, err = s:get_instance("Cimsh_Hostile")
			print(err.message)
			` + c.raise}
		if code := Main(env); code != ExitError {
			t.Fatalf("exit %d, want %d; stderr: %q", code, ExitError, errb)
		}
		if got := errb.String(); got != c.want {
			t.Errorf("stderr:\n%q\nwant\n%q", got, c.want)
		}
		if !strings.Contains(out.String(), luatest.HostileFaultText) {
			t.Errorf("print(err.message) is not raw: %q", out)
		}
	}
}

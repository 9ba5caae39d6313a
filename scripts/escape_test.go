package scripts_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/luabind/luatest"
)

// rawControl returns the first character of s that a terminal would act
// on (newline allowed), or "".
func rawControl(s string) string {
	for _, r := range s {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r >= 0x7f && r <= 0x9f || unicode.Is(unicode.Bidi_Control, r) {
			return string(r)
		}
	}
	return ""
}

// TestScriptsEscapeServerText runs bundled scripts against a hostile
// server over real HTTP: what they print of its values and faults, on
// stdout and stderr, shows control characters escaped.
func TestScriptsEscapeServerText(t *testing.T) {
	_, args, env := remote(t, wsmantest.Options{Dialect: wsmantest.OMI, Provider: luatest.Hostile("EVIL" + luatest.SetTitle)})
	for _, c := range []struct {
		name string
		args []string
		code int
		want string // on stdout or stderr
	}{
		{"os_summary", nil, 0, `Windows\x1b[2J\x1b[H`},
		{"os_summary", nil, 0, `64-bit\rOK          \x1b[2K`},
		{"stopped_services", nil, 0, `evil\x1b[2J\x1b[H`},
		{"disk_space", nil, 1, `C:\x1b]0;pwned\x07 99% used`},
		{"disk_space", nil, 1, `vol\u202etxt.exe\u202c`},
		{"fleet_inventory", nil, 0, `Windows\x1b[2J\x1b[H`},
		{"installed_software", nil, 2, `access failed\x1b[2J`},
	} {
		code, stdout, stderr := run(t, env, script(c.name, append(args, c.args...)...)...)
		if code != c.code {
			t.Errorf("%s: exit %d, want %d; stderr: %s", c.name, code, c.code, stderr)
		}
		for _, s := range []string{stdout, stderr} {
			if bad := rawControl(s); bad != "" {
				t.Errorf("%s prints %q raw:\n%q", c.name, bad, s)
			}
		}
		if !strings.Contains(stdout+stderr, c.want) {
			t.Errorf("%s: no %s in\n%s%s", c.name, c.want, stdout, stderr)
		}
	}
}

package cim

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoLuaBelowCim holds the layering line: nothing under cim/ may
// depend on the Lua interpreter, the line editor or the color package.
func TestNoLuaBelowCim(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/yuin/gopher-lua", "github.com/chzyer/readline", "github.com/fatih/color", "github.com/cimsh/cimsh/luabind", "github.com/cimsh/cimsh/shell"} {
			if strings.HasPrefix(pkg, banned) {
				t.Errorf("a cim package depends on %s", pkg)
			}
		}
	}
}

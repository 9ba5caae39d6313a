package luabind

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/internal/testenv"
)

func TestHelp(t *testing.T) {
	e := newEnv(t)
	e.ok(`help()`)
	out := e.out.String()
	for _, want := range []string{"cim.get_instance", "cim.new_session_option", "s:each_instance", "inst:invoke", "nil, err"} {
		if !strings.Contains(out, want) {
			t.Errorf("help() lacks %q", want)
		}
	}
	e.out.Reset()
	e.ok(`help(cim.get_instance)`)
	out = e.out.String()
	for _, want := range []string{"(Get-CimInstance)", "class_name", "filter", "cim_session", "[module function only]", "also a session method"} {
		if !strings.Contains(out, want) {
			t.Errorf("help(cim.get_instance) lacks %q:\n%s", want, out)
		}
	}
	e.out.Reset()
	e.ok(`help("get_clas")`)
	if !strings.Contains(e.out.String(), `did you mean "get_class"`) {
		t.Error(e.out.String())
	}
}

// TestNoTerminalDependencies holds the layering: luabind never imports
// readline or color.
func TestNoTerminalDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		testenv.Skip(t, "go list failed", err)
	}
	for _, bad := range []string{"github.com/chzyer/readline", "github.com/fatih/color"} {
		if strings.Contains(string(out), bad) {
			t.Errorf("luabind depends on %s", bad)
		}
	}
}

package main

import (
	"os"
	"testing"

	dcomserve "github.com/cimsh/cimsh/cim/dcomtest/serve"
	"github.com/cimsh/cimsh/cim/wsmantest/serve"
	"github.com/cimsh/cimsh/internal/testenv"
	"github.com/cimsh/cimsh/luabind/luatest"
	"github.com/cimsh/cimsh/shell"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as the cimsh command (the real
// main) and as cimsh-fixture: cimsh whose sessions are served by the
// in-memory luatest world, for scripts that need instances.
func TestMain(m *testing.M) {
	testscript.Main(withSummary{m}, commands)
}

// withSummary runs the tests through testenv, which prints what was
// skipped (testscript.Main runs them when the binary is not a command).
type withSummary struct{ m *testing.M }

func (w withSummary) Run() int { return testenv.Run(w.m.Run) }

// commands are the programs testscript scripts run.
var commands = map[string]func(){
	"cimsh": main,
	"cimsh-fixture": func() {
		env := processEnv()
		env.NewProvider = luatest.Factory()
		os.Exit(shell.Main(env))
	},
	"wsmanserve": func() { os.Exit(serve.Main(os.Args[1:], os.Stdout, os.Stderr)) },
	"dcomserve":  func() { os.Exit(dcomserve.Main(os.Args[1:], os.Stdout, os.Stderr)) },
}

// TestCommandLine runs testdata/script/*.txtar against the binary:
// flags, arguments, exit codes, stdin scripts and messages.
func TestCommandLine(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			e.Setenv("XDG_CONFIG_HOME", e.WorkDir+"/.config")
			e.Setenv("XDG_STATE_HOME", e.WorkDir+"/.state")
			e.Setenv("NO_COLOR", "")
			return nil
		},
	})
}

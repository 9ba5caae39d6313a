package shell

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/luabind/luatest"
)

// countingProvider counts the enumerations its provider has open.
type countingProvider struct {
	model.Provider
	open *atomic.Int64
}

func (p countingProvider) Enumerate(ctx context.Context, req *model.EnumerateRequest) (model.Enumerator, error) {
	e, err := p.Provider.Enumerate(ctx, req)
	if err != nil {
		return nil, err
	}
	p.open.Add(1)
	return &countingEnum{Enumerator: e, open: p.open}, nil
}

type countingEnum struct {
	model.Enumerator
	open   *atomic.Int64
	closed atomic.Bool
}

func (e *countingEnum) Close() error {
	if e.closed.CompareAndSwap(false, true) {
		e.open.Add(-1)
	}
	return e.Enumerator.Close()
}

// countingEnv is testEnv whose providers count open enumerations.
func countingEnv(t *testing.T, stdin string) (*Env, *atomic.Int64) {
	env, _, _ := testEnv(t, stdin)
	open := &atomic.Int64{}
	base := luatest.Factory()
	env.NewProvider = func(cfg cim.Config) (model.Provider, error) {
		p, err := base(cfg)
		if err != nil {
			return nil, err
		}
		return countingProvider{Provider: p, open: open}, nil
	}
	return env, open
}

// TestOSExitUnwinds checks that os.exit in a script or a REPL line ends
// Main with its code in-process: the chunk stops even inside pcall, the
// code after it never runs, Env.Exit is not called, and the open
// enumerations are released before Main returns.
func TestOSExitUnwinds(t *testing.T) {
	script := `
		local s = cim.new_session()
		local it = s:instances("Cimsh_Item")
		it()
		io.write("before\n")
		pcall(os.exit, 3)
		io.write("after pcall\n")
		os.exit(4)`
	cases := []struct {
		name string
		args []string
		repl string
		want int
	}{
		{"script", []string{"-e", script}, "", 3},
		{"false", []string{"-e", `os.exit(false)`}, "", ExitError},
		{"true", []string{"-e", `os.exit(true)`}, "", ExitOK},
		{"init then more", []string{"-e", `os.exit(7)`, "-e", `io.write("after\n")`}, "", 7},
		{"repl", nil, "x = 1\n" + strings.ReplaceAll(strings.TrimSpace(script), "\n", " ") + "\nio.write('after\\n')\n", 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, open := countingEnv(t, "")
			env.Args = c.args
			if c.repl != "" {
				env.LineReader = NewPlainReader(strings.NewReader(c.repl))
			}
			out := env.Stdout.(interface{ String() string })
			if code := Main(env); code != c.want {
				t.Fatalf("exit code %d, want %d; output %q", code, c.want, out.String())
			}
			if strings.Contains(out.String(), "after") {
				t.Errorf("code after os.exit ran: %q", out.String())
			}
			errb := env.Stderr.(interface{ String() string })
			if strings.Contains(out.String()+errb.String(), "os.exit(") {
				t.Errorf("os.exit reported as an error: %q %q", out.String(), errb.String())
			}
			if n := open.Load(); n != 0 {
				t.Errorf("%d enumerations open after os.exit", n)
			}
		})
	}
}

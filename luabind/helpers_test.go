package luabind

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/luabind/luatest"
	lua "github.com/yuin/gopher-lua"
)

// env is one Lua state with the module over the luatest world.
type env struct {
	t   testing.TB
	L   *lua.LState
	m   *Module
	out *bytes.Buffer
}

func newEnv(t testing.TB) *env {
	t.Helper()
	L := lua.NewState()
	out := &bytes.Buffer{}
	m := New(L, Options{NewProvider: luatest.Factory(), Stdout: out, Getenv: func(string) string { return "" }})
	L.SetGlobal("print", L.NewFunction(func(L *lua.LState) int {
		var parts []string
		for i := 1; i <= L.GetTop(); i++ {
			parts = append(parts, L.ToStringMeta(L.Get(i)).String())
		}
		out.WriteString(strings.Join(parts, "\t") + "\n")
		return 0
	}))
	t.Cleanup(func() { m.CloseAll(); L.Close() })
	return &env{t: t, L: L, m: m, out: out}
}

// do runs code as one chunk and returns its error.
func (e *env) do(code string) error {
	cancel := e.m.BeginChunk(context.Background())
	defer cancel()
	defer e.m.EndChunk()
	return e.L.DoString(code)
}

// ok runs code and fails the test on an error.
func (e *env) ok(code string) {
	e.t.Helper()
	if err := e.do(code); err != nil {
		e.t.Fatalf("lua error: %v\ncode:\n%s", err, code)
	}
}

// fails runs code and returns its error message, failing when it runs.
func (e *env) fails(code string) string {
	e.t.Helper()
	err := e.do(code)
	if err == nil {
		e.t.Fatalf("expected an error from:\n%s", code)
	}
	if ae, ok := err.(*lua.ApiError); ok {
		return ae.Object.String()
	}
	return err.Error()
}

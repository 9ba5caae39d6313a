package luabind

import (
	"testing"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// FuzzComplete feeds arbitrary text to completion: it must not panic,
// must leave the Lua stack as it was, and the partial word must be a
// suffix of the text.
func FuzzComplete(f *testing.F) {
	for _, s := range []string{`s:get_instance{cla`, `cim.`, `x = "abc`, `-- c`, `[[`, `{{{(`, "a.b.c:d", `s:get_instance("Win`, `f({x=1,`, "\xff"} {
		f.Add(s)
	}
	e := newEnv(f)
	e.ok(`s = cim.new_session(); t = {a = {b = 1}}`)
	f.Fuzz(func(t *testing.T, text string) {
		cands, n := e.m.Complete(text)
		if n < 0 || n > len(text) {
			t.Fatalf("partial %d out of range for %q", n, text)
		}
		if e.L.GetTop() != 0 {
			t.Fatal("stack not clean")
		}
		for _, c := range cands {
			if !utf8.ValidString(c) && utf8.ValidString(text) {
				t.Fatalf("invalid candidate %q", c)
			}
		}
	})
}

// FuzzFromLuaText checks that datetime and integer constructors never
// panic on arbitrary text.
func FuzzConstructors(f *testing.F) {
	for _, s := range []string{"18446744073709551615", "-1", "0x10", "P1D", "20240101000000.000000+000", "", "**"} {
		f.Add(s)
	}
	e := newEnv(f)
	f.Fuzz(func(t *testing.T, s string) {
		e.L.SetGlobal("input", lStr(s))
		e.do(`pcall(cim.uint64, input); pcall(cim.int64, input); pcall(cim.datetime, input); pcall(cim.tonumber, input)`)
	})
}

func lStr(s string) lua.LString { return lua.LString(s) }

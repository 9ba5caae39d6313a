package shell

import (
	"io"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// maxRepBytes bounds string.rep: gopher-lua would try to allocate any
// size, and string.rep("x", 1e10) would hang the shell beyond Ctrl-C.
const maxRepBytes = 1 << 30

// replaceStdlib puts the shell's print, io.write (to Env.Stdout),
// os.exit (unwinds, see luaExit) and a bounded string.rep in place.
func (in *interp) replaceStdlib() {
	L := in.L
	L.SetGlobal("print", L.NewFunction(in.luaPrint))
	if t, ok := L.GetGlobal("io").(*lua.LTable); ok {
		t.RawSetString("write", L.NewFunction(in.luaWrite))
	}
	if t, ok := L.GetGlobal("os").(*lua.LTable); ok {
		t.RawSetString("exit", L.NewFunction(in.luaExit))
	}
	if t, ok := L.GetGlobal("string").(*lua.LTable); ok {
		if rep, ok := t.RawGetString("rep").(*lua.LFunction); ok {
			t.RawSetString("rep", L.NewFunction(func(L *lua.LState) int {
				s, n := L.CheckString(1), L.CheckNumber(2)
				if float64(n)*float64(len(s)) > maxRepBytes {
					L.RaiseError("string.rep: the result would be %.0f bytes (the limit is %d)", float64(n)*float64(len(s)), maxRepBytes)
				}
				L.Push(rep)
				L.Push(lua.LString(s))
				L.Push(n)
				L.Call(2, 1)
				return 1
			}))
		}
	}
}

func (in *interp) luaPrint(L *lua.LState) int {
	var b strings.Builder
	for i := 1; i <= L.GetTop(); i++ {
		if i > 1 {
			b.WriteByte('\t')
		}
		b.WriteString(L.ToStringMeta(L.Get(i)).String())
	}
	b.WriteByte('\n')
	io.WriteString(in.env.Stdout, b.String())
	return 0
}

func (in *interp) luaWrite(L *lua.LState) int {
	for i := 1; i <= L.GetTop(); i++ {
		switch v := L.Get(i).(type) {
		case lua.LString, lua.LNumber:
			io.WriteString(in.env.Stdout, v.String())
		default:
			L.ArgError(i, "string expected, got "+v.Type().String())
		}
	}
	return 0
}

// luaExit is os.exit([code]). It does not end the process here: it
// records the code, cancels the running chunk so that it unwinds through
// any pcall, and raises; the runner (script or REPL) then releases open
// enumerations, closes the sessions and returns the code to Main.
func (in *interp) luaExit(L *lua.LState) int {
	code := ExitOK
	switch v := L.Get(1).(type) {
	case lua.LBool:
		if !v {
			code = ExitError
		}
	case lua.LNumber:
		code = int(v)
	}
	in.exit.requested, in.exit.code = true, code
	if in.cancelChunk != nil {
		in.cancelChunk()
	}
	L.RaiseError("os.exit(%d)", code)
	return 0
}

// exiting reports whether os.exit ran, releasing every session first so
// that the caller can return the code.
func (in *interp) exiting() (int, bool) {
	if !in.exit.requested {
		return 0, false
	}
	in.mod.CloseAll()
	return in.exit.code, true
}

package shell

import (
	"fmt"
	"io"
	"strings"

	"github.com/cimsh/cimsh/luabind"
	lua "github.com/yuin/gopher-lua"
)

// style fits tables to the terminal and colors headers when color is on.
func (in *interp) style() luabind.Style {
	st := luabind.Style{Width: in.width()}
	if in.color {
		st.Header = func(s string) string { return in.bold.Sprint(s) }
	}
	return st
}

// isInstanceList reports whether v is a non-empty list of instances (or
// classes or sessions, which print as a table too).
func isInstanceList(v lua.LValue) bool {
	t, ok := v.(*lua.LTable)
	if !ok || t.Len() == 0 {
		return false
	}
	n := 0
	all := true
	t.ForEach(func(_, e lua.LValue) {
		n++
		if !luabind.IsRow(e) {
			all = false
		}
	})
	return all && n == t.Len()
}

// isErrorList reports whether v is a non-empty list of errors (the
// per-host errors of a fan-out).
func isErrorList(v lua.LValue) bool {
	t, ok := v.(*lua.LTable)
	if !ok || t.Len() == 0 {
		return false
	}
	for i := 1; i <= t.Len(); i++ {
		if luabind.TypeName(t.RawGetInt(i)) != "error" {
			return false
		}
	}
	return true
}

// render turns one result into text and reports whether it is an error.
// Text that may come from a server is shown with its control characters
// escaped (luabind.EscapeControls): tables and lists escape their cells
// (their headers may carry color), everything else is escaped whole.
func (in *interp) render(v lua.LValue) (string, bool) {
	switch {
	case luabind.TypeName(v) == "instance", isInstanceList(v):
		return in.renderValue(v)
	}
	text, isErr := in.renderValue(v)
	return luabind.EscapeControls(text, false), isErr
}

func (in *interp) renderValue(v lua.LValue) (string, bool) {
	switch {
	case isErrorList(v):
		t := v.(*lua.LTable)
		lines := make([]string, t.Len())
		for i := range lines {
			lines[i] = in.L.ToStringMeta(t.RawGetInt(i + 1)).String()
		}
		return strings.Join(lines, "\n"), true
	case v == lua.LNil:
		return "nil", false
	case luabind.TypeName(v) == "error":
		return in.L.ToStringMeta(v).String(), true
	case luabind.TypeName(v) == "instance":
		return strings.TrimRight(luabind.FormatList(in.L, v, in.style()), "\n"), false
	case isInstanceList(v):
		return strings.TrimRight(luabind.FormatTable(in.L, v, in.style()), "\n"), false
	}
	if t, ok := v.(*lua.LTable); ok {
		if s := luabind.LuaText(in.L, t); s != "" {
			return s, false
		}
	}
	if b, ok := v.(lua.LBool); ok {
		if b {
			return "true", false
		}
		return "false", false
	}
	return luabind.LuaText(in.L, v), false
}

// printResults prints an expression's values: on one line separated by
// tabs when they are short, else one after the other; errors in red.
func (in *interp) printResults(vals []lua.LValue) {
	if len(vals) == 0 {
		return
	}
	// A __tostring of the user's may raise: report it, keep the REPL.
	defer func() {
		if r := recover(); r != nil {
			if in.mod.Interrupted() || in.exit.requested {
				return // evalLine says so
			}
			if ae, ok := r.(*lua.ApiError); ok {
				in.printError(in.errorMessage(ae))
			} else {
				in.printError(fmt.Sprint(r))
			}
		}
	}()
	texts := make([]string, len(vals))
	errs := make([]bool, len(vals))
	multi := false
	for i, v := range vals {
		texts[i], errs[i] = in.render(v)
		if strings.Contains(texts[i], "\n") || errs[i] {
			multi = true
		}
	}
	w := in.env.Stdout
	if !multi {
		io.WriteString(w, strings.Join(texts, "\t")+"\n")
		return
	}
	for i, t := range texts {
		if errs[i] {
			io.WriteString(w, in.red.Sprint(t)+"\n")
		} else {
			io.WriteString(w, t+"\n")
		}
	}
}

// printError prints a failed line in red, its control characters
// escaped (an error's text may be a server's).
func (in *interp) printError(msg string) {
	io.WriteString(in.env.Stdout, in.red.Sprint(luabind.EscapeControls(msg, false))+"\n")
}

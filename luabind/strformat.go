package luabind

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// gopher-lua's string.format hands Lua values straight to fmt.Sprintf,
// so a boxed integer prints as "&{...}" under %d and a datetime as
// "userdata: 0x..." under %s. cimsh's string.format reads each
// directive itself: boxed integers format exactly under the integer
// conversions (%d %i %u %x %X %o, with flags, width and precision) and
// %s takes any value through tostring (__tostring), as Lua 5.2 does.
// Plain strings and numbers go to the same fmt call as before, so
// scripts see no other change. A deliberate extension over Lua 5.1.

// installStringFormat replaces string.format; the string metatable's
// __index is the same table, so ("%d"):format(x) uses it too.
func (m *Module) installStringFormat() {
	t, ok := m.L.GetGlobal("string").(*lua.LTable)
	if !ok {
		return
	}
	t.RawSetString("format", m.L.NewFunction(luaStringFormat))
}

// fmtDirective is one conversion of a format string: the text from % to
// the conversion character, split into its flags, width, precision
// (the part between % and the verb) and verb.
type fmtDirective struct {
	spec string // "%-08.3", without the verb
	verb byte
}

// parseDirective reads the directive at format[i] == '%' and returns it
// and the index after it; ok is false when the format ends before the
// conversion character. Width and precision take any number of digits,
// as gopher-lua's fmt-based format did (Lua 5.1 allows two).
func parseDirective(format string, i int) (d fmtDirective, next int, ok bool) {
	j := i + 1
	for j < len(format) && strings.IndexByte("-+ #0", format[j]) >= 0 {
		j++
	}
	digits := func() {
		for j < len(format) && format[j] >= '0' && format[j] <= '9' {
			j++
		}
	}
	digits()
	if j < len(format) && format[j] == '.' {
		j++
		digits()
	}
	if j >= len(format) {
		return d, j, false
	}
	return fmtDirective{spec: format[i:j], verb: format[j]}, j + 1, true
}

func luaStringFormat(L *lua.LState) int {
	format := L.CheckString(1)
	var b strings.Builder
	arg := 1
	for i := 0; i < len(format); {
		c := format[i]
		if c != '%' {
			k := strings.IndexByte(format[i:], '%')
			if k < 0 {
				k = len(format) - i
			}
			b.WriteString(format[i : i+k])
			i += k
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			b.WriteByte('%')
			i += 2
			continue
		}
		d, next, ok := parseDirective(format, i)
		if !ok {
			L.RaiseError("string.format: invalid conversion %s", model.Quote(format[i:next]))
		}
		i = next
		arg++
		if arg > L.GetTop() {
			L.RaiseError("string.format: bad argument #%d (no value)", arg)
		}
		b.WriteString(formatOne(L, d, arg, L.Get(arg)))
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// formatOne formats one argument under one directive.
func formatOne(L *lua.LState, d fmtDirective, n int, v lua.LValue) string {
	verb := d.verb
	if verb == 'u' {
		verb = 'd' // Lua 5.1's %u; fmt has no u
	}
	switch v.(type) {
	case lua.LString, lua.LNumber:
		// What gopher-lua's own string.format did for these.
		return fmt.Sprintf(d.spec+string(verb), v)
	}
	if b, ok := v.(*lua.LUserData); ok {
		if bi, ok := b.Value.(*boxedInt); ok {
			return formatBig(L, d, verb, n, bi.v)
		}
	}
	switch verb {
	case 's':
		return fmt.Sprintf(d.spec+"s", L.ToStringMeta(v).String())
	case 'q':
		return fmt.Sprintf(d.spec+"q", L.ToStringMeta(v).String())
	}
	L.RaiseError("string.format: bad argument #%d (number expected, got %s)", n, luaTypeName(v))
	return ""
}

// formatBig formats a boxed integer: exactly for the integer verbs (big.Int
// takes fmt's flags, width and precision), as text for %s and %q, and
// as the nearest float for the floating-point verbs.
func formatBig(L *lua.LState, d fmtDirective, verb byte, n int, v *big.Int) string {
	switch verb {
	case 'd', 'i':
		return fmt.Sprintf(d.spec+"d", v)
	case 'x', 'X', 'o':
		return fmt.Sprintf(d.spec+string(verb), v)
	case 's', 'q':
		return fmt.Sprintf(d.spec+string(verb), v.String())
	case 'e', 'E', 'f', 'g', 'G':
		f, _ := new(big.Float).SetInt(v).Float64()
		return fmt.Sprintf(d.spec+string(verb), f)
	}
	L.RaiseError("string.format: bad argument #%d (%%%c cannot format an integer)", n, verb)
	return ""
}

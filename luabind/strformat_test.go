package luabind

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestStringFormatBoxed checks that string.format (and the method form)
// formats boxed integers exactly and userdata through __tostring.
func TestStringFormatBoxed(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		u = cim.uint64("18446744073709551615")
		n = cim.int64("-9223372036854775808")
		dt = cim.datetime("2024-01-02T03:04:05Z")
		iv = cim.datetime("P1DT2H")
	`)
	for _, c := range []struct{ code, want string }{
		{`string.format("%d", u)`, "18446744073709551615"},
		{`("%d"):format(u)`, "18446744073709551615"},
		{`("%s and %s"):format(u, n)`, "18446744073709551615 and -9223372036854775808"},
		{`string.format("%i|%u", u, u)`, "18446744073709551615|18446744073709551615"},
		{`string.format("%x|%X|%o", u, u, u)`, "ffffffffffffffff|FFFFFFFFFFFFFFFF|1777777777777777777777"},
		{`string.format("%#x", u)`, "0xffffffffffffffff"},
		{`string.format("[%25d]", u)`, "[     18446744073709551615]"},
		{`string.format("[%-25d]", u)`, "[18446744073709551615     ]"},
		{`string.format("[%025d]", u)`, "[0000018446744073709551615]"},
		{`string.format("%+d", u)`, "+18446744073709551615"},
		{`string.format("%.22d", u)`, "0018446744073709551615"},
		{`string.format("%d", n)`, "-9223372036854775808"},
		{`string.format("%.3s|%22s", u, u)`, "184|  18446744073709551615"},
		{`string.format("%s", dt)`, "2024-01-02T03:04:05Z"},
		{`string.format("%s", iv)`, iv(t, e)},
		{`string.format("[%-22s]", dt)`, "[2024-01-02T03:04:05Z  ]"},
		{`string.format("%s", cim.credential("admin", "pw"))`, "Credential(admin)"},
		{`string.format("%g", u)`, "1.8446744073709552e+19"},
		{`string.format("%d%%, %5.1f %s", 42, 3.14159, "x")`, "42%,   3.1 x"},
		{`string.format("%u", 7)`, "7"},
	} {
		e.ok("r = " + c.code)
		got := e.L.GetGlobal("r").String()
		if got != c.want {
			t.Errorf("%s = %q, want %q", c.code, got, c.want)
		}
	}
	for _, c := range []struct{ code, want string }{
		{`string.format("%d", dt)`, "string.format: bad argument #2 (number expected, got datetime)"},
		{`string.format("%d %d", 1)`, "string.format: bad argument #3 (no value)"},
		{`string.format("%c", u)`, "string.format: bad argument #2 (%c cannot format an integer)"},
		{`string.format("abc %5", 1)`, `string.format: invalid conversion "%5"`},
	} {
		if msg := e.fails("return " + c.code); !strings.Contains(msg, c.want) {
			t.Errorf("%s raised %q, want %q", c.code, msg, c.want)
		}
	}
}

func iv(t *testing.T, e *env) string {
	t.Helper()
	e.ok(`r = tostring(iv)`)
	return e.L.GetGlobal("r").String()
}

// TestStringFormatPlainUnchanged checks that plain strings and numbers
// format exactly as gopher-lua's own string.format formats them.
func TestStringFormatPlainUnchanged(t *testing.T) {
	orig := lua.NewState()
	defer orig.Close()
	e := newEnv(t)
	formats := []string{"%d", "%5d", "%-5d|", "%05.1f", "%g", "%e", "%x", "%X", "%o", "%s", "%10s|", "%-10s|",
		"%.2s", "%q", "%c", "%i", "a%%b %d", "%+d", "% d", "%#o", "%E", "%G", "%.0f", "%100d"}
	values := []string{"0", "42", "-7", "3.75", "1e300", "255", `"hello"`, `"12"`, `""`, "65", "2^53", "-2^63"}
	for _, f := range formats {
		for _, v := range values {
			code := `return string.format("` + strings.ReplaceAll(f, `"`, `\"`) + `", ` + v + `)`
			want, wantErr := run1(orig, code)
			got, gotErr := run1(e.L, code)
			if (wantErr != nil) != (gotErr != nil) || got != want {
				t.Errorf("%s: got %q (%v), gopher-lua gives %q (%v)", code, got, gotErr, want, wantErr)
			}
		}
	}
}

func run1(L *lua.LState, code string) (string, error) {
	if err := L.DoString(code); err != nil {
		return "", err
	}
	v := L.Get(-1)
	L.Pop(1)
	return v.String(), nil
}

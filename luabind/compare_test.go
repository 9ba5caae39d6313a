package luabind

import (
	"strings"
	"testing"
)

// TestCompare checks cim.compare across boxed integers and numbers,
// including pairs that differ only beyond 2^53.
func TestCompare(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		big1 = cim.uint64("9007199254740993")  -- 2^53 + 1: no double holds it
		max = cim.uint64("18446744073709551615")
		min = cim.int64("-9223372036854775808")
	`)
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"big1", "big1", 0},
		{"big1", "2^53", 1},  // the double nearest to big1 is 2^53
		{"2^53", "big1", -1}, // and the other way round
		{"big1", "2^53 + 2", -1},
		{"max", "2^64", -1},     // 2^64 is a double; max is 2^64 - 1
		{"max", "2^64 - 1", -1}, // 2^64 - 1 rounds to 2^64 as a double
		{"max", "1.5", 1},
		{"min", "-2^63", 0},
		{"min", "-2^63 - 4096", 1},
		{"min", "max", -1},
		{"max", "1/0", -1},
		{"min", "-1/0", 1},
		{"1/0", "1/0", 0},
		{"1", "2", -1},
		{"2.5", "2.25", 1},
		{"cim.uint64(5)", "5", 0}, // within 2^53 it is a plain number
	} {
		e.ok("r = cim.compare(" + c.a + ", " + c.b + ")")
		got := e.L.GetGlobal("r").String()
		want := map[int]string{-1: "-1", 0: "0", 1: "1"}[c.want]
		if got != want {
			t.Errorf("cim.compare(%s, %s) = %s, want %s", c.a, c.b, got, want)
		}
	}
	for _, c := range []struct{ code, want string }{
		{`cim.compare(0/0, 1)`, "cim.compare: argument #1 is NaN, which has no order"},
		{`cim.compare(max, "5")`, "cim.compare: argument #2 must be a number or a boxed integer, got string"},
		{`cim.compare(max)`, "cim.compare: argument #2 must be a number or a boxed integer, got nil"},
		{`cim.compare(cim.datetime("P1D"), 1)`, "argument #1 must be a number or a boxed integer, got datetime"},
	} {
		if msg := e.fails(c.code); !strings.Contains(msg, c.want) {
			t.Errorf("%s raised %q, want %q", c.code, msg, c.want)
		}
	}
}

// TestBoxedOperatorsAsTheReadmeSays checks each line of the README's
// "What works, exactly" list for boxed integers, both what works and
// what raises, so that the list cannot drift from behaviour.
func TestBoxedOperatorsAsTheReadmeSays(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		a = cim.uint64("9007199254740993")   -- 2^53 + 1
		b = cim.uint64("18446744073709551615")
		-- boxed with boxed: == ~= < <= > >= and + - * / % (/ truncates)
		assert(a == cim.uint64("9007199254740993") and a ~= b)
		assert(a < b and a <= b and b > a and b >= a and a <= a and a >= a)
		assert(not (b < a) and not (a > b))
		assert(tostring(b - a) == "18437736874454810622")
		assert(tostring(a + a) == "18014398509481986")
		assert(tostring(a * cim.uint64("2")) == "18014398509481986")
		assert(b / a == 2047 and tostring(b % a) == "9007199254738944")
		-- boxed with a plain integral number: + - * / %
		assert(tostring(a + 2) == "9007199254740995" and tostring(2 + a) == "9007199254740995")
		assert(tostring(a * 3) == "27021597764222979" and tostring(b / 5) == "3689348814741910323")
		assert(b % 10 == 5 and a - 1 == 2^53)
		-- == with a plain number is always false (no metamethod runs)
		assert((b == 18446744073709551615) == false and (a == 9007199254740993) == false)
		assert((a == 2^53) == false)
		-- -x works; a result within 2^53 is a plain number
		assert(tostring(-a) == "-9007199254740993")
		assert(type(a - a) == "number" and type(b / a) == "number")
		-- tonumber(x) is nil; cim.tonumber is the nearest double
		assert(tonumber(a) == nil and cim.tonumber(a) == 2^53)
	`)
	for _, c := range []struct{ code, want string }{
		{`return a + 0.5`, "combine only with integers"},
		{`return a < 2^53`, "attempt to compare userdata with number"},
		{`return a <= 1`, "attempt to compare userdata with number"},
		{`return 1 > a`, "attempt to compare userdata with number"},
		{`return a >= 1`, "attempt to compare number with userdata"},
		{`return a ^ 2`, "cannot perform pow operation"},
		{`return #a`, "__len undefined"},
	} {
		if msg := e.fails(c.code); !strings.Contains(msg, c.want) {
			t.Errorf("%s raised %q, want %q", c.code, msg, c.want)
		}
	}
}

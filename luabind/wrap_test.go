package luabind

import (
	"strings"
	"testing"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

func TestWrapText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"short\n", "short\n"},
		{"  ab  one two three four five\n", "  ab  one two three\n      four five\n"},
		{"  cim.name  one two three four\n", "  cim.name  one two\n    three four\n"}, // too deep: a shallow hang
		{"    opt  a string: alpha beta gamma", "    opt  a string:\n         alpha beta\n         gamma"},
		{"nogap words that go on and on", "nogap words that go\n  on and on"},
		{"  x  averyveryverylongwordthatcannotbreak", "  x\n     averyveryverylongwordthatcannotbreak"},
	}
	for _, c := range cases {
		if got := wrapText(c.in, 20); got != c.want {
			t.Errorf("wrapText(%q):\n%q\nwant\n%q", c.in, got, c.want)
		}
	}
	if got := wrapText("  a  b c d e f g h i j k l m n o p", 0); got != "  a  b c d e f g h i j k l m n o p" {
		t.Errorf("no width: %q", got)
	}
}

// TestHelpFitsWidth checks help() and help(cim.get_instance) on an
// 80-column terminal: no line wider, nothing lost.
func TestHelpFitsWidth(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	var out strings.Builder
	m := New(L, Options{Getenv: func(string) string { return "" }, Stdout: &out, Width: func() int { return 79 }})
	defer m.CloseAll()
	for _, code := range []string{`help()`, `help(cim.get_instance)`, `help(cim.new_session())`} {
		out.Reset()
		if err := L.DoString(code); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(out.String(), "\n") {
			if utf8.RuneCountInString(l) > 79 {
				t.Errorf("%s: line of %d: %q", code, utf8.RuneCountInString(l), l)
			}
		}
		var plain string
		switch code {
		case `help()`:
			plain = m.HelpText(lua.LNil)
		case `help(cim.get_instance)`:
			plain = m.HelpText(L.GetField(L.GetGlobal("cim"), "get_instance"))
		default:
			continue
		}
		if strings.Join(strings.Fields(out.String()), " ") != strings.Join(strings.Fields(plain), " ") {
			t.Errorf("%s: wrapping changed the words", code)
		}
	}
}

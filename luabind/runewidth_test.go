package luabind

import "testing"

func TestWidthAndTruncate(t *testing.T) {
	for s, want := range map[string]int{"abc": 3, "日本語": 6, "ünïcödé": 7, "e\u0301": 1, "한국어": 6, "ＡＢ": 4, "": 0} {
		if got := width(s); got != want {
			t.Errorf("width(%q) = %d, want %d", s, got, want)
		}
	}
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"abcdefgh", 8, "abcdefgh"},
		{"abcdefgh", 7, "abcd..."},
		{"日本語テキスト", 9, "日本語..."},
		{"日本語テキスト", 8, "日本..."},
		{"line\nbreak", 20, "line break"},
		{"abcdef", 2, "ab"},
	} {
		if got := truncate(c.s, c.n); got != c.want || width(got) > c.n {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}

// TestTableAlignsWideText checks that a column with CJK text lines up.
func TestTableAlignsWideText(t *testing.T) {
	e := newEnv(t)
	e.ok(`result = cim.format_table({{name = "日本語", v = 1}, {name = "abc", v = 22}})`)
	got := e.L.GetGlobal("result").String()
	if want := "name    v\n----    -\n日本語  1\nabc    22\n"; got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}

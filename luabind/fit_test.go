package luabind

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

func TestFitColumns(t *testing.T) {
	text := func(w, h int) column { return column{width: w, header: h} }
	num := func(w, h int) column { return column{width: w, header: h, numeric: true} }
	empty := func(h int) column { return column{width: h, header: h, empty: true} }
	cases := []struct {
		name   string
		cols   []column
		limit  int
		keep   []int
		widths []int
	}{
		{"no limit", []column{text(10, 4), text(40, 4)}, 0, []int{0, 1}, []int{10, 40}},
		{"fits", []column{text(10, 4), text(40, 4)}, 51, []int{0, 1}, []int{10, 40}},
		{"widest narrows first", []column{text(10, 4), text(40, 4)}, 40, []int{0, 1}, []int{10, 29}},
		{"both narrow", []column{text(30, 4), text(30, 4)}, 41, []int{0, 1}, []int{20, 20}},
		{"numbers stay whole", []column{num(20, 4), text(30, 4)}, 40, []int{0, 1}, []int{20, 19}},
		{"headers stay whole", []column{text(14, 14), text(30, 4)}, 28, []int{0, 1}, []int{14, 13}},
		{"short words stay whole", []column{text(7, 4), text(9, 4), text(30, 4)}, 30, []int{0, 1, 2}, []int{7, 9, 12}},
		{"empty columns go first", []column{empty(15), text(20, 7), empty(12), text(10, 7)}, 31, []int{1, 3}, []int{20, 10}},
		{"empty columns stay when it fits", []column{empty(15), text(10, 7)}, 40, []int{0, 1}, []int{15, 10}},
		{"columns left out on the right", []column{text(9, 9), num(9, 9), num(9, 9)}, 20, []int{0, 1}, []int{9, 9}},
		{"one column never goes", []column{text(30, 30)}, 10, []int{0}, []int{30}},
	}
	for _, c := range cases {
		keep, widths := fitColumns(c.cols, c.limit)
		if !reflect.DeepEqual(keep, c.keep) || !reflect.DeepEqual(widths, c.widths) {
			t.Errorf("%s: %v %v; want %v %v", c.name, keep, widths, c.keep, c.widths)
		}
	}
}

// TestFormatTableFitsWidth checks that a table with long cells fits the
// terminal: every line within the width, long text cut with "...",
// numbers whole.
func TestFormatTableFitsWidth(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	width := 50
	m := New(L, Options{Getenv: func(string) string { return "" }, Width: func() int { return width }})
	defer m.CloseAll()
	code := `
		rows = {}
		for i = 1, 3 do
			rows[i] = {Id = 1000000 * i, Name = "process-" .. i, CommandLine = string.rep("/usr/lib/very/long/path ", 4), Path = "/opt/ünïcode/" .. string.rep("x", 30)}
		end
		return cim.format_table(rows, {"Id", "Name", "CommandLine", "Path"})`
	if err := L.DoString(code); err != nil {
		t.Fatal(err)
	}
	out := L.Get(-1).String()
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if utf8.RuneCountInString(l) > width {
			t.Errorf("line wider than %d: %q", width, l)
		}
	}
	for _, want := range []string{"3000000", "...", "CommandLine", "Path"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	width = 0
	L.SetTop(0)
	if err := L.DoString(code); err != nil {
		t.Fatal(err)
	}
	if out := L.Get(-1).String(); !strings.Contains(out, "/opt/ünïcode/"+strings.Repeat("x", 30)) {
		t.Errorf("without a width the cells stay whole:\n%s", out)
	}
}

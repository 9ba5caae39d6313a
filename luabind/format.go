package luabind

import (
	"regexp"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// Style decorates formatted output; the shell colors headers through
// it. The zero Style is plain text.
type Style struct {
	Header func(string) string
	// Width is the terminal's width: a table is fitted into it (fit.go).
	// Zero means no limit (a file, a pipe).
	Width int
}

func (s Style) header(h string) string {
	if s.Header == nil {
		return h
	}
	return s.Header(h)
}

// maxCell bounds a table cell's width; longer text is cut with "...".
const maxCell = 48

// row is one row of a table: an instance or a Lua table.
type row struct {
	inst *model.Instance
	tbl  *lua.LTable
	cls  *model.Class // a class shown as inst; a list spells it out (rows.go)
}

func (r row) cell(L *lua.LState, col string) (string, bool) {
	if r.inst != nil {
		if v, ok := systemProperty(r.inst, col); ok {
			return LuaText(L, v), false
		}
		v, _ := r.inst.Get(col)
		return ValueText(v), v.Type().IsInteger() || v.Type().IsReal()
	}
	v := r.tbl.RawGetString(col)
	_, isNum := v.(lua.LNumber)
	if ud, ok := v.(*lua.LUserData); ok {
		_, isNum = ud.Value.(*boxedInt)
	}
	if s, ok := v.(lua.LString); ok {
		// A script formats a number to keep its decimals ("78.0"): it is
		// still a number, aligned right.
		isNum = decimalText.MatchString(string(s))
	}
	return LuaText(L, v), isNum
}

// decimalText is a number as a script formats one: digits, an optional
// sign and fraction.
var decimalText = regexp.MustCompile(`^[-+]?[0-9]+(\.[0-9]+)?$`)

// rowsOf reads a list of instances (or classes, sessions: rows.go) or
// tables; a single one is a list of one.
func rowsOf(L *lua.LState, v lua.LValue, who string) []row {
	if r, ok := rowOf(v); ok {
		return []row{r}
	}
	t, ok := v.(*lua.LTable)
	if !ok {
		L.RaiseError("%s: want an instance, a class, a session, or a list of them or of tables, got %s", who, luaTypeName(v))
	}
	var rows []row
	for k := 1; k <= t.Len(); k++ {
		e := t.RawGetInt(k)
		if r, ok := rowOf(e); ok {
			rows = append(rows, r)
		} else if et, ok := e.(*lua.LTable); ok {
			rows = append(rows, row{tbl: et})
		} else {
			L.RaiseError("%s: element %d is %s, not an instance, a class, a session or a table", who, k, luaTypeName(e))
		}
	}
	if len(rows) == 0 && t.Len() == 0 {
		// a record (not a list) formats as one row
		n := 0
		t.ForEach(func(lua.LValue, lua.LValue) { n++ })
		if n > 0 {
			rows = []row{{tbl: t}}
		}
	}
	return rows
}

// columnsOf picks columns: the given ones, the instances' defaults, or
// the sorted union of the tables' keys.
func columnsOf(rows []row, given []string) []string {
	if len(given) > 0 {
		return given
	}
	var insts []*model.Instance
	for _, r := range rows {
		if r.inst != nil {
			insts = append(insts, r.inst)
		}
	}
	if len(insts) == len(rows) {
		return DefaultColumns(insts)
	}
	seen := map[string]bool{}
	var cols []string
	for _, r := range rows {
		var names []string
		if r.inst != nil {
			names = r.inst.Names()
		} else {
			names = sortedKeys(r.tbl)
		}
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				cols = append(cols, n)
			}
		}
	}
	return cols
}

// allColumns is every property of every row (lists and CSV).
func allColumns(rows []row) []string {
	seen := map[string]bool{}
	var cols []string
	add := func(n string) {
		if !seen[strings.ToLower(n)] {
			seen[strings.ToLower(n)] = true
			cols = append(cols, n)
		}
	}
	computer := false
	for _, r := range rows {
		if r.inst != nil {
			for _, n := range r.inst.Names() {
				add(n)
			}
			computer = computer || r.inst.ComputerName != ""
		} else {
			for _, n := range sortedKeys(r.tbl) {
				add(n)
			}
		}
	}
	if computer {
		add("PSComputerName")
	}
	return cols
}

// formatTable renders rows as a table with a dashed header underline;
// numeric columns align right.
func formatTable(L *lua.LState, rows []row, cols []string, st Style) string {
	if len(rows) == 0 || len(cols) == 0 {
		return ""
	}
	cells := make([][]string, len(rows))
	numeric := make([]bool, len(cols))
	for c := range cols {
		numeric[c] = true
	}
	// Column names and cells come from servers: shown, not executed,
	// on one line each.
	heads := make([]string, len(cols))
	widths := make([]int, len(cols))
	for c, h := range cols {
		heads[c] = EscapeControls(h, true)
		widths[c] = width(heads[c])
	}
	for i, r := range rows {
		cells[i] = make([]string, len(cols))
		for c, col := range cols {
			text, isNum := r.cell(L, col)
			text = truncate(EscapeControls(text, true), maxCell)
			if text != "" && !isNum {
				numeric[c] = false
			}
			cells[i][c] = text
			widths[c] = max(widths[c], width(text))
		}
	}
	fit := make([]column, len(cols))
	for c, h := range heads {
		fit[c] = column{width: widths[c], header: width(h), numeric: numeric[c], empty: true}
		for _, r := range cells {
			if r[c] != "" {
				fit[c].empty = false
				break
			}
		}
	}
	keep, widths := fitColumns(fit, st.Width)
	heads, numeric = pick(heads, keep), pick(numeric, keep)
	for i, r := range cells {
		cells[i] = pick(r, keep)
		for c := range cells[i] {
			cells[i][c] = truncate(cells[i][c], widths[c])
		}
	}
	var b strings.Builder
	line := func(vals []string, style func(string) string) {
		var l strings.Builder
		for c, v := range vals {
			if c > 0 {
				l.WriteByte(' ')
			}
			pad := strings.Repeat(" ", widths[c]-width(v))
			if numeric[c] {
				l.WriteString(pad + style(v))
			} else if c == len(vals)-1 {
				l.WriteString(style(v))
			} else {
				l.WriteString(style(v) + pad)
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
	dashes := make([]string, len(heads))
	for c, h := range heads {
		dashes[c] = strings.Repeat("-", width(h))
	}
	plain := func(s string) string { return s }
	line(heads, st.header)
	line(dashes, st.header)
	for _, r := range cells {
		line(r, plain)
	}
	return b.String()
}

// pick returns the elements of s at the indexes in keep.
func pick[T any](s []T, keep []int) []T {
	out := make([]T, len(keep))
	for i, k := range keep {
		out[i] = s[k]
	}
	return out
}

// formatList renders each row as "Name : value" lines, rows separated
// by a blank line.
func formatList(L *lua.LState, rows []row, given []string, st Style) string {
	var b strings.Builder
	for i, r := range rows {
		if r.cls != nil {
			r = row{inst: classDetail(r.cls)}
		}
		cols := given
		if len(cols) == 0 {
			cols = allColumns([]row{r})
		}
		w := 0
		for _, c := range cols {
			w = max(w, width(EscapeControls(c, true)))
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		for _, c := range cols {
			// A value keeps its lines (indented under the first) and
			// tabs; every other control character is shown escaped.
			text, _ := r.cell(L, c)
			text = EscapeControls(text, false)
			name := EscapeControls(c, true)
			l := st.header(name+strings.Repeat(" ", w-width(name))) + " : " +
				strings.ReplaceAll(text, "\n", "\n"+strings.Repeat(" ", w+3))
			b.WriteString(strings.TrimRight(l, " "))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// FormatTable renders a Lua list of instances or tables as a table with
// the default columns (the shell's printer).
func FormatTable(L *lua.LState, v lua.LValue, st Style) string {
	rows := rowsOf(L, v, "format_table")
	return formatTable(L, rows, columnsOf(rows, nil), st)
}

// FormatList renders an instance (or a list) as name : value lines.
func FormatList(L *lua.LState, v lua.LValue, st Style) string {
	return formatList(L, rowsOf(L, v, "format_list"), nil, st)
}

// propsArg reads an optional list of property names at argument n.
func propsArg(L *lua.LState, n int, who string) []string {
	switch v := L.Get(n).(type) {
	case *lua.LNilType:
		return nil
	case lua.LString:
		return []string{string(v)}
	case *lua.LTable:
		var out []string
		for i := 1; i <= v.Len(); i++ {
			s, ok := v.RawGetInt(i).(lua.LString)
			if !ok {
				L.ArgError(n, who+": property names must be strings")
			}
			out = append(out, string(s))
		}
		return out
	default:
		L.ArgError(n, who+": want a list of property names, got "+luaTypeName(v))
	}
	return nil
}

func (m *Module) luaFormatTable(L *lua.LState) int {
	rows := rowsOf(L, L.Get(1), "cim.format_table")
	L.Push(lua.LString(formatTable(L, rows, columnsOf(rows, propsArg(L, 2, "cim.format_table")), Style{Width: m.width()})))
	return 1
}

func (m *Module) luaFormatList(L *lua.LState) int {
	rows := rowsOf(L, L.Get(1), "cim.format_list")
	L.Push(lua.LString(formatList(L, rows, propsArg(L, 2, "cim.format_list"), Style{})))
	return 1
}

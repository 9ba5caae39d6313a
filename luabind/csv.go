package luabind

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// toCSV renders rows as RFC 4180 CSV with a header line; columns are the
// given ones or every property of the rows.
func toCSV(L *lua.LState, rows []row, given []string) (string, error) {
	cols := given
	if len(cols) == 0 {
		cols = allColumns(rows)
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	if err := w.Write(cols); err != nil {
		return "", err
	}
	rec := make([]string, len(cols))
	for _, r := range rows {
		for c, col := range cols {
			rec[c], _ = r.cell(L, col)
		}
		if err := w.Write(rec); err != nil {
			return "", err
		}
	}
	w.Flush()
	return b.String(), w.Error()
}

func (m *Module) luaToCSV(L *lua.LState) int {
	rows := rowsOf(L, L.Get(1), "cim.to_csv")
	s, err := toCSV(L, rows, propsArg(L, 2, "cim.to_csv"))
	if err != nil {
		L.RaiseError("cim.to_csv: %v", err)
	}
	L.Push(lua.LString(s))
	return 1
}

// luaExportCSV is cim.export_csv(list, path [, props]), written by
// writeFile (atomically for a file; a symlink's target; a device or
// FIFO directly). It returns true, or nil, err.
func (m *Module) luaExportCSV(L *lua.LState) int {
	rows := rowsOf(L, L.Get(1), "cim.export_csv")
	path := L.CheckString(2)
	s, err := toCSV(L, rows, propsArg(L, 3, "cim.export_csv"))
	if err != nil {
		L.RaiseError("cim.export_csv: %v", err)
	}
	if err := writeFile(path, func(w io.Writer) error { _, err := io.WriteString(w, s); return err }); err != nil {
		m.pushFail(&model.Fault{Category: model.CategoryFailed, Reason: fmt.Sprintf("cim.export_csv: %v", err), Err: err})
		return 2
	}
	L.Push(lua.LTrue)
	return 1
}

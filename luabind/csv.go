package luabind

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
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

// luaExportCSV is cim.export_csv(list, path [, props]): the file is
// written beside its destination and renamed over it, so readers never
// see half a file. It returns true, or nil, err.
func (m *Module) luaExportCSV(L *lua.LState) int {
	rows := rowsOf(L, L.Get(1), "cim.export_csv")
	path := L.CheckString(2)
	s, err := toCSV(L, rows, propsArg(L, 3, "cim.export_csv"))
	if err != nil {
		L.RaiseError("cim.export_csv: %v", err)
	}
	if err := writeAtomic(path, []byte(s)); err != nil {
		m.pushFail(&model.Fault{Category: model.CategoryFailed, Reason: fmt.Sprintf("cim.export_csv: %v", err), Err: err})
		return 2
	}
	L.Push(lua.LTrue)
	return 1
}

// writeAtomic writes data to a temporary file in path's directory and
// renames it to path.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return nil
}

package luabind

import (
	"fmt"
	"io"
	"os"

	"github.com/cimsh/cimsh/cim/milog"
	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// luaExportBinaryMiLog is cim.export_binary_mi_log(list, path)
// (Export-BinaryMiLog): instances saved with their CIM types, written
// atomically. It returns true, or nil, err.
func (m *Module) luaExportBinaryMiLog(L *lua.LState) int {
	const fn = "cim.export_binary_mi_log"
	var insts []*model.Instance
	switch v := L.Get(1).(type) {
	case *lua.LTable:
		for i := 1; i <= v.Len(); i++ {
			inst, ok := InstanceOf(v.RawGetInt(i))
			if !ok {
				L.ArgError(1, fmt.Sprintf("%s: element %d is a %s, not an instance", fn, i, luaTypeName(v.RawGetInt(i))))
			}
			insts = append(insts, inst)
		}
	default:
		inst, ok := InstanceOf(v)
		if !ok {
			L.ArgError(1, fmt.Sprintf("%s: want an instance or a list of instances, got %s", fn, luaTypeName(v)))
		}
		insts = []*model.Instance{inst}
	}
	path := L.CheckString(2)
	if err := writeFile(path, func(w io.Writer) error { return milog.Write(w, insts) }); err != nil {
		m.pushFail(&model.Fault{Category: model.CategoryFailed, Reason: fmt.Sprintf("%s: %v", fn, err), Err: err})
		return 2
	}
	L.Push(lua.LTrue)
	return 1
}

// luaImportBinaryMiLog is cim.import_binary_mi_log(path)
// (Import-BinaryMiLog): the saved instances, client-only, or nil, err.
func (m *Module) luaImportBinaryMiLog(L *lua.LState) int {
	const fn = "cim.import_binary_mi_log"
	path := L.CheckString(1)
	f, err := os.Open(path)
	if err != nil {
		m.pushFail(&model.Fault{Category: model.CategoryNotFound, Reason: fmt.Sprintf("%s: %v", fn, err), Err: err})
		return 2
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > milog.MaxFileSize {
		// Refused before reading: no log cimsh writes is this large.
		err := fmt.Errorf("%w: %d MiB, the limit is %d MiB", milog.ErrTooLarge, fi.Size()>>20, milog.MaxFileSize>>20)
		m.pushFail(&model.Fault{Category: model.CategoryInvalidParameter, Reason: fmt.Sprintf("%s: %s: %v", fn, path, err), Err: err})
		return 2
	}
	insts, err := milog.Read(f)
	if err != nil {
		m.pushFail(&model.Fault{Category: model.CategoryInvalidParameter, Reason: fmt.Sprintf("%s: %s: %v", fn, path, err), Err: err})
		return 2
	}
	list := L.CreateTable(len(insts), 0)
	for _, inst := range insts {
		list.Append(m.newInstance(inst, nil))
	}
	L.Push(list)
	return 1
}

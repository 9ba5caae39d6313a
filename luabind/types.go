package luabind

import (
	"math"
	"math/big"

	lua "github.com/yuin/gopher-lua"
)

// The metatable names of the module's types.
const (
	mtSession       = "cim.Session"
	mtSessionOption = "cim.SessionOption"
	mtInstance      = "cim.Instance"
	mtClass         = "cim.Class"
	mtCredential    = "cim.Credential"
	mtError         = "cim.Error"
	mtInteger       = "cim.Integer"
	mtDatetime      = "cim.Datetime"
	mtReference     = "cim.Reference"
	mtIterator      = "cim.Iterator"
	mtSubscription  = "cim.Subscription"
)

func (m *Module) registerTypes() {
	L := m.L
	for name, methods := range map[string]map[string]lua.LGFunction{
		mtSession:       m.sessionMetamethods(),
		mtSessionOption: m.sessionOptionMetamethods(),
		mtInstance:      m.instanceMetamethods(),
		mtClass:         m.classMethods(),
		mtCredential:    m.credentialMethods(),
		mtError:         m.errorMethods(),
		mtInteger:       m.integerMethods(),
		mtDatetime:      m.datetimeMethods(),
		mtReference:     m.referenceMethods(),
		mtIterator:      m.iteratorMetamethods(),
		mtSubscription:  m.subscriptionMetamethods(),
	} {
		mt := L.NewTypeMetatable(name)
		L.SetFuncs(mt, methods)
		// __metatable hides the metatable from getmetatable, so scripts
		// cannot swap the methods of a credential to reach its password.
		mt.RawSetString("__metatable", lua.LString(name))
		mt.RawSetString("__name", lua.LString(name))
	}
	m.instanceMT = L.GetTypeMetatable(mtInstance)
}

// udTypeName names a userdata's type for messages ("session").
func udTypeName(ud *lua.LUserData) string {
	switch ud.Value.(type) {
	case *sessionUD:
		return "session"
	case *sessionOptionUD:
		return "session option"
	case *instanceUD:
		return "instance"
	case *classUD:
		return "class"
	case *credentialUD:
		return "credential"
	case *errorUD:
		return "error"
	case *boxedInt:
		return "integer"
	case *datetimeUD:
		return "datetime"
	case *referenceUD:
		return "reference"
	case *iterator:
		return "iterator"
	case *subscriptionUD:
		return "subscription"
	}
	return ""
}

// TypeName returns the cim type of a Lua value ("session", "instance",
// ...) or "" when it is not one of the module's userdata.
func TypeName(v lua.LValue) string {
	if ud, ok := v.(*lua.LUserData); ok {
		return udTypeName(ud)
	}
	return ""
}

// moduleTable builds the `cim` table.
func (m *Module) moduleTable() *lua.LTable {
	L := m.L
	fns := map[string]lua.LGFunction{
		"new_session":               m.luaNewSession,
		"new_session_option":        m.luaNewSessionOption,
		"credential":                m.luaCredential,
		"get_session":               m.luaGetSession,
		"remove_session":            m.luaRemoveSession,
		"get_instance":              func(L *lua.LState) int { return m.opGetInstance(L, nil) },
		"query":                     func(L *lua.LState) int { return m.opQuery(L, nil) },
		"instances":                 func(L *lua.LState) int { return m.opInstances(L, nil) },
		"each_instance":             func(L *lua.LState) int { return m.opEachInstance(L, nil) },
		"invoke_method":             func(L *lua.LState) int { return m.opInvokeMethod(L, nil) },
		"get_class":                 func(L *lua.LState) int { return m.opGetClass(L, nil) },
		"new_instance":              func(L *lua.LState) int { return m.opNewInstance(L, nil) },
		"set_instance":              func(L *lua.LState) int { return m.opSetInstance(L, nil) },
		"remove_instance":           func(L *lua.LState) int { return m.opRemoveInstance(L, nil) },
		"get_associated_instance":   func(L *lua.LState) int { return m.opAssociated(L, nil) },
		"test_wsman":                func(L *lua.LState) int { return m.opTest(L, nil) },
		"register_indication_event": func(L *lua.LState) int { return m.opRegisterIndication(L, nil) },
		"run":                       func(L *lua.LState) int { return m.opRun(L, nil, false) },
		"powershell":                func(L *lua.LState) int { return m.opRun(L, nil, true) },
		"format_table":              m.luaFormatTable,
		"format_list":               m.luaFormatList,
		"to_json":                   m.luaToJSON,
		"to_csv":                    m.luaToCSV,
		"export_csv":                m.luaExportCSV,
		"export_binary_mi_log":      m.luaExportBinaryMiLog,
		"import_binary_mi_log":      m.luaImportBinaryMiLog,
		"import_cdxml":              m.luaImportCDXML,
		"bundled_cdxml":             luaBundledCDXML,
		"uint64":                    m.luaIntCtor("uint64", new(big.Int), new(big.Int).SetUint64(math.MaxUint64)),
		"int64":                     m.luaIntCtor("int64", big.NewInt(math.MinInt64), big.NewInt(math.MaxInt64)),
		"tonumber":                  m.luaToNumber,
		"compare":                   m.luaCompare,
		"datetime":                  m.luaDatetime,
		"escape_controls":           luaEscapeControls,
	}
	t := L.NewTable()
	for _, spec := range Specs {
		fn, ok := fns[spec.Name]
		if !ok {
			panic("luabind: no function for spec " + spec.Name)
		}
		f := L.NewFunction(fn)
		m.funcs[f] = spec
		t.RawSetString(spec.Name, f)
	}
	if len(fns) != len(Specs) {
		panic("luabind: a function has no spec")
	}
	t.RawSetString("version", lua.LString(Version))
	return t
}

// Version is cimsh's version: cim.version, the REPL's banner and
// `cimsh --version` all read this one constant.
const Version = "0.1.0"

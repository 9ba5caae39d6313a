package luabind

import (
	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// classUD is a CIM class schema (Get-CimClass).
type classUD struct{ c *model.Class }

// ClassFields lists the class's fields and methods.
var ClassFields = []string{"name", "namespace", "super_class", "properties", "methods", "keys", "qualifiers", "property", "method"}

func (m *Module) newClass(c *model.Class) lua.LValue {
	ud := m.L.NewUserData()
	ud.Value = &classUD{c: c}
	ud.Metatable = m.L.GetTypeMetatable(mtClass)
	return ud
}

func toClass(v lua.LValue) *classUD {
	if ud, ok := v.(*lua.LUserData); ok {
		c, _ := ud.Value.(*classUD)
		return c
	}
	return nil
}

func (m *Module) propertyTable(p *model.PropertyDecl) *lua.LTable {
	t := m.L.NewTable()
	t.RawSetString("name", lua.LString(p.Name))
	t.RawSetString("type", lua.LString(p.Type.String()))
	t.RawSetString("array", lua.LBool(p.Array))
	t.RawSetString("key", lua.LBool(p.Key))
	if p.RefClass != "" {
		t.RawSetString("ref_class", lua.LString(p.RefClass))
	}
	if p.EmbeddedClass != "" {
		t.RawSetString("embedded_class", lua.LString(p.EmbeddedClass))
	}
	if p.ClassOrigin != "" {
		t.RawSetString("class_origin", lua.LString(p.ClassOrigin))
	}
	t.RawSetString("qualifiers", m.qualifierTable(p.Qualifiers))
	return t
}

func (m *Module) methodTable(md *model.Method) *lua.LTable {
	t := m.L.NewTable()
	t.RawSetString("name", lua.LString(md.Name))
	t.RawSetString("return_type", lua.LString(md.ReturnType.String()))
	t.RawSetString("static", lua.LBool(md.Static))
	params := m.L.NewTable()
	for _, p := range md.Parameters {
		pt := m.L.NewTable()
		pt.RawSetString("name", lua.LString(p.Name))
		pt.RawSetString("type", lua.LString(p.Type.String()))
		pt.RawSetString("array", lua.LBool(p.Array))
		pt.RawSetString("in", lua.LBool(p.In))
		pt.RawSetString("out", lua.LBool(p.Out))
		params.Append(pt)
	}
	t.RawSetString("parameters", params)
	t.RawSetString("qualifiers", m.qualifierTable(md.Qualifiers))
	return t
}

func (m *Module) qualifierTable(qs []model.Qualifier) *lua.LTable {
	t := m.L.NewTable()
	for _, q := range qs {
		t.RawSetString(q.Name, m.toLua(q.Value, nil))
	}
	return t
}

func (m *Module) classMethods() map[string]lua.LGFunction {
	property := m.L.NewFunction(func(L *lua.LState) int {
		c := toClass(L.Get(1))
		if c == nil {
			L.RaiseError("class:property: call it with a colon")
		}
		if p := c.c.Property(L.CheckString(2)); p != nil {
			L.Push(m.propertyTable(p))
		} else {
			L.Push(lua.LNil)
		}
		return 1
	})
	method := m.L.NewFunction(func(L *lua.LState) int {
		c := toClass(L.Get(1))
		if c == nil {
			L.RaiseError("class:method: call it with a colon")
		}
		if md := c.c.Method(L.CheckString(2)); md != nil {
			L.Push(m.methodTable(md))
		} else {
			L.Push(lua.LNil)
		}
		return 1
	})
	return map[string]lua.LGFunction{
		"__tostring": func(L *lua.LState) int {
			c := toClass(L.Get(1)).c
			s := c.Name
			if c.Namespace != "" {
				s += " (" + c.Namespace + ")"
			}
			L.Push(lua.LString(EscapeControls(s, false)))
			return 1
		},
		"__index": func(L *lua.LState) int {
			c := toClass(L.Get(1)).c
			switch L.CheckString(2) {
			case "name":
				L.Push(lua.LString(c.Name))
			case "namespace":
				L.Push(lua.LString(c.Namespace))
			case "super_class":
				if c.SuperClass == "" {
					L.Push(lua.LNil)
				} else {
					L.Push(lua.LString(c.SuperClass))
				}
			case "properties":
				t := L.NewTable()
				for i := range c.Properties {
					t.Append(m.propertyTable(&c.Properties[i]))
				}
				L.Push(t)
			case "methods":
				t := L.NewTable()
				for i := range c.Methods {
					t.Append(m.methodTable(&c.Methods[i]))
				}
				L.Push(t)
			case "keys":
				t := L.NewTable()
				for _, k := range c.KeyNames() {
					t.Append(lua.LString(k))
				}
				L.Push(t)
			case "qualifiers":
				L.Push(m.qualifierTable(c.Qualifiers))
			case "property":
				L.Push(property)
			case "method":
				L.Push(method)
			default:
				L.Push(lua.LNil)
			}
			return 1
		},
	}
}

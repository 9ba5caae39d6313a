package luabind

import (
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// classUD is a CIM class schema (Get-CimClass).
type classUD struct{ c *model.Class }

// ClassFields lists the class's fields with a line each (help,
// completion, the README). Field names ignore case; PowerShell's CimClass
// names are aliases.
var ClassFields = map[string]string{
	"name":        "the class name (alias CimClassName)",
	"namespace":   "its namespace, e.g. root/cimv2",
	"super_class": "the superclass name, nil for a root class (alias CimSuperClassName)",
	"properties":  "list of {name, type, array, key, ref_class, embedded_class, class_origin, qualifiers} (alias CimClassProperties)",
	"methods":     "list of {name, return_type, static, parameters = {{name, type, array, in, out}, ...}, qualifiers} (alias CimClassMethods)",
	"keys":        "the key property names",
	"qualifiers":  "the class qualifiers by name: {dynamic = true, provider = \"CIMWin32\", ...} (alias CimClassQualifiers)",
}

// ClassMethods lists the class's methods.
var ClassMethods = map[string]string{
	"property": "cls:property(name): one property's table (any case), nil if none",
	"method":   "cls:method(name): one method's table (any case), nil if none",
}

// classAliases are PowerShell's CimClass member names, lower-cased.
var classAliases = map[string]string{
	"cimclassname":       "name",
	"cimsuperclassname":  "super_class",
	"cimclassproperties": "properties",
	"cimclassmethods":    "methods",
	"cimclassqualifiers": "qualifiers",
}

// classNames lists every name a class answers to (suggestions).
func classNames() []string {
	var names []string
	for k := range ClassFields {
		names = append(names, k)
	}
	for k := range ClassMethods {
		names = append(names, k)
	}
	return append(names, "CimClassName", "CimSuperClassName", "CimClassProperties", "CimClassMethods", "CimClassQualifiers")
}

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
	methods := map[string]*lua.LFunction{"property": property, "method": method}
	for name, f := range methods {
		m.helpMethod(f, "cls", name, ClassMethods[name])
	}
	return map[string]lua.LGFunction{
		// A class prints its schema, as Get-CimClass | Format-List does,
		// with every property's type and flags and every method's
		// parameters (escaped, as a list is).
		"__tostring": func(L *lua.LState) int {
			L.Push(lua.LString(ClassText(L, toClass(L.Get(1)).c)))
			return 1
		},
		"__eq": func(L *lua.LState) int {
			a, b := toClass(L.Get(1)), toClass(L.Get(2))
			L.Push(lua.LBool(a != nil && b != nil && (a.c == b.c ||
				strings.EqualFold(a.c.Name, b.c.Name) && strings.EqualFold(a.c.Namespace, b.c.Namespace))))
			return 1
		},
		"__concat": func(L *lua.LState) int {
			L.Push(lua.LString(L.ToStringMeta(L.Get(1)).String() + L.ToStringMeta(L.Get(2)).String()))
			return 1
		},
		"__index": func(L *lua.LState) int {
			c := toClass(L.Get(1)).c
			key := strings.ToLower(L.CheckString(2))
			if a, ok := classAliases[key]; ok {
				key = a
			}
			if f, ok := methods[key]; ok {
				L.Push(f)
				return 1
			}
			switch key {
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
			default:
				name := L.CheckString(2)
				L.RaiseError("class has no field or method %s%s", model.Quote(name), didYouMean(name, classNames()))
			}
			return 1
		},
	}
}

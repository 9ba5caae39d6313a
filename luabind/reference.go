package luabind

import (
	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// referenceUD is a CIM reference (an object path); ref:get() follows it
// through the session it came from.
type referenceUD struct {
	ref  *model.Reference
	sess *sessionUD
}

// ReferenceFields lists the reference's fields and methods.
var ReferenceFields = []string{"class_name", "namespace", "keys", "path", "get"}

func (m *Module) newReference(r *model.Reference, sess *sessionUD) lua.LValue {
	ud := m.L.NewUserData()
	ud.Value = &referenceUD{ref: r, sess: sess}
	ud.Metatable = m.L.GetTypeMetatable(mtReference)
	return ud
}

func toReference(v lua.LValue) *referenceUD {
	if ud, ok := v.(*lua.LUserData); ok {
		r, _ := ud.Value.(*referenceUD)
		return r
	}
	return nil
}

func (m *Module) referenceMethods() map[string]lua.LGFunction {
	get := m.L.NewFunction(func(L *lua.LState) int {
		r := toReference(L.Get(1))
		if r == nil {
			L.RaiseError("ref:get: call it with a colon (ref:get())")
		}
		if r.sess == nil {
			L.RaiseError("ref:get: the reference %s has no session to follow it through", r.ref)
		}
		inst := &model.Instance{ClassName: r.ref.ClassName, Namespace: r.ref.Namespace, ResourceURI: r.ref.ResourceURI, Ref: r.ref}
		out, err := r.sess.s.GetInstance(m.ctx(), inst, cim.Options{})
		if err != nil {
			m.pushOpFail("ref:get", err)
			return 2
		}
		L.Push(m.newInstance(out, r.sess))
		return 1
	})
	return map[string]lua.LGFunction{
		"__tostring": func(L *lua.LState) int {
			L.Push(lua.LString(EscapeControls(toReference(L.Get(1)).ref.String(), false)))
			return 1
		},
		"__eq": func(L *lua.LState) int {
			a, b := toReference(L.Get(1)), toReference(L.Get(2))
			L.Push(lua.LBool(a != nil && b != nil && a.ref.Equal(b.ref)))
			return 1
		},
		"__concat": func(L *lua.LState) int {
			L.Push(lua.LString(L.ToStringMeta(L.Get(1)).String() + L.ToStringMeta(L.Get(2)).String()))
			return 1
		},
		"__index": func(L *lua.LState) int {
			r := toReference(L.Get(1))
			switch L.CheckString(2) {
			case "class_name":
				L.Push(lua.LString(r.ref.ClassName))
			case "namespace":
				L.Push(lua.LString(r.ref.Namespace))
			case "path":
				L.Push(lua.LString(r.ref.String()))
			case "keys":
				t := L.NewTable()
				for _, s := range r.ref.Selectors {
					if s.Ref != nil {
						t.RawSetString(s.Name, m.newReference(s.Ref, r.sess))
					} else {
						t.RawSetString(s.Name, lua.LString(s.Value))
					}
				}
				L.Push(t)
			case "get":
				L.Push(get)
			default:
				L.Push(lua.LNil)
			}
			return 1
		},
	}
}

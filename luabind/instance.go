package luabind

import (
	"strings"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// instanceUD is a CIM instance: property access ignores case
// (inst.caption), methods are colon calls, and sess (nil for a
// client-only instance) is where invoke and refresh go.
type instanceUD struct {
	inst *model.Instance
	sess *sessionUD
	// changed names the properties assigned from Lua, for set_instance.
	changed []string
}

func (m *Module) newInstance(inst *model.Instance, sess *sessionUD) lua.LValue {
	if sess != nil {
		sess.seen.add(inst.Namespace, inst.ClassName)
	}
	ud := m.L.NewUserData()
	ud.Value = &instanceUD{inst: inst, sess: sess}
	ud.Metatable = m.instanceMT
	return ud
}

func toInstance(v lua.LValue) *instanceUD {
	if ud, ok := v.(*lua.LUserData); ok {
		i, _ := ud.Value.(*instanceUD)
		return i
	}
	return nil
}

// InstanceOf returns the CIM instance a Lua value holds, if any (the
// shell's printer uses it).
func InstanceOf(v lua.LValue) (*model.Instance, bool) {
	if i := toInstance(v); i != nil {
		return i.inst, true
	}
	return nil, false
}

// systemProperty returns WMI's system properties and PSComputerName.
func systemProperty(inst *model.Instance, name string) (lua.LValue, bool) {
	// Most keys are properties: tell them apart without lowering them
	// (every system name starts with "__" or "ps" and has six letters
	// or more).
	if len(name) < 6 || (name[0] != '_' && name[0]|0x20 != 'p') {
		return nil, false
	}
	str := func(s string) lua.LValue {
		if s == "" {
			return lua.LNil
		}
		return lua.LString(s)
	}
	switch strings.ToLower(name) {
	case "pscomputername", "__server":
		return str(inst.ComputerName), true
	case "__class":
		return str(inst.ClassName), true
	case "__namespace":
		return str(inst.Namespace), true
	case "__relpath":
		return str(inst.Path().String()), true
	case "__path":
		p := inst.Path().String()
		if inst.Namespace != "" {
			host := inst.ComputerName
			if host == "" {
				host = "."
			}
			p = `\\` + host + `\` + strings.ReplaceAll(inst.Namespace, "/", `\`) + ":" + p
		}
		return str(p), true
	}
	return nil, false
}

func (m *Module) instanceMetamethods() map[string]lua.LGFunction {
	methods := map[string]*lua.LFunction{}
	for name, fn := range map[string]lua.LGFunction{
		"properties": m.instProperties,
		"invoke":     m.instInvoke,
		"refresh":    m.instRefresh,
		"keys":       m.instKeys,
		"names":      m.instNames,
		"get_class":  m.instGetClass,
	} {
		methods[name] = m.L.NewFunction(fn)
		m.helpMethod(methods[name], "inst", name, InstanceMethods[name])
	}
	return map[string]lua.LGFunction{
		"__index": func(L *lua.LState) int {
			i := toInstance(L.Get(1))
			key, ok := L.Get(2).(lua.LString)
			if !ok {
				L.Push(lua.LNil)
				return 1
			}
			// Most keys are properties: the switch tells the method names
			// apart without hashing every key for the map (a new method
			// joins it: TestInstanceMethodsReachable).
			switch key {
			case "properties", "invoke", "refresh", "keys", "names", "get_class":
				if f, ok := methods[string(key)]; ok {
					L.Push(f)
					return 1
				}
			}
			if v, ok := systemProperty(i.inst, string(key)); ok {
				L.Push(v)
				return 1
			}
			v, _ := i.inst.Get(string(key))
			L.Push(m.toLua(v, i.sess))
			return 1
		},
		"__newindex": func(L *lua.LState) int {
			i := toInstance(L.Get(1))
			key := L.CheckString(2)
			v, err := fromLua(L.Get(3))
			if err != nil {
				L.RaiseError("cannot assign %s.%s: %s", i.inst.ClassName, model.Clip(key), userText(err.Error()))
			}
			if p, ok := i.inst.Lookup(key); ok {
				if p.Value.Type() != model.TypeUnknown && !v.IsNull() {
					c, err := model.Convert(v, p.Value.Type(), p.Value.IsArray())
					if err != nil {
						L.RaiseError("cannot assign %s.%s: %s", i.inst.ClassName, p.Name, userText(err.Error()))
					}
					v = c
				}
				key = p.Name
			}
			i.inst.Set(key, v)
			for _, c := range i.changed {
				if strings.EqualFold(c, key) {
					return 0
				}
			}
			i.changed = append(i.changed, key)
			return 0
		},
		"__tostring": func(L *lua.LState) int {
			L.Push(lua.LString(EscapeControls(toInstance(L.Get(1)).inst.String(), false)))
			return 1
		},
		"__eq": func(L *lua.LState) int {
			a, b := toInstance(L.Get(1)), toInstance(L.Get(2))
			L.Push(lua.LBool(a != nil && b != nil && (a.inst == b.inst || a.inst.Equal(b.inst))))
			return 1
		},
		"__concat": func(L *lua.LState) int {
			L.Push(lua.LString(L.ToStringMeta(L.Get(1)).String() + L.ToStringMeta(L.Get(2)).String()))
			return 1
		},
	}
}

func (m *Module) checkInstance(L *lua.LState, method string) *instanceUD {
	i := toInstance(L.Get(1))
	if i == nil {
		L.RaiseError("inst:%s: call it with a colon (inst:%s(...)), got %s as self", method, method, luaTypeName(L.Get(1)))
	}
	return i
}

// instProperties is inst:properties(): an iterator over name, value in
// the order the server sent them.
func (m *Module) instProperties(L *lua.LState) int {
	i := m.checkInstance(L, "properties")
	k := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		if k >= i.inst.Len() {
			return 0
		}
		p := i.inst.At(k)
		k++
		L.Push(lua.LString(p.Name))
		L.Push(m.toLua(p.Value, i.sess))
		return 2
	}))
	return 1
}

func (m *Module) instKeys(L *lua.LState) int {
	i := m.checkInstance(L, "keys")
	t := L.NewTable()
	for _, p := range i.inst.Keys() {
		t.Append(lua.LString(p.Name))
	}
	L.Push(t)
	return 1
}

func (m *Module) instNames(L *lua.LState) int {
	i := m.checkInstance(L, "names")
	t := L.NewTable()
	for _, n := range i.inst.Names() {
		t.Append(lua.LString(n))
	}
	L.Push(t)
	return 1
}

// instSession returns the instance's session or raises.
func (m *Module) instSession(L *lua.LState, i *instanceUD, method string) *sessionUD {
	if i.sess == nil {
		L.RaiseError("inst:%s: %s has no session (it was built client_only); use s:%s with input_object=", method, i.inst.ClassName, map[string]string{"invoke": "invoke_method", "refresh": "get_instance", "get_class": "get_class"}[method])
	}
	return i.sess
}

// instInvoke is inst:invoke(method [, args]).
func (m *Module) instInvoke(L *lua.LState) int {
	i := m.checkInstance(L, "invoke")
	s := m.instSession(L, i, "invoke")
	method := L.CheckString(2)
	var args []model.Property
	if t, ok := L.Get(3).(*lua.LTable); ok {
		args = tableToProperties(L, "inst:invoke", t)
	} else if L.Get(3) != lua.LNil {
		L.ArgError(3, "inst:invoke: arguments must be a table, got "+luaTypeName(L.Get(3)))
	}
	out, err := s.s.InvokeMethod(m.ctx(), cim.MethodCall{Input: i.inst, Method: method, Arguments: args})
	if err != nil {
		m.pushOpFail("inst:invoke", err)
		return 2
	}
	L.Push(m.newInstance(out, s))
	return 1
}

// instRefresh is inst:refresh(): fetch it again; the instance is updated
// in place and returned.
func (m *Module) instRefresh(L *lua.LState) int {
	i := m.checkInstance(L, "refresh")
	s := m.instSession(L, i, "refresh")
	out, err := s.s.GetInstance(m.ctx(), i.inst, cim.Options{})
	if err != nil {
		m.pushOpFail("inst:refresh", err)
		return 2
	}
	*i.inst = *out
	i.changed = nil
	L.Push(L.Get(1))
	return 1
}

// instGetClass is inst:get_class().
func (m *Module) instGetClass(L *lua.LState) int {
	i := m.checkInstance(L, "get_class")
	s := m.instSession(L, i, "get_class")
	cls, err := s.s.GetClass(m.ctx(), i.inst.Namespace, i.inst.ClassName)
	if err != nil {
		m.pushOpFail("inst:get_class", err)
		return 2
	}
	L.Push(m.newClass(cls))
	return 1
}

package luabind

import (
	"fmt"
	"math"
	"math/big"

	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// maxExact is 2^53: integers beyond it are boxed, since Lua numbers are
// float64 in Lua 5.1.
const maxExact = 1 << 53

// toLua converts a CIM value: NULL is nil, arrays are sequences, 64-bit
// integers beyond 2^53 are boxed, datetimes, references and embedded
// instances are userdata. sess is the session the value came from, so
// that references and embedded instances can be followed.
func (m *Module) toLua(v model.Value, sess *sessionUD) lua.LValue {
	if v.IsNull() {
		return lua.LNil
	}
	if v.IsArray() {
		t := m.L.CreateTable(v.Len(), 0)
		for i, e := range v.Elems() {
			// A NULL element is a hole (nil), as Lua has no other NULL.
			t.RawSetInt(i+1, m.toLua(e, sess))
		}
		return t
	}
	switch x := v.Interface().(type) {
	case bool:
		return lua.LBool(x)
	case uint64:
		if x <= maxExact {
			return lua.LNumber(x)
		}
		return m.newInteger(new(big.Int).SetUint64(x))
	case int64:
		if x <= maxExact && x >= -maxExact {
			return lua.LNumber(x)
		}
		return m.newInteger(big.NewInt(x))
	case float64:
		return lua.LNumber(x)
	case uint16:
		return lua.LNumber(x)
	case string:
		return lua.LString(x)
	case model.Datetime:
		return m.newDatetime(x)
	case *model.Reference:
		return m.newReference(x, sess)
	case *model.Instance:
		return m.newInstance(x, sess)
	}
	return lua.LString(v.Text())
}

// fromLua converts a Lua value to an untyped CIM value; the session
// converts it to the schema's type when it has the schema.
func fromLua(v lua.LValue) (model.Value, error) {
	switch x := v.(type) {
	case *lua.LNilType:
		return model.Value{}, nil
	case lua.LBool:
		return model.Bool(bool(x)), nil
	case lua.LNumber:
		f := float64(x)
		if f == math.Trunc(f) && !math.IsInf(f, 0) && math.Abs(f) <= maxExact {
			if f < 0 {
				return model.Sint(model.TypeSint64, int64(f)), nil
			}
			return model.Uint(model.TypeUint64, uint64(f)), nil
		}
		return model.Real(model.TypeReal64, f), nil
	case lua.LString:
		return model.String(string(x)), nil
	case *lua.LTable:
		n := x.Len()
		count := 0
		x.ForEach(func(lua.LValue, lua.LValue) { count++ })
		if count != n {
			return model.Value{}, fmt.Errorf("a table given as a CIM value must be a list (an array)")
		}
		elems := make([]model.Value, n)
		var t model.Type
		for i := 1; i <= n; i++ {
			e, err := fromLua(x.RawGetInt(i))
			if err != nil {
				return model.Value{}, err
			}
			if e.IsArray() {
				return model.Value{}, fmt.Errorf("CIM arrays cannot nest")
			}
			if i == 1 {
				t = e.Type()
			} else if e.Type() != t {
				t = model.TypeUnknown
			}
			elems[i-1] = e
		}
		if t == model.TypeUnknown && n > 0 {
			// Mixed element types: a signed/unsigned mix of integers is
			// still integers; anything else goes as text.
			t = mixedType(elems)
			for i, e := range elems {
				c, err := model.Convert(e, t, false)
				if err != nil {
					return model.Value{}, err
				}
				elems[i] = c
			}
		}
		if n == 0 {
			t = model.TypeString
		}
		return model.Array(t, elems), nil
	case *lua.LUserData:
		switch u := x.Value.(type) {
		case *boxedInt:
			return u.value(), nil
		case *datetimeUD:
			return model.DatetimeValue(u.d), nil
		case *instanceUD:
			return model.Embedded(u.inst), nil
		case *referenceUD:
			return model.Ref(u.ref), nil
		}
	}
	return model.Value{}, fmt.Errorf("a %s cannot be a CIM value", luaTypeName(v))
}

// mixedType picks one type for the elements of a list of mixed types.
func mixedType(elems []model.Value) model.Type {
	allInt, anyReal := true, false
	for _, e := range elems {
		switch {
		case e.Type().IsInteger():
		case e.Type().IsReal():
			anyReal = true
		default:
			allInt = false
		}
	}
	switch {
	case allInt && !anyReal:
		return model.TypeSint64
	case allInt || anyReal:
		for _, e := range elems {
			if !e.Type().IsInteger() && !e.Type().IsReal() {
				return model.TypeString
			}
		}
		return model.TypeReal64
	}
	return model.TypeString
}

// tableToProperties converts a table of name = value pairs, in sorted
// key order (Lua tables have no order).
func tableToProperties(L *lua.LState, who string, t *lua.LTable) []model.Property {
	if t == nil {
		return nil
	}
	var props []model.Property
	for _, k := range sortedKeys(t) {
		v, err := fromLua(t.RawGetString(k))
		if err != nil {
			L.RaiseError("%s: %s: %s", who, k, userText(err.Error()))
		}
		props = append(props, model.Property{Name: k, Value: v})
	}
	n := 0
	t.ForEach(func(k, _ lua.LValue) {
		if _, ok := k.(lua.LString); !ok {
			n++
		}
	})
	if n > 0 {
		L.RaiseError("%s: property and argument tables are keyed by name", who)
	}
	return props
}

package luabind

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// ValueText renders a CIM value for a table or list cell: NULL empty,
// arrays in braces, datetimes ISO 8601, integers exact.
func ValueText(v model.Value) string {
	if v.IsNull() {
		return ""
	}
	if v.IsArray() {
		parts := make([]string, v.Len())
		for i, e := range v.Elems() {
			parts[i] = ValueText(e)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	switch x := v.Interface().(type) {
	case model.Datetime:
		return x.String()
	case float64:
		return formatFloat(x)
	}
	return v.Text()
}

func formatFloat(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', 14, 64)
}

// LuaText renders a Lua value for display: strings as they are, tables
// in braces (one level deep), userdata through __tostring.
func LuaText(L *lua.LState, v lua.LValue) string { return luaText(L, v, 0) }

func luaText(L *lua.LState, v lua.LValue, depth int) string {
	switch x := v.(type) {
	case *lua.LNilType:
		return ""
	case lua.LString:
		return string(x)
	case lua.LNumber:
		return formatFloat(float64(x))
	case *lua.LTable:
		if L.GetMetaField(x, "__tostring") != lua.LNil {
			return L.ToStringMeta(x).String()
		}
		if depth > 1 {
			return "{...}"
		}
		var parts []string
		n := x.Len()
		for i := 1; i <= n; i++ {
			parts = append(parts, quoteIfString(L, x.RawGetInt(i), depth))
		}
		var keys []string
		other := map[string]lua.LValue{}
		x.ForEach(func(k, val lua.LValue) {
			if num, ok := k.(lua.LNumber); ok && float64(num) >= 1 && float64(num) <= float64(n) && float64(num) == math.Trunc(float64(num)) {
				return
			}
			ks := L.ToStringMeta(k).String()
			if _, isS := k.(lua.LString); !isS {
				ks = "[" + ks + "]"
			}
			keys = append(keys, ks)
			other[ks] = val
		})
		sort.Strings(keys)
		for _, k := range keys {
			parts = append(parts, k+" = "+quoteIfString(L, other[k], depth))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return L.ToStringMeta(v).String()
}

func quoteIfString(L *lua.LState, v lua.LValue, depth int) string {
	if s, ok := v.(lua.LString); ok {
		return strconv.Quote(string(s))
	}
	return luaText(L, v, depth+1)
}

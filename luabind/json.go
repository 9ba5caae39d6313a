package luabind

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// jsonWriter writes JSON with object keys in a stable order (instance
// properties as the server sent them, table keys sorted) and 64-bit
// integers exact.
type jsonWriter struct {
	L       *lua.LState
	b       strings.Builder
	indent  string
	depth   int
	visited map[*lua.LTable]bool
	err     string
}

func (w *jsonWriter) nl() {
	if w.indent == "" {
		return
	}
	w.b.WriteByte('\n')
	w.b.WriteString(strings.Repeat(w.indent, w.depth))
}

func (w *jsonWriter) jstr(s string) {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x2028 || r == 0x2029 || isControl(r, true):
			// Exact data as JSON escapes, so that JSON printed to a
			// terminal carries no control characters either.
			b.WriteString(`\u`)
			h := strconv.FormatInt(int64(r), 16)
			b.WriteString(strings.Repeat("0", 4-len(h)) + h)
		case r == 0xFFFD:
			b.WriteString(`\ufffd`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	w.b.WriteString(b.String())
}

func (w *jsonWriter) number(f float64) {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		w.jstr(formatReal(f))
	case f == math.Trunc(f) && math.Abs(f) < 1e21:
		w.b.WriteString(strconv.FormatFloat(f, 'f', -1, 64))
	default:
		w.b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
	}
}

func formatReal(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "INF"
	}
	return "-INF"
}

// object writes key/value pairs.
func (w *jsonWriter) object(n int, key func(i int) string, val func(i int)) {
	if n == 0 {
		w.b.WriteString("{}")
		return
	}
	w.b.WriteByte('{')
	w.depth++
	for i := 0; i < n; i++ {
		if i > 0 {
			w.b.WriteByte(',')
		}
		w.nl()
		w.jstr(key(i))
		w.b.WriteByte(':')
		if w.indent != "" {
			w.b.WriteByte(' ')
		}
		val(i)
	}
	w.depth--
	w.nl()
	w.b.WriteByte('}')
}

func (w *jsonWriter) array(n int, val func(i int)) {
	if n == 0 {
		w.b.WriteString("[]")
		return
	}
	w.b.WriteByte('[')
	w.depth++
	for i := 0; i < n; i++ {
		if i > 0 {
			w.b.WriteByte(',')
		}
		w.nl()
		val(i)
	}
	w.depth--
	w.nl()
	w.b.WriteByte(']')
}

func (w *jsonWriter) instance(inst *model.Instance) {
	props := inst.Values()
	n := len(props)
	extra := inst.ComputerName != ""
	if extra {
		n++
	}
	w.object(n, func(i int) string {
		if i == len(props) {
			return "PSComputerName"
		}
		return inst.NameAt(i)
	}, func(i int) {
		if i == len(props) {
			w.jstr(inst.ComputerName)
			return
		}
		w.value(props[i])
	})
}

func (w *jsonWriter) value(v model.Value) {
	if v.IsNull() {
		w.b.WriteString("null")
		return
	}
	if v.IsArray() {
		el := v.Elems()
		w.array(len(el), func(i int) { w.value(el[i]) })
		return
	}
	switch x := v.Interface().(type) {
	case bool:
		w.b.WriteString(strconv.FormatBool(x))
	case uint64:
		w.b.WriteString(strconv.FormatUint(x, 10))
	case int64:
		w.b.WriteString(strconv.FormatInt(x, 10))
	case uint16:
		w.b.WriteString(strconv.Itoa(int(x)))
	case float64:
		w.number(x)
	case string:
		w.jstr(x)
	case model.Datetime:
		w.jstr(x.String())
	case *model.Reference:
		w.jstr(x.String())
	case *model.Instance:
		w.instance(x)
	default:
		w.jstr(v.Text())
	}
}

func (w *jsonWriter) lua(v lua.LValue) {
	switch x := v.(type) {
	case *lua.LNilType:
		w.b.WriteString("null")
	case lua.LBool:
		w.b.WriteString(strconv.FormatBool(bool(x)))
	case lua.LNumber:
		w.number(float64(x))
	case lua.LString:
		w.jstr(string(x))
	case *lua.LTable:
		if w.visited[x] {
			w.err = "a table refers to itself"
			w.b.WriteString("null")
			return
		}
		w.visited[x] = true
		defer delete(w.visited, x)
		n := x.Len()
		count := 0
		x.ForEach(func(lua.LValue, lua.LValue) { count++ })
		if count == n {
			w.array(n, func(i int) { w.lua(x.RawGetInt(i + 1)) })
			return
		}
		keys := map[string]lua.LValue{}
		var names []string
		x.ForEach(func(k, val lua.LValue) {
			ks := w.L.ToStringMeta(k).String()
			keys[ks] = val
			names = append(names, ks)
		})
		sort.Strings(names)
		w.object(len(names), func(i int) string { return names[i] }, func(i int) { w.lua(keys[names[i]]) })
	case *lua.LUserData:
		switch u := x.Value.(type) {
		case *instanceUD:
			w.instance(u.inst)
		case *boxedInt:
			w.b.WriteString(u.v.String())
		case *classUD:
			w.jstr(u.c.Name)
		default:
			w.jstr(w.L.ToStringMeta(v).String())
		}
	default:
		w.jstr(w.L.ToStringMeta(v).String())
	}
}

// ToJSON renders a Lua value as JSON text.
func ToJSON(L *lua.LState, v lua.LValue, compress bool) (string, string) {
	w := &jsonWriter{L: L, indent: "  ", visited: map[*lua.LTable]bool{}}
	if compress {
		w.indent = ""
	}
	w.lua(v)
	return w.b.String(), w.err
}

func (m *Module) luaToJSON(L *lua.LState) int {
	a := decodeOpts(L, specByName("to_json"), "cim.to_json", optTable(L, 2, "cim.to_json"), false)
	s, err := ToJSON(L, L.Get(1), a.boolean("compress"))
	if err != "" {
		L.RaiseError("cim.to_json: %s", err)
	}
	L.Push(lua.LString(s))
	return 1
}

package luabind

import (
	"fmt"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// The formatters (format_table, format_list, to_csv, the REPL's
// printing) show a class as Get-CimClass's fields and a session as
// Get-CimSession's, through an instance of a class of cimsh's own made
// for the purpose; a class's list form spells out its schema.

// The classes of those instances.
const (
	rowClassCimClass   = "CimClass"
	rowClassCimSession = "CimSession"
)

func init() {
	Views[strings.ToLower(rowClassCimClass)] = []string{"CimClassName", "CimSuperClassName", "CimClassMethods", "CimClassProperties"}
	Views[strings.ToLower(rowClassCimSession)] = []string{"Id", "Name", "ComputerName", "Protocol", "Port", "Authentication", "Connected"}
}

// rowOf returns the row a formatter shows for v: an instance, a class or
// a session.
func rowOf(v lua.LValue) (row, bool) {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return row{}, false
	}
	switch x := ud.Value.(type) {
	case *instanceUD:
		return row{inst: x.inst}, true
	case *classUD:
		return row{inst: classRow(x.c), cls: x.c}, true
	case *sessionUD:
		return row{inst: sessionRow(x)}, true
	}
	return row{}, false
}

// IsRow reports whether the formatters show v as a row: an instance, a
// class or a session (the shell prints a list of them as a table).
func IsRow(v lua.LValue) bool {
	_, ok := rowOf(v)
	return ok
}

func stringOrNull(s string) model.Value {
	if s == "" {
		return model.Null(model.TypeString)
	}
	return model.String(s)
}

func stringArray(items []string) model.Value {
	vals := make([]model.Value, len(items))
	for i, s := range items {
		vals[i] = model.String(s)
	}
	return model.Array(model.TypeString, vals)
}

// classRow is a class in a table: its names, and the names of its
// methods and properties, as Get-CimClass's default view shows them.
func classRow(c *model.Class) *model.Instance {
	inst := model.NewInstance(rowClassCimClass, "")
	inst.Set("CimClassName", model.String(c.Name))
	inst.Set("CimSuperClassName", stringOrNull(c.SuperClass))
	methods := make([]string, len(c.Methods))
	for i, md := range c.Methods {
		methods[i] = md.Name
	}
	inst.Set("CimClassMethods", stringArray(methods))
	props := make([]string, len(c.Properties))
	for i, p := range c.Properties {
		props[i] = p.Name
	}
	inst.Set("CimClassProperties", stringArray(props))
	inst.Set("CimClassQualifiers", stringArray(qualifierTexts(c.Qualifiers)))
	inst.Set("Namespace", stringOrNull(c.Namespace))
	return inst
}

// classDetail is a class in a list (and its tostring): every property
// with its type and key/read/write flags, every method with its
// parameters, one a line.
func classDetail(c *model.Class) *model.Instance {
	inst := model.NewInstance(rowClassCimClass, "")
	inst.Set("CimClassName", model.String(c.Name))
	inst.Set("CimSuperClassName", stringOrNull(c.SuperClass))
	inst.Set("Namespace", stringOrNull(c.Namespace))
	inst.Set("CimClassQualifiers", stringOrNull(strings.Join(qualifierTexts(c.Qualifiers), ", ")))
	inst.Set("CimClassProperties", stringOrNull(propertyLines(c.Properties)))
	var methods []string
	for i := range c.Methods {
		methods = append(methods, methodLine(&c.Methods[i]))
	}
	inst.Set("CimClassMethods", stringOrNull(strings.Join(methods, "\n")))
	return inst
}

// ClassText is how a class prints: its list form.
func ClassText(L *lua.LState, c *model.Class) string {
	return strings.TrimRight(formatList(L, []row{{inst: classDetail(c)}}, nil, Style{}), "\n")
}

// typeText names a property's or parameter's type: "string", "uint8[]",
// "ref Win32_Service", "instance MSFT_Foo".
func typeText(t model.Type, array bool, refClass, embClass string) string {
	s := t.String()
	switch {
	case refClass != "":
		s = "ref " + refClass
	case embClass != "":
		s = "instance " + embClass
	}
	if array {
		s += "[]"
	}
	return s
}

// flagQualifiers are the boolean qualifiers a property line shows.
var flagQualifiers = []string{"read", "write", "required"}

// propertyLines is a table of the properties, one a line: name, type,
// flags (key, read, write, required) and units.
func propertyLines(props []model.PropertyDecl) string {
	nameW, typeW := 0, 0
	types := make([]string, len(props))
	for i, p := range props {
		types[i] = typeText(p.Type, p.Array, p.RefClass, p.EmbeddedClass)
		nameW, typeW = max(nameW, width(p.Name)), max(typeW, width(types[i]))
	}
	lines := make([]string, len(props))
	for i, p := range props {
		var flags []string
		if p.Key {
			flags = append(flags, "key")
		}
		for _, f := range flagQualifiers {
			if qualifierTrue(p.Qualifiers, f) {
				flags = append(flags, f)
			}
		}
		if q, ok := findQualifier(p.Qualifiers, "units"); ok {
			flags = append(flags, "units="+ValueText(q.Value))
		}
		l := p.Name + strings.Repeat(" ", nameW-width(p.Name)) + "  " + types[i]
		if len(flags) > 0 {
			l += strings.Repeat(" ", typeW-width(types[i])) + "  " + strings.Join(flags, " ")
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

// methodLine is a method's signature: "uint32 Change([in] string
// DisplayName, [in] uint8 ErrorControl)", static ones marked.
func methodLine(md *model.Method) string {
	params := make([]string, len(md.Parameters))
	for i, p := range md.Parameters {
		var dir []string
		if p.In {
			dir = append(dir, "in")
		}
		if p.Out {
			dir = append(dir, "out")
		}
		s := typeText(p.Type, p.Array, p.RefClass, p.EmbeddedClass) + " " + p.Name
		if len(dir) > 0 {
			s = "[" + strings.Join(dir, ", ") + "] " + s
		}
		params[i] = s
	}
	ret := "void"
	if md.ReturnType != model.TypeUnknown {
		ret = md.ReturnType.String()
	}
	s := fmt.Sprintf("%s %s(%s)", ret, md.Name, strings.Join(params, ", "))
	if md.Static {
		s = "static " + s
	}
	return s
}

// qualifierTexts shows qualifiers as "name" (true booleans) or
// "name = value".
func qualifierTexts(qs []model.Qualifier) []string {
	out := make([]string, 0, len(qs))
	for _, q := range qs {
		if b, ok := q.Value.AsBool(); ok && b && !q.Value.IsArray() {
			out = append(out, q.Name)
			continue
		}
		out = append(out, q.Name+" = "+ValueText(q.Value))
	}
	return out
}

func findQualifier(qs []model.Qualifier, name string) (model.Qualifier, bool) {
	for _, q := range qs {
		if strings.EqualFold(q.Name, name) {
			return q, true
		}
	}
	return model.Qualifier{}, false
}

func qualifierTrue(qs []model.Qualifier, name string) bool {
	q, ok := findQualifier(qs, name)
	if !ok {
		return false
	}
	b, isBool := q.Value.AsBool()
	return isBool && b
}

// sessionRow is a session as Get-CimSession shows it.
func sessionRow(s *sessionUD) *model.Instance {
	inst := model.NewInstance(rowClassCimSession, "")
	inst.Set("Id", model.Uint(model.TypeUint32, uint64(s.s.ID())))
	inst.Set("Name", model.String(s.s.Name()))
	inst.Set("InstanceId", model.String(s.s.InstanceID()))
	host := s.s.ComputerName()
	if s.s.IsLocal() {
		host = "localhost"
	}
	inst.Set("ComputerName", model.String(host))
	inst.Set("Protocol", model.String(s.s.Protocol()))
	if port := s.s.Port(); port > 0 {
		inst.Set("Port", model.Uint(model.TypeUint32, uint64(port)))
	} else {
		inst.Set("Port", model.Null(model.TypeUint32)) // the local machine: no port
	}
	inst.Set("Authentication", model.String(string(s.s.Authentication())))
	inst.Set("Connected", model.Bool(s.s.Connected()))
	return inst
}

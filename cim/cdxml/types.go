package cdxml

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// Kind is what a parameter's .NET type becomes in cimsh.
type Kind int

// The kinds of parameter types.
const (
	KindValue    Kind = iota // a CIM scalar type (CIM says which)
	KindSwitch               // a switch: a boolean that is false unless given
	KindEnum                 // an enum of the document: names or numbers
	KindInstance             // a CIM instance (CimInstance)
	KindAny                  // a .NET type cimsh does not know: passed as given
)

// Type is a parameter's type, resolved from its PSType.
type Type struct {
	PSType   string     // as written
	Kind     Kind       //
	CIM      model.Type // KindValue and KindEnum (the underlying type); TypeBoolean for a switch
	Array    bool       // PSType ends in []
	Interval bool       // a TimeSpan (a CIM interval datetime)
	Enum     *EnumType  // KindEnum
	// Class is the CIM class an instance parameter expects, from its
	// ETSType ("Microsoft.Management.Infrastructure.CimInstance#root/cimv2/Win32_Process"), when given.
	Class string
}

// String names the type for help and messages: "uint32", "string[]",
// "NetAdapter.State", "instance of Win32_Process".
func (t Type) String() string {
	var s string
	switch t.Kind {
	case KindSwitch:
		return "switch"
	case KindEnum:
		s = t.Enum.Name
	case KindInstance:
		s = "instance"
		if t.Class != "" {
			s += " of " + t.Class
		}
	case KindAny:
		s = t.PSType
	default:
		s = t.CIM.String()
		if t.Interval {
			s = "interval"
		}
	}
	if t.Array && !strings.HasSuffix(s, "[]") {
		s += "[]"
	}
	return s
}

// EnumType is an <Enum> ready for use: its values by name.
type EnumType struct {
	Name   string
	CIM    model.Type // the underlying integer type
	Flags  bool
	Values []EnumMember // in document order
}

// EnumMember is one named value of an enum.
type EnumMember struct {
	Name  string
	Value model.Value // of the enum's CIM type
}

// Lookup finds a member by name, case-insensitively (as PowerShell does).
func (e *EnumType) Lookup(name string) (EnumMember, bool) {
	for _, m := range e.Values {
		if strings.EqualFold(m.Name, strings.TrimSpace(name)) {
			return m, true
		}
	}
	return EnumMember{}, false
}

// Names lists the members' names in document order.
func (e *EnumType) Names() []string {
	out := make([]string, len(e.Values))
	for i, m := range e.Values {
		out[i] = m.Name
	}
	return out
}

// generatedPrefix is the namespace PowerShell puts CDXML enums in; a
// PSType may name an enum with it or without.
const generatedPrefix = "microsoft.powershell.cmdletization.generatedtypes."

// dotnetTypes maps lower-case .NET type names (without "System.") to CIM
// types.
var dotnetTypes = map[string]model.Type{
	"string": model.TypeString, "char": model.TypeChar16,
	"bool": model.TypeBoolean, "boolean": model.TypeBoolean,
	"byte": model.TypeUint8, "sbyte": model.TypeSint8,
	"int16": model.TypeSint16, "short": model.TypeSint16, "uint16": model.TypeUint16, "ushort": model.TypeUint16,
	"int": model.TypeSint32, "int32": model.TypeSint32, "uint32": model.TypeUint32, "uint": model.TypeUint32,
	"int64": model.TypeSint64, "long": model.TypeSint64, "uint64": model.TypeUint64, "ulong": model.TypeUint64,
	"single": model.TypeReal32, "float": model.TypeReal32, "double": model.TypeReal64, "decimal": model.TypeReal64,
	"datetime": model.TypeDatetime,
	// Sent as their text, as the CIM types of such parameters are strings.
	"guid": model.TypeString, "net.ipaddress": model.TypeString, "ipaddress": model.TypeString,
	"version": model.TypeString, "uri": model.TypeString, "security.securestring": model.TypeString,
	"securestring": model.TypeString,
}

// enumUnderlying returns the CIM type of an enum's UnderlyingType.
func enumUnderlying(s string) (model.Type, bool) {
	if strings.TrimSpace(s) == "" {
		return model.TypeSint32, true
	}
	t, ok := dotnetTypes[strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "system.")]
	if !ok || !t.IsInteger() {
		return model.TypeUnknown, false
	}
	return t, true
}

// resolveType turns a PSType into a Type, looking enum names up in enums
// (by lower-case name, without PowerShell's generated-types prefix).
func resolveType(ref TypeRef, enums map[string]*EnumType) Type {
	t := Type{PSType: ref.PSType}
	name := strings.TrimSpace(ref.PSType)
	if i := strings.IndexByte(name, ','); i >= 0 && !strings.Contains(name[:i], "[[") {
		name = strings.TrimSpace(name[:i]) // an assembly-qualified name
	}
	name = strings.ReplaceAll(name, " ", "")
	// System.Nullable`1[[System.UInt32, mscorlib, ...]] is its argument.
	if l := strings.ToLower(name); strings.HasPrefix(l, "system.nullable`1[[") || strings.HasPrefix(l, "nullable`1[[") {
		inner := name[strings.Index(name, "[[")+2:]
		if j := strings.IndexAny(inner, ",]"); j >= 0 {
			inner = inner[:j]
		}
		name = inner
	}
	if strings.HasSuffix(name, "[]") {
		t.Array = true
		name = strings.TrimSuffix(name, "[]")
	}
	lower := strings.ToLower(name)
	bare := strings.TrimPrefix(strings.TrimPrefix(lower, generatedPrefix), "system.")
	if e, ok := enums[strings.TrimPrefix(lower, generatedPrefix)]; ok {
		t.Kind, t.Enum, t.CIM = KindEnum, e, e.CIM
		return t
	}
	switch bare {
	case "switch", "management.automation.switchparameter", "switchparameter":
		t.Kind, t.CIM = KindSwitch, model.TypeBoolean
		return t
	case "timespan":
		t.Kind, t.CIM, t.Interval = KindValue, model.TypeDatetime, true
		return t
	case "microsoft.management.infrastructure.ciminstance", "ciminstance":
		t.Kind, t.CIM = KindInstance, model.TypeInstance
		if _, cls, ok := strings.Cut(ref.ETSType, "#"); ok {
			_, t.Class = splitClassName(cls)
		}
		return t
	}
	if c, ok := dotnetTypes[bare]; ok {
		t.Kind, t.CIM = KindValue, c
		return t
	}
	t.Kind, t.CIM = KindAny, model.TypeUnknown
	return t
}

// compileEnums makes the enums of the documents usable, by lower-case
// name; an enum defined in two files of a module must agree.
func compileEnums(docs []*Document) (map[string]*EnumType, error) {
	out := map[string]*EnumType{}
	for _, d := range docs {
		for _, e := range d.Enums {
			under, _ := enumUnderlying(e.Underlying)
			et := &EnumType{Name: e.Name, CIM: under, Flags: e.Flags}
			for _, v := range e.Values {
				n, _ := new(big.Int).SetString(v.Value, 10)
				val, err := model.Convert(bigValue(n), under, false)
				if err != nil {
					return nil, &ParseError{File: d.File, Line: e.Line, Msg: fmt.Sprintf("enum %s: value %s = %s does not fit its %s type", e.Name, v.Name, v.Value, under)}
				}
				et.Values = append(et.Values, EnumMember{Name: v.Name, Value: val})
			}
			key := strings.ToLower(e.Name)
			if old, ok := out[key]; ok && !sameEnum(old, et) {
				return nil, &ParseError{File: d.File, Line: e.Line, Msg: fmt.Sprintf("enum %s is defined differently in another file of the module", e.Name)}
			}
			out[key] = et
		}
	}
	return out, nil
}

func sameEnum(a, b *EnumType) bool {
	if a.CIM != b.CIM || a.Flags != b.Flags || len(a.Values) != len(b.Values) {
		return false
	}
	for i := range a.Values {
		if !strings.EqualFold(a.Values[i].Name, b.Values[i].Name) || !model.Equal(a.Values[i].Value, b.Values[i].Value) {
			return false
		}
	}
	return true
}

// bigValue is n as an untyped CIM integer (Convert types it).
func bigValue(n *big.Int) model.Value {
	if n.Sign() < 0 {
		if n.IsInt64() {
			return model.Sint(model.TypeSint64, n.Int64())
		}
		return model.String(n.String())
	}
	if n.IsUint64() {
		return model.Uint(model.TypeUint64, n.Uint64())
	}
	return model.String(n.String())
}

package model

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func TestEqual(t *testing.T) {
	ref := func(v string) *Reference {
		return &Reference{ClassName: "C", Namespace: "root/cimv2", Selectors: []Selector{{Name: "K", Value: v}, {Name: "L", Value: "x"}}}
	}
	inst := func(v string) *Instance {
		i := NewInstance("C", "")
		i.Set("A", String(v))
		return i
	}
	tests := []struct {
		name string
		a, b Value
		want bool
	}{
		{"zero values", Value{}, Value{}, true},
		{"null of different types", Null(TypeString), Null(TypeUint8), false},
		{"null vs value", Null(TypeString), String(""), false},
		{"null scalar vs null array", Null(TypeString), NullArray(TypeString), false},
		{"same uint", Uint(TypeUint64, math.MaxUint64), Uint(TypeUint64, math.MaxUint64), true},
		{"same number, different width", Uint(TypeUint8, 1), Uint(TypeUint16, 1), false},
		{"uint vs sint", Uint(TypeSint32, 1), Sint(TypeSint32, 1), false},
		{"strings are case-sensitive", String("a"), String("A"), false},
		{"bools", Bool(true), Bool(true), true},
		{"NaN equals NaN", Real(TypeReal64, math.NaN()), Real(TypeReal64, math.NaN()), true},
		{"reals", Real(TypeReal32, 1.5), Real(TypeReal32, 1.25), false},
		{"char16", Char16('a'), Char16('a'), true},
		{"datetimes by instant", DatetimeValue(NewTimestamp(time.Date(2024, 1, 1, 1, 0, 0, 0, time.FixedZone("", 3600)))), DatetimeValue(NewTimestamp(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))), true},
		{"references by content", Ref(ref("1")), Ref(ref("1")), true},
		{"references differ", Ref(ref("1")), Ref(ref("2")), false},
		{"instances by content", Embedded(inst("x")), Embedded(inst("x")), true},
		{"instances differ", Embedded(inst("x")), Embedded(inst("y")), false},
		{"arrays", Array(TypeUint8, []Value{Uint(TypeUint8, 1), Null(TypeUint8)}), Array(TypeUint8, []Value{Uint(TypeUint8, 1), Null(TypeUint8)}), true},
		{"array lengths", Array(TypeUint8, []Value{Uint(TypeUint8, 1)}), Array(TypeUint8, nil), false},
		{"array elements", Array(TypeString, []Value{String("a")}), Array(TypeString, []Value{String("b")}), false},
		{"empty vs null array", Array(TypeString, nil), NullArray(TypeString), false},
		{"array vs scalar", Array(TypeString, []Value{String("a")}), String("a"), false},
	}
	for _, tt := range tests {
		if got := Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: Equal(%s, %s) = %v", tt.name, tt.a, tt.b, got)
		}
		if got := Equal(tt.b, tt.a); got != tt.want {
			t.Errorf("%s: Equal is not symmetric", tt.name)
		}
	}
}

func TestValueText(t *testing.T) {
	tests := []struct {
		v    Value
		text string
		str  string
	}{
		{Null(TypeString), "", "NULL"},
		{Bool(false), "false", "false"},
		{Uint(TypeUint64, math.MaxUint64), "18446744073709551615", ""},
		{Sint(TypeSint64, math.MinInt64), "-9223372036854775808", ""},
		{Real(TypeReal32, 0.1), "0.1", ""},
		{Real(TypeReal64, math.Inf(-1)), "-INF", ""},
		{Real(TypeReal64, math.NaN()), "NaN", ""},
		{Char16(65), "65", ""},
		{String("x y"), "x y", ""},
		{Array(TypeString, []Value{String("a"), Null(TypeString)}), "{a, }", ""},
		{Ref(&Reference{ClassName: "C", Selectors: []Selector{{Name: "__cimnamespace", Value: "root"}, {Name: "K", Value: `a"b`}}}), `C.K="a\"b"`, ""},
	}
	for _, tt := range tests {
		if got := tt.v.Text(); got != tt.text {
			t.Errorf("Text() = %q, want %q", got, tt.text)
		}
		want := tt.str
		if want == "" {
			want = tt.text
		}
		if got := fmt.Sprint(tt.v); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
	if Ref(nil).IsNull() != true || Embedded(nil).Type() != TypeInstance {
		t.Error("nil reference/instance constructors")
	}
	a := Array(TypeUint8, []Value{Uint(TypeUint8, 3)})
	if a.Len() != 1 || !a.IsArray() || Uint(TypeUint8, 3).Len() != 0 {
		t.Error("Len/IsArray")
	}
	if f, ok := Char16(7).AsFloat(); !ok || f != 7 {
		t.Error("AsFloat of char16")
	}
	if _, ok := String("1").AsFloat(); ok {
		t.Error("AsFloat of a string")
	}
}

func TestInstance(t *testing.T) {
	i := NewInstance("Win32_Service", "root/cimv2")
	i.SetKey("Name", String("WinRM"))
	i.Set("State", String("Running"))
	i.Set("StartMode", String("Auto"))

	if v, ok := i.Get("name"); !ok || v.Text() != "WinRM" {
		t.Fatalf("Get is not case-insensitive: %v %v", v, ok)
	}
	if v, ok := i.Get("STATE"); !ok || v.Text() != "Running" {
		t.Fatal("Get STATE")
	}
	if _, ok := i.Get("Missing"); ok {
		t.Fatal("Get of a missing property")
	}
	// Set replaces in place, keeping position, key flag and original name.
	i.Set("NAME", String("Spooler"))
	if got := strings.Join(i.Names(), ","); got != "Name,State,StartMode" {
		t.Fatalf("names after Set %s", got)
	}
	if p, ok := i.Lookup("name"); !ok || !p.Key || p.Value.Text() != "Spooler" {
		t.Fatalf("property after Set %+v", p)
	}
	if got := i.String(); got != `Win32_Service (Name = "Spooler")` {
		t.Fatalf("String %s", got)
	}
	if got := i.Path().String(); got != `Win32_Service.Name="Spooler"` {
		t.Fatalf("Path %s", got)
	}

	c := i.Clone()
	c.Set("State", String("Stopped"))
	if v, _ := i.Get("State"); v.Text() != "Running" {
		t.Fatal("Clone shares properties")
	}
	if !i.Equal(i.Clone()) || i.Equal(c) {
		t.Fatal("Equal")
	}

	i.MarkKeys([]string{"STATE", "startmode"})
	if got := len(i.Keys()); got != 2 || i.IsKey("Name") {
		t.Fatalf("MarkKeys: %d keys", got)
	}
	if !i.Remove("statE") || i.Remove("State") || i.Index("State") != -1 || i.Len() != 2 {
		t.Fatal("Remove")
	}

	// Path falls back to the Ref when no property is marked as a key.
	j := NewInstance("X", "ns")
	j.Ref = &Reference{Selectors: []Selector{{Name: "K", Value: "1"}}}
	if p := j.Path(); p.ClassName != "X" || p.Namespace != "ns" || len(p.Selectors) != 1 {
		t.Fatalf("Path from Ref %+v", p)
	}
	j.Ref.Selectors[0].Value = "2"
	if p := j.Clone(); p.Ref == j.Ref {
		t.Fatal("Clone shares Ref")
	}
	var nilInst *Instance
	if !nilInst.Equal(nil) || nilInst.Equal(j) {
		t.Fatal("nil Equal")
	}
}

func TestReference(t *testing.T) {
	a := &Reference{ClassName: "Win32_Service", Namespace: "root/cimv2", Selectors: []Selector{{Name: "Name", Value: "WinRM"}, {Name: "X", Value: "1"}}}
	b := &Reference{ClassName: "win32_service", Namespace: "ROOT/CIMV2", Selectors: []Selector{{Name: "x", Value: "1"}, {Name: "NAME", Value: "WinRM"}}}
	if !a.Equal(b) {
		t.Fatal("Equal ignores case of names and order of selectors")
	}
	b.Selectors[1].Value = "winrm"
	if a.Equal(b) {
		t.Fatal("selector values compare exactly")
	}
	if s, ok := a.Selector("name"); !ok || s.Value != "WinRM" {
		t.Fatal("Selector lookup")
	}
	c := a.Clone()
	c.Selectors[0].Value = "changed"
	if a.Selectors[0].Value != "WinRM" {
		t.Fatal("Clone shares selectors")
	}
	nested := &Reference{ClassName: "Assoc", Selectors: []Selector{{Name: "Antecedent", Ref: a}}}
	if got := nested.String(); got != `Assoc.Antecedent="Win32_Service.Name=\"WinRM\",X=\"1\""` {
		t.Fatalf("nested String %s", got)
	}
	if !nested.Equal(nested.Clone()) {
		t.Fatal("nested Clone")
	}
}

func TestClass(t *testing.T) {
	c := &Class{
		Name: "Win32_Service", Qualifiers: []Qualifier{{Name: "dynamic", Value: Bool(true)}},
		Properties: []PropertyDecl{{Name: "Name", Type: TypeString, Key: true}, {Name: "State", Type: TypeString}, {Name: "Tag", Type: TypeUint32, Key: true}},
		Methods:    []Method{{Name: "StopService", ReturnType: TypeUint32, Parameters: []Parameter{{Name: "Force", Type: TypeBoolean, In: true}}}},
	}
	if c.Property("state") == nil || c.Property("nope") != nil {
		t.Error("Property lookup")
	}
	if m := c.Method("stopservice"); m == nil || m.Parameter("FORCE") == nil || m.Parameter("x") != nil {
		t.Error("Method/Parameter lookup")
	}
	if got := strings.Join(c.KeyNames(), ","); got != "Name,Tag" {
		t.Errorf("KeyNames %s", got)
	}
	if _, ok := c.Qualifier("DYNAMIC"); !ok || c.IsAssociation() {
		t.Error("qualifiers")
	}
	c.Qualifiers = append(c.Qualifiers, Qualifier{Name: "Association", Value: Bool(true)})
	if !c.IsAssociation() {
		t.Error("IsAssociation")
	}
	c.Qualifiers[1].Value = Bool(false)
	if c.IsAssociation() {
		t.Error("Association(false)")
	}
}

func TestFault(t *testing.T) {
	f := NewFault(CIMNotFound, "no instance %s", `Win32_Service.Name="x"`)
	if f.Category != CategoryNotFound || f.CIMStatus != CIMNotFound {
		t.Fatalf("%+v", f)
	}
	if got, want := f.Error(), `no instance Win32_Service.Name="x" [CIM 6 CIM_ERR_NOT_FOUND]`; got != want {
		t.Fatalf("Error() %q, want %q", got, want)
	}
	wrapped := fmt.Errorf("cim: get: %w", f)
	if !errors.Is(wrapped, ErrNotFound) || errors.Is(wrapped, ErrAccessDenied) {
		t.Fatal("errors.Is by category")
	}
	if g, ok := AsFault(wrapped); !ok || g != f {
		t.Fatal("AsFault through a wrap")
	}
	if _, ok := AsFault(errors.New("x")); ok {
		t.Fatal("AsFault of a plain error")
	}

	full := &Fault{
		Category: CategoryAccessDenied, ComputerName: "srv1", HTTPStatus: 500,
		Subcode: "w:AccessDenied", WSManCode: 5, WSManMessage: "Access is denied.",
		CIMStatus: CIMAccessDenied, ErrorCode: 0x80041003,
	}
	if got, want := full.Error(), "srv1: Access is denied. [HTTP 500, w:AccessDenied, WS-Man 5 (0x00000005), CIM 2 CIM_ERR_ACCESS_DENIED, 0x80041003]"; got != want {
		t.Fatalf("Error()\n got %q\nwant %q", got, want)
	}
	tests := []struct {
		f    *Fault
		want string
	}{
		{&Fault{HTTPStatus: 401, Category: CategoryAccessDenied}, "credentials rejected [HTTP 401]"},
		{&Fault{Category: CategoryCanceled, Err: context.Canceled}, "context canceled"},
		{&Fault{Category: CategoryInvalidQuery}, "invalid query"},
		{&Fault{}, "unknown failure"},
		{&Fault{Reason: "  The reason  ", CIMMessage: " "}, "The reason"},
	}
	for _, tt := range tests {
		if got := tt.f.Error(); got != tt.want {
			t.Errorf("Error() %q, want %q", got, tt.want)
		}
	}
	canceled := &Fault{Category: CategoryCanceled, Err: context.Canceled}
	if !errors.Is(canceled, context.Canceled) || !errors.Is(canceled, ErrCanceled) {
		t.Error("a canceled fault is context.Canceled and ErrCanceled")
	}
	if !errors.Is(NewFault(CIMInvalidNamespace, "x"), ErrInvalidNamespace) || !errors.Is(NewFault(CIMAlreadyExists, "x"), ErrAlreadyExists) ||
		!errors.Is(NewFault(CIMFailed, "x"), ErrFailed) || !errors.Is(NewFault(CIMMethodNotFound, "x"), ErrMethodMissing) {
		t.Error("sentinels for the remaining categories")
	}
	if ErrNotFound.Error() != "cim: not found" {
		t.Errorf("sentinel text %q", ErrNotFound.Error())
	}
}

func TestCIMStatus(t *testing.T) {
	tests := []struct {
		s    CIMStatus
		name string
		cat  Category
	}{
		{CIMFailed, "CIM_ERR_FAILED", CategoryFailed},
		{CIMAccessDenied, "CIM_ERR_ACCESS_DENIED", CategoryAccessDenied},
		{CIMInvalidNamespace, "CIM_ERR_INVALID_NAMESPACE", CategoryInvalidNamespace},
		{CIMInvalidParameter, "CIM_ERR_INVALID_PARAMETER", CategoryInvalidParameter},
		{CIMTypeMismatch, "CIM_ERR_TYPE_MISMATCH", CategoryInvalidParameter},
		{CIMInvalidClass, "CIM_ERR_INVALID_CLASS", CategoryInvalidClass},
		{CIMNotFound, "CIM_ERR_NOT_FOUND", CategoryNotFound},
		{CIMNotSupported, "CIM_ERR_NOT_SUPPORTED", CategoryNotSupported},
		{CIMQueryLanguageNotSupported, "CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED", CategoryNotSupported},
		{CIMAlreadyExists, "CIM_ERR_ALREADY_EXISTS", CategoryAlreadyExists},
		{CIMInvalidQuery, "CIM_ERR_INVALID_QUERY", CategoryInvalidQuery},
		{CIMMethodNotFound, "CIM_ERR_METHOD_NOT_FOUND", CategoryMethodNotFound},
		{CIMServerLimitsExceeded, "CIM_ERR_SERVER_LIMITS_EXCEEDED", CategoryQuota},
		{CIMStatus(99), "CIM_ERR_99", CategoryFailed},
	}
	for _, tt := range tests {
		if tt.s.String() != tt.name || tt.s.Category() != tt.cat {
			t.Errorf("%d: %s %s, want %s %s", int(tt.s), tt.s, tt.s.Category(), tt.name, tt.cat)
		}
	}
}

func TestNamespaceOr(t *testing.T) {
	if NamespaceOr("") != "root/cimv2" || NamespaceOr("root/x") != "root/x" {
		t.Error("NamespaceOr")
	}
}

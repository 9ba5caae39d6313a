package local

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// The keys Windows' object paths carry for each class.
var wantKeys = map[string][]string{
	"Win32_OperatingSystem":             nil, // a singleton: Win32_OperatingSystem=@
	"Win32_ComputerSystem":              {"Name"},
	"Win32_Process":                     {"Handle"},
	"Win32_LogicalDisk":                 {"DeviceID"},
	"Win32_Service":                     {"Name"},
	"Win32_NetworkAdapterConfiguration": {"Index"},
	"Win32_Processor":                   {"DeviceID"},
	"Win32_BIOS":                        {"Name", "SoftwareElementID", "SoftwareElementState", "TargetOperatingSystem", "Version"},
	"Win32_ComputerSystemProduct":       {"IdentifyingNumber", "Name", "Version"},
	"Win32_QuickFixEngineering":         {"HotFixID", "ServicePackInEffect"},
	"Win32_Product":                     {"IdentifyingNumber", "Name", "Version"},
}

func TestClassSchemas(t *testing.T) {
	p := newTestProvider(t)
	ctx := testCtx(t)
	for class, keys := range wantKeys {
		c, err := p.GetClass(ctx, &model.GetClassRequest{ClassName: class})
		if err != nil {
			t.Fatalf("GetClass %s: %v", class, err)
		}
		if got := c.KeyNames(); !slices.Equal(got, keys) {
			t.Errorf("%s keys = %v, want %v", class, got, keys)
		}
		if c.Namespace != "root/cimv2" {
			t.Errorf("%s namespace = %q", class, c.Namespace)
		}
		if !strings.HasPrefix(c.SuperClass, "CIM_") && !strings.HasPrefix(c.SuperClass, "Win32_") {
			t.Errorf("%s superclass = %q, want a CIM_ or Win32_ class", class, c.SuperClass)
		}
	}
	_, isSingleton := mustClass(t, "Win32_OperatingSystem").Qualifier("Singleton")
	if !isSingleton {
		t.Error("Win32_OperatingSystem lacks the Singleton qualifier")
	}
}

func mustClass(t *testing.T, name string) *model.Class {
	t.Helper()
	s, err := schemas()
	if err != nil {
		t.Fatal(err)
	}
	c := s.class(name)
	if c == nil {
		t.Fatalf("class %s not declared", name)
	}
	return c
}

// Types and units of the properties scripts rely on, as Windows' MOF has
// them.
func TestPropertyTypes(t *testing.T) {
	tests := []struct {
		class, prop string
		typ         model.Type
		array       bool
		units       string
	}{
		{"Win32_OperatingSystem", "TotalVisibleMemorySize", model.TypeUint64, false, "kilobytes"},
		{"Win32_OperatingSystem", "FreePhysicalMemory", model.TypeUint64, false, "kilobytes"},
		{"Win32_OperatingSystem", "LastBootUpTime", model.TypeDatetime, false, ""},
		{"Win32_OperatingSystem", "NumberOfProcesses", model.TypeUint32, false, ""},
		{"Win32_OperatingSystem", "OSType", model.TypeUint16, false, ""},
		{"Win32_OperatingSystem", "CurrentTimeZone", model.TypeSint16, false, "minutes"},
		{"Win32_OperatingSystem", "MUILanguages", model.TypeString, true, ""},
		{"Win32_ComputerSystem", "TotalPhysicalMemory", model.TypeUint64, false, "bytes"},
		{"Win32_ComputerSystem", "NumberOfLogicalProcessors", model.TypeUint32, false, ""},
		{"Win32_Process", "ProcessId", model.TypeUint32, false, ""},
		{"Win32_Process", "Handle", model.TypeString, false, ""},
		{"Win32_Process", "WorkingSetSize", model.TypeUint64, false, "bytes"},
		{"Win32_Process", "CreationDate", model.TypeDatetime, false, ""},
		{"Win32_Process", "KernelModeTime", model.TypeUint64, false, "100 nanoseconds"},
		{"Win32_LogicalDisk", "Size", model.TypeUint64, false, "bytes"},
		{"Win32_LogicalDisk", "DriveType", model.TypeUint32, false, ""},
		{"Win32_Service", "ProcessId", model.TypeUint32, false, ""},
		{"Win32_Service", "Started", model.TypeBoolean, false, ""},
		{"Win32_NetworkAdapterConfiguration", "IPAddress", model.TypeString, true, ""},
		{"Win32_NetworkAdapterConfiguration", "Index", model.TypeUint32, false, ""},
		{"Win32_Processor", "MaxClockSpeed", model.TypeUint32, false, "megahertz"},
		{"Win32_BIOS", "ReleaseDate", model.TypeDatetime, false, ""},
		{"Win32_BIOS", "BIOSVersion", model.TypeString, true, ""},
		{"Win32_Product", "InstallState", model.TypeSint16, false, ""},
	}
	for _, tt := range tests {
		pd := mustClass(t, tt.class).Property(tt.prop)
		if pd == nil {
			t.Errorf("%s has no property %s", tt.class, tt.prop)
			continue
		}
		if pd.Type != tt.typ || pd.Array != tt.array {
			t.Errorf("%s.%s is %v (array %v), want %v (array %v)", tt.class, tt.prop, pd.Type, pd.Array, tt.typ, tt.array)
		}
		units := ""
		for _, q := range pd.Qualifiers {
			if q.Name == "Units" {
				units, _ = q.Value.AsString()
			}
		}
		if units != tt.units {
			t.Errorf("%s.%s units %q, want %q", tt.class, tt.prop, units, tt.units)
		}
	}
}

func TestMethodsDeclared(t *testing.T) {
	c := mustClass(t, "Win32_Process")
	create := c.Method("Create")
	if create == nil || !create.Static || create.ReturnType != model.TypeUint32 || create.Parameter("ProcessId") == nil || !create.Parameter("ProcessId").Out {
		t.Errorf("Win32_Process.Create = %+v", create)
	}
	term := c.Method("Terminate")
	if term == nil || term.Static || term.Parameter("Reason") == nil || !term.Parameter("Reason").In {
		t.Errorf("Win32_Process.Terminate = %+v", term)
	}
}

func TestParsePropsErrors(t *testing.T) {
	for _, src := range []string{"uint32", "integer Foo", "string Foo bogus"} {
		if _, err := parseProps("X", src); err == nil || !strings.HasPrefix(err.Error(), "local: ") {
			t.Errorf("parseProps(%q) error = %v", src, err)
		}
	}
	s := newSchemaSet()
	if _, err := s.declare("A", "Missing", ""); err == nil {
		t.Error("declaring a class with an undeclared superclass succeeded")
	}
}

// Every instance of every class holds exactly its schema's properties, in
// the declared types: the instances are what Get-CimClass promises.
func TestInstancesMatchSchema(t *testing.T) {
	p := newTestProvider(t)
	s, _ := schemas()
	ctx := testCtx(t)
	for _, c := range s.order {
		insts, err := tryEnumerate(ctx, p, &model.EnumerateRequest{ClassName: c.Name, Shallow: true})
		if err != nil {
			t.Errorf("enumerating %s: %v", c.Name, err)
			continue
		}
		for _, inst := range insts {
			if !strings.EqualFold(inst.ClassName, c.Name) {
				t.Errorf("shallow %s returned a %s", c.Name, inst.ClassName)
			}
			if len(inst.Properties) != len(c.Properties) {
				t.Errorf("%s has %d properties, schema %d", inst, len(inst.Properties), len(c.Properties))
			}
			for _, pr := range inst.Properties {
				pd := c.Property(pr.Name)
				if pd == nil {
					t.Errorf("%s: property %s not in the schema", inst, pr.Name)
					continue
				}
				if pr.Value.Type() != pd.Type || pr.Value.IsArray() != pd.Array {
					t.Errorf("%s.%s = %v of type %v (array %v), schema %v (array %v)", inst, pr.Name, pr.Value, pr.Value.Type(), pr.Value.IsArray(), pd.Type, pd.Array)
				}
				if pr.Key && pr.Value.IsNull() {
					t.Errorf("%s: key %s is NULL", inst, pr.Name)
				}
			}
		}
	}
}

// The CIM_ base classes return the Win32_ instances, as on Windows.
func TestBaseClassesReturnSubclassInstances(t *testing.T) {
	p := newTestProvider(t)
	pairs := map[string]string{
		"CIM_OperatingSystem": "Win32_OperatingSystem",
		"CIM_ComputerSystem":  "Win32_ComputerSystem",
		"CIM_LogicalDisk":     "Win32_LogicalDisk",
		"CIM_Processor":       "Win32_Processor",
		"CIM_Service":         "Win32_Service",
		"CIM_Product":         "Win32_Product",
	}
	for base, sub := range pairs {
		b := enumClass(t, p, base)
		w := enumClass(t, p, sub)
		count := 0
		for _, inst := range b {
			if inst.ClassName == sub {
				count++
			}
		}
		if count != len(w) {
			t.Errorf("%s returned %d %s instances, %s returned %d", base, count, sub, sub, len(w))
		}
	}
	if n := len(enumClass(t, p, "CIM_OperatingSystem")); n != 1 {
		t.Errorf("CIM_OperatingSystem returned %d instances, want 1", n)
	}
}

// Every class enumerates on this OS without error, deep (so the CIM_
// bases gather their subclasses) and with a cancelled context gives a
// canceled fault rather than a panic.
func TestEveryClassEnumerates(t *testing.T) {
	p := newTestProvider(t)
	classes, err := p.EnumerateClasses(testCtx(t), &model.EnumerateClassesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(classes) != len(classDecls) {
		t.Errorf("%d classes registered, %d declared", len(classes), len(classDecls))
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range classes {
		if _, err := tryEnumerate(testCtx(t), p, &model.EnumerateRequest{ClassName: c.Name}); err != nil {
			t.Errorf("enumerating %s: %v", c.Name, err)
		}
		_, err := tryEnumerate(cancelled, p, &model.EnumerateRequest{ClassName: c.Name})
		if !errors.Is(err, model.ErrCanceled) {
			t.Errorf("enumerating %s with a cancelled context: %v, want a canceled fault", c.Name, err)
		}
	}
	id, err := p.Identify(testCtx(t))
	if err != nil || id.ProductVendor != "cimsh" {
		t.Errorf("Identify = %+v, %v", id, err)
	}
}

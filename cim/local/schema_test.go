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

// Types, array-ness and units of the properties scripts rely on, as
// Microsoft's published class pages (learn.microsoft.com,
// cimwin32prov/win32-* and msiprov/win32-product) give them. Units are
// checked where the row names them.
func TestPropertyTypes(t *testing.T) {
	const (
		str   = model.TypeString
		b     = model.TypeBoolean
		dt    = model.TypeDatetime
		u8    = model.TypeUint8
		u16   = model.TypeUint16
		u32   = model.TypeUint32
		u64   = model.TypeUint64
		s16   = model.TypeSint16
		s64   = model.TypeSint64
		array = true
	)
	tests := []struct {
		class, prop string
		typ         model.Type
		array       bool
		units       string
	}{
		{"Win32_OperatingSystem", "Caption", str, false, ""},
		{"Win32_OperatingSystem", "Version", str, false, ""},
		{"Win32_OperatingSystem", "BuildNumber", str, false, ""},
		{"Win32_OperatingSystem", "CSName", str, false, ""},
		{"Win32_OperatingSystem", "Name", str, false, ""},
		{"Win32_OperatingSystem", "InstallDate", dt, false, ""},
		{"Win32_OperatingSystem", "LastBootUpTime", dt, false, ""},
		{"Win32_OperatingSystem", "LocalDateTime", dt, false, ""},
		{"Win32_OperatingSystem", "TotalVisibleMemorySize", u64, false, "kilobytes"},
		{"Win32_OperatingSystem", "FreePhysicalMemory", u64, false, "kilobytes"},
		{"Win32_OperatingSystem", "TotalVirtualMemorySize", u64, false, "kilobytes"},
		{"Win32_OperatingSystem", "FreeVirtualMemory", u64, false, "kilobytes"},
		{"Win32_OperatingSystem", "SizeStoredInPagingFiles", u64, false, "kilobytes"},
		{"Win32_OperatingSystem", "FreeSpaceInPagingFiles", u64, false, "kilobytes"},
		{"Win32_OperatingSystem", "MaxProcessMemorySize", u64, false, "kilobytes"},
		{"Win32_OperatingSystem", "NumberOfProcesses", u32, false, ""},
		{"Win32_OperatingSystem", "NumberOfUsers", u32, false, ""},
		{"Win32_OperatingSystem", "OSArchitecture", str, false, ""},
		{"Win32_OperatingSystem", "OSType", u16, false, ""},
		{"Win32_OperatingSystem", "ProductType", u32, false, ""},
		{"Win32_OperatingSystem", "OperatingSystemSKU", u32, false, ""},
		{"Win32_OperatingSystem", "ServicePackMajorVersion", u16, false, ""},
		{"Win32_OperatingSystem", "DataExecutionPrevention_SupportPolicy", u8, false, ""},
		{"Win32_OperatingSystem", "CurrentTimeZone", s16, false, "minutes"},
		{"Win32_OperatingSystem", "MUILanguages", str, array, ""},

		{"Win32_ComputerSystem", "Name", str, false, ""},
		{"Win32_ComputerSystem", "Domain", str, false, ""},
		{"Win32_ComputerSystem", "Manufacturer", str, false, ""},
		{"Win32_ComputerSystem", "Model", str, false, ""},
		{"Win32_ComputerSystem", "TotalPhysicalMemory", u64, false, "bytes"},
		{"Win32_ComputerSystem", "NumberOfProcessors", u32, false, ""},
		{"Win32_ComputerSystem", "NumberOfLogicalProcessors", u32, false, ""},
		{"Win32_ComputerSystem", "PartOfDomain", b, false, ""},
		{"Win32_ComputerSystem", "DomainRole", u16, false, ""},
		{"Win32_ComputerSystem", "PCSystemType", u16, false, ""},
		{"Win32_ComputerSystem", "Roles", str, array, ""},
		{"Win32_ComputerSystem", "InitialLoadInfo", str, array, ""},
		{"Win32_ComputerSystem", "BootStatus", u16, array, ""},
		{"Win32_ComputerSystem", "OEMLogoBitmap", u8, array, ""},
		{"Win32_ComputerSystem", "PauseAfterReset", s64, false, "milliseconds"},
		{"Win32_ComputerSystem", "SystemStartupDelay", u16, false, "seconds"},
		{"Win32_ComputerSystem", "ResetCount", s16, false, ""},

		{"Win32_Process", "Handle", str, false, ""},
		{"Win32_Process", "ProcessId", u32, false, ""},
		{"Win32_Process", "ParentProcessId", u32, false, ""},
		{"Win32_Process", "Name", str, false, ""},
		{"Win32_Process", "CommandLine", str, false, ""},
		{"Win32_Process", "ExecutablePath", str, false, ""},
		{"Win32_Process", "CreationDate", dt, false, ""},
		{"Win32_Process", "ThreadCount", u32, false, ""},
		{"Win32_Process", "HandleCount", u32, false, ""},
		{"Win32_Process", "WorkingSetSize", u64, false, "bytes"},
		{"Win32_Process", "VirtualSize", u64, false, "bytes"},
		{"Win32_Process", "PeakVirtualSize", u64, false, "bytes"},
		{"Win32_Process", "PeakWorkingSetSize", u32, false, "kilobytes"},
		{"Win32_Process", "PageFileUsage", u32, false, "kilobytes"},
		{"Win32_Process", "PageFaults", u32, false, ""},
		{"Win32_Process", "PrivatePageCount", u64, false, ""},
		{"Win32_Process", "KernelModeTime", u64, false, "100 nanoseconds"},
		{"Win32_Process", "UserModeTime", u64, false, "100 nanoseconds"},
		{"Win32_Process", "Priority", u32, false, ""},
		{"Win32_Process", "SessionId", u32, false, ""},
		{"Win32_Process", "ReadTransferCount", u64, false, "bytes"},

		{"Win32_LogicalDisk", "DeviceID", str, false, ""},
		{"Win32_LogicalDisk", "FileSystem", str, false, ""},
		{"Win32_LogicalDisk", "Size", u64, false, "bytes"},
		{"Win32_LogicalDisk", "FreeSpace", u64, false, "bytes"},
		{"Win32_LogicalDisk", "BlockSize", u64, false, "bytes"},
		{"Win32_LogicalDisk", "VolumeName", str, false, ""},
		{"Win32_LogicalDisk", "VolumeSerialNumber", str, false, ""},
		{"Win32_LogicalDisk", "DriveType", u32, false, ""},
		{"Win32_LogicalDisk", "MediaType", u32, false, ""},
		{"Win32_LogicalDisk", "Access", u16, false, ""},
		{"Win32_LogicalDisk", "PowerManagementCapabilities", u16, array, ""},

		{"Win32_Service", "Name", str, false, ""},
		{"Win32_Service", "DisplayName", str, false, ""},
		{"Win32_Service", "State", str, false, ""},
		{"Win32_Service", "StartMode", str, false, ""},
		{"Win32_Service", "Started", b, false, ""},
		{"Win32_Service", "ProcessId", u32, false, ""},
		{"Win32_Service", "ExitCode", u32, false, ""},
		{"Win32_Service", "PathName", str, false, ""},
		{"Win32_Service", "StartName", str, false, ""},
		{"Win32_Service", "AcceptStop", b, false, ""},
		{"Win32_Service", "DelayedAutoStart", b, false, ""},
		{"Win32_Service", "CheckPoint", u32, false, ""},
		{"Win32_Service", "WaitHint", u32, false, "milliseconds"},

		{"Win32_NetworkAdapterConfiguration", "Index", u32, false, ""},
		{"Win32_NetworkAdapterConfiguration", "InterfaceIndex", u32, false, ""},
		{"Win32_NetworkAdapterConfiguration", "IPAddress", str, array, ""},
		{"Win32_NetworkAdapterConfiguration", "IPSubnet", str, array, ""},
		{"Win32_NetworkAdapterConfiguration", "DefaultIPGateway", str, array, ""},
		{"Win32_NetworkAdapterConfiguration", "DNSServerSearchOrder", str, array, ""},
		{"Win32_NetworkAdapterConfiguration", "DNSDomainSuffixSearchOrder", str, array, ""},
		{"Win32_NetworkAdapterConfiguration", "GatewayCostMetric", u16, array, ""},
		{"Win32_NetworkAdapterConfiguration", "IPXFrameType", u32, array, ""},
		{"Win32_NetworkAdapterConfiguration", "MACAddress", str, false, ""},
		{"Win32_NetworkAdapterConfiguration", "IPEnabled", b, false, ""},
		{"Win32_NetworkAdapterConfiguration", "DHCPEnabled", b, false, ""},
		{"Win32_NetworkAdapterConfiguration", "DHCPLeaseExpires", dt, false, ""},
		{"Win32_NetworkAdapterConfiguration", "MTU", u32, false, "bytes"},
		{"Win32_NetworkAdapterConfiguration", "TcpWindowSize", u16, false, "bytes"},
		{"Win32_NetworkAdapterConfiguration", "DefaultTTL", u8, false, ""},

		{"Win32_Processor", "DeviceID", str, false, ""},
		{"Win32_Processor", "Name", str, false, ""},
		{"Win32_Processor", "Manufacturer", str, false, ""},
		{"Win32_Processor", "MaxClockSpeed", u32, false, "megahertz"},
		{"Win32_Processor", "CurrentClockSpeed", u32, false, "megahertz"},
		{"Win32_Processor", "NumberOfCores", u32, false, ""},
		{"Win32_Processor", "NumberOfLogicalProcessors", u32, false, ""},
		{"Win32_Processor", "Architecture", u16, false, ""},
		{"Win32_Processor", "AddressWidth", u16, false, "bits"},
		{"Win32_Processor", "DataWidth", u16, false, "bits"},
		{"Win32_Processor", "Family", u16, false, ""},
		{"Win32_Processor", "L2CacheSize", u32, false, "kilobytes"},
		{"Win32_Processor", "L3CacheSize", u32, false, "kilobytes"},
		{"Win32_Processor", "LoadPercentage", u16, false, "percent"},
		{"Win32_Processor", "Level", u16, false, ""},
		{"Win32_Processor", "Revision", u16, false, ""},
		{"Win32_Processor", "Stepping", str, false, ""},
		{"Win32_Processor", "ProcessorId", str, false, ""},
		{"Win32_Processor", "ProcessorType", u16, false, ""},
		{"Win32_Processor", "VoltageCaps", u32, false, ""},

		{"Win32_BIOS", "Name", str, false, ""},
		{"Win32_BIOS", "Version", str, false, ""},
		{"Win32_BIOS", "SMBIOSBIOSVersion", str, false, ""},
		{"Win32_BIOS", "Manufacturer", str, false, ""},
		{"Win32_BIOS", "SerialNumber", str, false, ""},
		{"Win32_BIOS", "ReleaseDate", dt, false, ""},
		{"Win32_BIOS", "BIOSVersion", str, array, ""},
		{"Win32_BIOS", "BiosCharacteristics", u16, array, ""},
		{"Win32_BIOS", "ListOfLanguages", str, array, ""},
		{"Win32_BIOS", "SMBIOSMajorVersion", u16, false, ""},
		{"Win32_BIOS", "SystemBiosMajorVersion", u8, false, ""},
		{"Win32_BIOS", "EmbeddedControllerMajorVersion", u8, false, ""},
		{"Win32_BIOS", "SoftwareElementState", u16, false, ""},
		{"Win32_BIOS", "TargetOperatingSystem", u16, false, ""},
		{"Win32_BIOS", "PrimaryBIOS", b, false, ""},

		{"Win32_ComputerSystemProduct", "IdentifyingNumber", str, false, ""},
		{"Win32_ComputerSystemProduct", "UUID", str, false, ""},
		{"Win32_ComputerSystemProduct", "Vendor", str, false, ""},

		{"Win32_QuickFixEngineering", "HotFixID", str, false, ""},
		{"Win32_QuickFixEngineering", "InstalledOn", str, false, ""},
		{"Win32_QuickFixEngineering", "InstalledBy", str, false, ""},
		{"Win32_QuickFixEngineering", "InstallDate", dt, false, ""},

		{"Win32_Product", "Name", str, false, ""},
		{"Win32_Product", "Version", str, false, ""},
		{"Win32_Product", "IdentifyingNumber", str, false, ""},
		{"Win32_Product", "InstallDate", str, false, ""},
		{"Win32_Product", "InstallDate2", dt, false, ""},
		{"Win32_Product", "InstallState", s16, false, ""},
		{"Win32_Product", "AssignmentType", u16, false, ""},
		{"Win32_Product", "WordCount", u32, false, ""},
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
		if tt.units == "" {
			continue
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
			if inst.Len() != len(c.Properties) {
				t.Errorf("%s has %d properties, schema %d", inst, inst.Len(), len(c.Properties))
			}
			for _, pr := range inst.All() {
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
		"Win32_BaseService":   "Win32_Service",
		"CIM_Product":         "Win32_Product",
		"CIM_BIOSElement":     "Win32_BIOS",
		"CIM_Setting":         "Win32_NetworkAdapterConfiguration",
		"CIM_System":          "Win32_ComputerSystem",
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

// Get-CimClass works on every class, Win32_ and CIM_, and every instance
// the provider lists can be fetched again by its keys (Get-CimInstance
// -InputObject), through its own class and through its CIM_ ancestor.
func TestGetClassAndGetByKeyEveryClass(t *testing.T) {
	p := newTestProvider(t)
	ctx := testCtx(t)
	for _, d := range classDecls {
		c, err := p.GetClass(ctx, &model.GetClassRequest{ClassName: d.name})
		if err != nil {
			t.Errorf("GetClass %s: %v", d.name, err)
			continue
		}
		if c.Name != d.name || c.SuperClass != d.super || len(c.Properties) == 0 {
			t.Errorf("GetClass %s = %s : %s with %d properties", d.name, c.Name, c.SuperClass, len(c.Properties))
		}
	}
	for class := range wantKeys {
		insts := enumClass(t, p, class)
		if class == "Win32_Process" || len(insts) == 0 {
			continue // processes come and go; their Get has its own test
		}
		for _, inst := range insts[:min(len(insts), 3)] {
			path := inst.Path()
			got, err := p.Get(ctx, &model.GetRequest{Path: path})
			if err != nil {
				t.Errorf("Get %s: %v", path, err)
				continue
			}
			if got.Path().String() != path.String() {
				t.Errorf("Get %s returned %s", path, got.Path())
			}
			super := mustClass(t, class).SuperClass
			base := path.Clone()
			base.ClassName = super
			if got, err := p.Get(ctx, &model.GetRequest{Path: base}); err != nil || got.ClassName != class {
				t.Errorf("Get %s through %s: %v, %v", path, super, got, err)
			}
		}
	}
}

// lessFold orders as the lower-case forms compare.
func TestLessFold(t *testing.T) {
	names := []string{"", "a", "A", "ab", "aB", "Ab", "abc", "b", "B", "_x", "Z", "z", "a1", "a_", "Name", "name", "NameX", "é", "É", "aé", "aÉ", "[", "`", "@"}
	for _, a := range names {
		for _, b := range names {
			if got, want := lessFold(a, b), strings.ToLower(a) < strings.ToLower(b); got != want {
				t.Errorf("lessFold(%q, %q) = %v, want %v", a, b, got, want)
			}
		}
	}
}

package wsmantest

import (
	"context"
	"strings"
	"sync"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
)

// FixtureProvider returns a fresh in-memory provider with the classes the
// tests use, filled from the captured Windows traffic and made one
// consistent machine: Windows Server 2012 Standard (build 9200) named
// computer, 4 GB of memory, as its OS, computer system, disks, registry
// and Identify all say:
//
//   - root/cimv2: Win32_OperatingSystem (the Windows Server 2012 capture),
//     Win32_ComputerSystem, Win32_Service (StartService, StopService,
//     ChangeStartMode change its State), Win32_Process (static Create,
//     Terminate, GetOwner), Win32_LogicalDisk (C: and D: from the 2008
//     captures; VolumeName can be Put), the associations
//     Win32_DependentService and Win32_SystemServices, and
//     Cimsh_ValueKinds with one instance ("all") holding every CIM value
//     kind and one ("control") holding control characters;
//   - root/cimv2 also: Win32_BIOS, Win32_ComputerSystemProduct,
//     Win32_Processor, Win32_NetworkAdapterConfiguration,
//     Win32_QuickFixEngineering and Win32_Product (not
//     Win32_InstalledWin32Program: scripts fall back), for the bundled
//     inventory scripts;
//   - root/default: StdRegProv over an in-memory registry (GetStringValue,
//     SetStringValue, GetDWORDValue, EnumKey, EnumValues, CreateKey,
//     DeleteKey).
//
// Every call returns an independent provider, so tests that change
// state do not affect each other. computer is the PSComputerName the
// instances carry and the Win32_ComputerSystem name.
func FixtureProvider(computer string) model.Provider {
	if computer == "" {
		computer = "WSMANTEST"
	}
	p := memprov.New(model.Identity{
		ProtocolVersion: nsWSMan,
		ProductVendor:   "Microsoft Corporation",
		ProductVersion:  "OS: 6.2.9200 SP: 0.0 Stack: 3.0", // the Windows Server 2012 it serves
	}, computer)
	f := &fixture{computer: strings.ToUpper(computer), nextPID: 4000}
	f.registerSystem(p)
	f.registerServices(p)
	f.registerProcesses(p)
	f.registerDisks(p)
	f.registerKinds(p)
	f.registerRegistry(p)
	f.registerInventory(p)
	return p
}

// fixture holds the mutable state behind the fixture classes.
type fixture struct {
	computer string

	mu        sync.Mutex
	services  []*model.Instance
	processes []*model.Instance
	nextPID   uint64
	disks     []*model.Instance
	kinds     []*model.Instance
	registry  *registry
}

// Builders for class declarations and values, to keep the tables short.

func prop(name string, t model.Type) model.PropertyDecl {
	return model.PropertyDecl{Name: name, Type: t}
}
func key(name string, t model.Type) model.PropertyDecl {
	return model.PropertyDecl{Name: name, Type: t, Key: true}
}
func arrayProp(name string, t model.Type) model.PropertyDecl {
	return model.PropertyDecl{Name: name, Type: t, Array: true}
}
func refProp(name, class string, isKey bool) model.PropertyDecl {
	return model.PropertyDecl{Name: name, Type: model.TypeReference, RefClass: class, Key: isKey}
}
func in(name string, t model.Type) model.Parameter {
	return model.Parameter{Name: name, Type: t, In: true}
}
func out(name string, t model.Type) model.Parameter {
	return model.Parameter{Name: name, Type: t, Out: true}
}
func outArray(name string, t model.Type) model.Parameter {
	return model.Parameter{Name: name, Type: t, Out: true, Array: true}
}

func str(s string) model.Value      { return model.String(s) }
func u8(n uint64) model.Value       { return model.Uint(model.TypeUint8, n) }
func u16(n uint64) model.Value      { return model.Uint(model.TypeUint16, n) }
func u32(n uint64) model.Value      { return model.Uint(model.TypeUint32, n) }
func u64(n uint64) model.Value      { return model.Uint(model.TypeUint64, n) }
func s16(n int64) model.Value       { return model.Sint(model.TypeSint16, n) }
func s32(n int64) model.Value       { return model.Sint(model.TypeSint32, n) }
func boolean(b bool) model.Value    { return model.Bool(b) }
func null(t model.Type) model.Value { return model.Null(t) }
func strs(ss ...string) model.Value {
	vals := make([]model.Value, len(ss))
	for i, s := range ss {
		vals[i] = str(s)
	}
	return model.Array(model.TypeString, vals)
}

// dt parses a datetime literal of the fixture tables.
func dt(s string) model.Value {
	d, err := model.ParseDatetime(s)
	if err != nil {
		panic("wsmantest: fixture datetime " + s + ": " + err.Error())
	}
	return model.DatetimeValue(d)
}

// instance builds an instance of class from name/value pairs, typed and
// key-flagged by the class declaration.
func instance(class *model.Class, ns string, pairs ...any) *model.Instance {
	inst := model.NewInstance(class.Name, ns)
	for i := 0; i+1 < len(pairs); i += 2 {
		name := pairs[i].(string)
		inst.Set(name, pairs[i+1].(model.Value))
	}
	inst.MarkKeys(class.KeyNames())
	return inst
}

// cloneAll copies a slice of instances for a List result.
func cloneAll(list []*model.Instance) []*model.Instance {
	out := make([]*model.Instance, len(list))
	for i, inst := range list {
		out[i] = inst.Clone()
	}
	return out
}

// lister returns a List function over *slot, under f.mu.
func (f *fixture) lister(slot *[]*model.Instance) func(context.Context) ([]*model.Instance, error) {
	return func(context.Context) ([]*model.Instance, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		return cloneAll(*slot), nil
	}
}

// find returns the index of the instance in list whose keys match path.
func find(list []*model.Instance, path *model.Reference) int {
	for i, inst := range list {
		if inst.Path().Equal(&model.Reference{ClassName: inst.ClassName, Namespace: inst.Namespace, Selectors: path.Selectors}) {
			return i
		}
	}
	return -1
}

// returnValue builds a method result holding ReturnValue and extra
// out parameters (name/value pairs).
func returnValue(code uint64, pairs ...any) *model.Instance {
	o := model.NewInstance("__PARAMETERS", "")
	for i := 0; i+1 < len(pairs); i += 2 {
		o.Set(pairs[i].(string), pairs[i+1].(model.Value))
	}
	o.Set("ReturnValue", u32(code))
	return o
}

// inString returns a string input parameter ("" when absent or NULL).
func inString(in *model.Instance, name string) string {
	if in == nil {
		return ""
	}
	v, _ := in.Get(name)
	s, _ := v.AsString()
	return s
}

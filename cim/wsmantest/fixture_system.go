package wsmantest

import (
	"context"
	"path"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
)

const cimv2 = "root/cimv2"

var (
	ty = struct {
		Bool, U8, U16, U32, U64, S8, S16, S32, S64, R32, R64, C16, Str, DT, Ref, Inst model.Type
	}{model.TypeBoolean, model.TypeUint8, model.TypeUint16, model.TypeUint32, model.TypeUint64,
		model.TypeSint8, model.TypeSint16, model.TypeSint32, model.TypeSint64, model.TypeReal32,
		model.TypeReal64, model.TypeChar16, model.TypeString, model.TypeDatetime, model.TypeReference,
		model.TypeInstance}
)

// osClass is Win32_OperatingSystem with the properties of the Windows
// Server 2012 capture, in its order. The fixture's instance keeps the
// capture's values except where they would contradict the rest of the
// fixture machine (its name, memory and process count).
var osClass = &model.Class{Name: "Win32_OperatingSystem", SuperClass: "",
	Qualifiers: []model.Qualifier{{Name: "dynamic", Value: boolean(true)}, {Name: "provider", Value: str("CIMWin32")}},
	Properties: []model.PropertyDecl{
		prop("BootDevice", ty.Str), prop("BuildNumber", ty.Str), prop("BuildType", ty.Str), prop("Caption", ty.Str),
		prop("CodeSet", ty.Str), prop("CountryCode", ty.Str), prop("CreationClassName", ty.Str), prop("CSCreationClassName", ty.Str),
		prop("CSDVersion", ty.Str), prop("CSName", ty.Str), prop("CurrentTimeZone", ty.S16),
		prop("DataExecutionPrevention_32BitApplications", ty.Bool), prop("DataExecutionPrevention_Available", ty.Bool),
		prop("DataExecutionPrevention_Drivers", ty.Bool), prop("DataExecutionPrevention_SupportPolicy", ty.U8),
		prop("Debug", ty.Bool), prop("Description", ty.Str), prop("Distributed", ty.Bool), prop("EncryptionLevel", ty.U32),
		prop("ForegroundApplicationBoost", ty.U8), prop("FreePhysicalMemory", ty.U64), prop("FreeSpaceInPagingFiles", ty.U64),
		prop("FreeVirtualMemory", ty.U64), prop("InstallDate", ty.DT), prop("LargeSystemCache", ty.U32),
		prop("LastBootUpTime", ty.DT), prop("LocalDateTime", ty.DT), prop("Locale", ty.Str), prop("Manufacturer", ty.Str),
		prop("MaxNumberOfProcesses", ty.U32), prop("MaxProcessMemorySize", ty.U64), arrayProp("MUILanguages", ty.Str),
		key("Name", ty.Str), prop("NumberOfLicensedUsers", ty.U32), prop("NumberOfProcesses", ty.U32),
		prop("NumberOfUsers", ty.U32), prop("OperatingSystemSKU", ty.U32), prop("Organization", ty.Str),
		prop("OSArchitecture", ty.Str), prop("OSLanguage", ty.U32), prop("OSProductSuite", ty.U32), prop("OSType", ty.U16),
		prop("OtherTypeDescription", ty.Str), prop("PAEEnabled", ty.Bool), prop("PlusProductID", ty.Str),
		prop("PlusVersionNumber", ty.Str), prop("PortableOperatingSystem", ty.Bool), prop("Primary", ty.Bool),
		prop("ProductType", ty.U32), prop("RegisteredUser", ty.Str), prop("SerialNumber", ty.Str),
		prop("ServicePackMajorVersion", ty.U16), prop("ServicePackMinorVersion", ty.U16),
		prop("SizeStoredInPagingFiles", ty.U64), prop("Status", ty.Str), prop("SuiteMask", ty.U32),
		prop("SystemDevice", ty.Str), prop("SystemDirectory", ty.Str), prop("SystemDrive", ty.Str),
		prop("TotalSwapSpaceSize", ty.U64), prop("TotalVirtualMemorySize", ty.U64), prop("TotalVisibleMemorySize", ty.U64),
		prop("Version", ty.Str), prop("WindowsDirectory", ty.Str),
	},
	Methods: []model.Method{
		{Name: "Reboot", ReturnType: ty.U32},
		{Name: "Win32Shutdown", ReturnType: ty.U32, Parameters: []model.Parameter{in("Flags", ty.S32), in("Reserved", ty.S32)}},
	},
}

var computerSystemClass = &model.Class{Name: "Win32_ComputerSystem",
	Properties: []model.PropertyDecl{
		prop("Caption", ty.Str), prop("Domain", ty.Str), prop("Manufacturer", ty.Str), prop("Model", ty.Str),
		key("Name", ty.Str), prop("NumberOfLogicalProcessors", ty.U32), prop("TotalPhysicalMemory", ty.U64),
	}}

// The fixture machine's memory: 4 GB less what firmware keeps (what
// Windows calls visible), about half of it free.
const (
	fixtureMemoryKB = 4193844
	fixtureFreeKB   = 2183460
)

// registerSystem adds Win32_OperatingSystem and Win32_ComputerSystem.
func (f *fixture) registerSystem(p *memprov.Provider) {
	osInst := instance(osClass, cimv2,
		"BootDevice", str(`\Device\HarddiskVolume1`), "BuildNumber", str("9200"), "BuildType", str("Multiprocessor Free"),
		"Caption", str("Microsoft Windows Server 2012 Standard"), "CodeSet", str("1252"), "CountryCode", str("1"),
		"CreationClassName", str("Win32_OperatingSystem"), "CSCreationClassName", str("Win32_ComputerSystem"),
		"CSDVersion", null(ty.Str), "CSName", str(f.computer), "CurrentTimeZone", s16(0),
		"DataExecutionPrevention_32BitApplications", boolean(true), "DataExecutionPrevention_Available", boolean(true),
		"DataExecutionPrevention_Drivers", boolean(true), "DataExecutionPrevention_SupportPolicy", u8(3),
		"Debug", boolean(false), "Description", str(""), "Distributed", boolean(false), "EncryptionLevel", u32(256),
		"ForegroundApplicationBoost", u8(0), "FreePhysicalMemory", u64(fixtureFreeKB), "FreeSpaceInPagingFiles", u64(8382164),
		"FreeVirtualMemory", u64(fixtureFreeKB+8382164), "InstallDate", dt("2013-03-09T02:57:32Z"), "LargeSystemCache", null(ty.U32),
		"LastBootUpTime", dt("2013-04-15T16:28:43.488171Z"), "LocalDateTime", dt("2013-04-15T20:28:20.913Z"),
		"Locale", str("0409"), "Manufacturer", str("Microsoft Corporation"), "MaxNumberOfProcesses", u32(4294967295),
		"MaxProcessMemorySize", u64(8589934464), "MUILanguages", strs("en-US"),
		"Name", str(`Microsoft Windows Server 2012 Standard|C:\Windows|\Device\Harddisk0\Partition2`),
		"NumberOfLicensedUsers", u32(0), "NumberOfProcesses", u32(38), "NumberOfUsers", u32(0),
		"OperatingSystemSKU", u32(7), "Organization", str("Amazon.com"), "OSArchitecture", str("64-bit"),
		"OSLanguage", u32(1033), "OSProductSuite", u32(272), "OSType", u16(18), "OtherTypeDescription", null(ty.Str),
		"PAEEnabled", null(ty.Bool), "PlusProductID", null(ty.Str), "PlusVersionNumber", null(ty.Str),
		"PortableOperatingSystem", boolean(false), "Primary", boolean(true), "ProductType", u32(3),
		"RegisteredUser", str("Amazon"), "SerialNumber", str("00184-30000-00001-AA420"),
		"ServicePackMajorVersion", u16(0), "ServicePackMinorVersion", u16(0), "SizeStoredInPagingFiles", u64(8388608),
		"Status", str("OK"), "SuiteMask", u32(272), "SystemDevice", str(`\Device\HarddiskVolume2`),
		"SystemDirectory", str(`C:\Windows\system32`), "SystemDrive", str("C:"), "TotalSwapSpaceSize", null(ty.U64),
		"TotalVirtualMemorySize", u64(fixtureMemoryKB+8388608), "TotalVisibleMemorySize", u64(fixtureMemoryKB), "Version", str("6.2.9200"),
		"WindowsDirectory", str(`C:\Windows`))
	p.Register(cimv2, memprov.ClassDef{Class: osClass,
		List: func(context.Context) ([]*model.Instance, error) {
			inst := osInst.Clone()
			f.mu.Lock()
			inst.Set("NumberOfProcesses", u32(uint64(len(f.processes))))
			f.mu.Unlock()
			return []*model.Instance{inst}, nil
		},
		Methods: map[string]memprov.MethodFunc{
			"Reboot": func(context.Context, *model.Instance, *model.Instance) (*model.Instance, error) {
				return returnValue(0), nil
			},
			"Win32Shutdown": func(context.Context, *model.Instance, *model.Instance) (*model.Instance, error) {
				return returnValue(0), nil
			},
		}})
	cs := instance(computerSystemClass, cimv2, "Caption", str(f.computer), "Domain", str("WORKGROUP"),
		"Manufacturer", str("Amazon EC2"), "Model", str("t3.medium"), "Name", str(f.computer),
		"NumberOfLogicalProcessors", u32(2), "TotalPhysicalMemory", u64(fixtureMemoryKB*1024))
	p.Register(cimv2, memprov.ClassDef{Class: computerSystemClass,
		List: func(context.Context) ([]*model.Instance, error) { return []*model.Instance{cs.Clone()}, nil }})
}

var baseServiceClass = &model.Class{Name: "Win32_BaseService",
	Properties: []model.PropertyDecl{
		prop("AcceptPause", ty.Bool), prop("AcceptStop", ty.Bool), prop("Caption", ty.Str), prop("Description", ty.Str),
		prop("DisplayName", ty.Str), prop("ExitCode", ty.U32), key("Name", ty.Str), prop("PathName", ty.Str),
		prop("ServiceType", ty.Str), prop("Started", ty.Bool), prop("StartMode", ty.Str), prop("StartName", ty.Str),
		prop("State", ty.Str), prop("Status", ty.Str), prop("SystemName", ty.Str),
	},
	Methods: []model.Method{
		{Name: "StartService", ReturnType: ty.U32},
		{Name: "StopService", ReturnType: ty.U32},
		{Name: "ChangeStartMode", ReturnType: ty.U32, Parameters: []model.Parameter{in("StartMode", ty.Str)}},
	}}

var serviceClass = &model.Class{Name: "Win32_Service", SuperClass: "Win32_BaseService",
	Qualifiers: []model.Qualifier{{Name: "dynamic", Value: boolean(true)}, {Name: "provider", Value: str("CIMWin32")}},
	Properties: []model.PropertyDecl{prop("ProcessId", ty.U32)}}

var dependentServiceClass = &model.Class{Name: "Win32_DependentService",
	Qualifiers: []model.Qualifier{{Name: "Association", Value: boolean(true)}},
	Properties: []model.PropertyDecl{
		refProp("Antecedent", "Win32_BaseService", true), refProp("Dependent", "Win32_BaseService", true),
		prop("TypeOfDependency", ty.U16),
	}}

var systemServicesClass = &model.Class{Name: "Win32_SystemServices",
	Qualifiers: []model.Qualifier{{Name: "Association", Value: boolean(true)}},
	Properties: []model.PropertyDecl{
		refProp("GroupComponent", "Win32_ComputerSystem", true), refProp("PartComponent", "Win32_Service", true),
	}}

// registerServices adds Win32_BaseService, Win32_Service and the two
// associations over services.
func (f *fixture) registerServices(p *memprov.Provider) {
	type svc struct {
		name, display, state, mode, path string
		pid                              uint64
		deps                             []string
	}
	svcs := []svc{
		{"BITS", "Background Intelligent Transfer Service", "Stopped", "Manual", `C:\Windows\System32\svchost.exe -k netsvcs`, 0, []string{"RpcSs"}},
		{"Dnscache", "DNS Client", "Running", "Auto", `C:\Windows\system32\svchost.exe -k NetworkService`, 1204, []string{"nsi"}},
		{"MapsBroker", "Downloaded Maps Manager", "Stopped", "Auto", `C:\Windows\System32\svchost.exe -k NetworkService`, 0, nil},
		{"nsi", "Network Store Interface Service", "Running", "Auto", `C:\Windows\system32\svchost.exe -k LocalService`, 1100, []string{"RpcSs"}},
		{"RpcSs", "Remote Procedure Call (RPC)", "Running", "Auto", `C:\Windows\system32\svchost.exe -k rpcss`, 800, nil},
		{"Spooler", "Print Spooler", "Running", "Auto", `C:\Windows\System32\spoolsv.exe`, 1520, []string{"RpcSs"}},
		{"W32Time", "Windows Time", "Stopped", "Manual", `C:\Windows\system32\svchost.exe -k LocalService`, 0, nil},
		{"WinRM", "Windows Remote Management (WS-Management)", "Running", "Auto", `C:\Windows\System32\svchost.exe -k NetworkService`, 1204, []string{"RpcSs", "nsi"}},
	}
	var deps, sysSvcs []*model.Instance
	svcRef := func(name string) model.Value {
		return model.Ref(&model.Reference{ClassName: "Win32_Service", Namespace: cimv2, Selectors: []model.Selector{{Name: "Name", Value: name}}})
	}
	csRef := model.Ref(&model.Reference{ClassName: "Win32_ComputerSystem", Namespace: cimv2, Selectors: []model.Selector{{Name: "Name", Value: f.computer}}})
	full := &model.Class{Name: "Win32_Service", Properties: append(append([]model.PropertyDecl(nil), baseServiceClass.Properties...), serviceClass.Properties...)}
	for _, s := range svcs {
		running := s.state == "Running"
		f.services = append(f.services, instance(full, cimv2,
			"AcceptPause", boolean(false), "AcceptStop", boolean(running), "Caption", str(s.display),
			"Description", str(s.display+" service."), "DisplayName", str(s.display), "ExitCode", u32(map[bool]uint64{true: 0, false: 1077}[running]),
			"Name", str(s.name), "PathName", str(s.path), "ProcessId", u32(s.pid), "ServiceType", str("Share Process"),
			"Started", boolean(running), "StartMode", str(s.mode), "StartName", str("LocalSystem"),
			"State", str(s.state), "Status", str("OK"), "SystemName", str(f.computer)))
		for _, d := range s.deps {
			deps = append(deps, instance(dependentServiceClass, cimv2, "Antecedent", svcRef(d), "Dependent", svcRef(s.name), "TypeOfDependency", u16(2)))
		}
		sysSvcs = append(sysSvcs, instance(systemServicesClass, cimv2, "GroupComponent", csRef, "PartComponent", svcRef(s.name)))
	}
	p.Register(cimv2, memprov.ClassDef{Class: baseServiceClass})
	p.Register(cimv2, memprov.ClassDef{Class: serviceClass, List: f.lister(&f.services),
		Methods: map[string]memprov.MethodFunc{
			"StartService":    f.serviceControl("Running"),
			"StopService":     f.serviceControl("Stopped"),
			"ChangeStartMode": f.changeStartMode,
		}})
	p.Register(cimv2, memprov.ClassDef{Class: dependentServiceClass,
		List: func(context.Context) ([]*model.Instance, error) { return cloneAll(deps), nil }})
	p.Register(cimv2, memprov.ClassDef{Class: systemServicesClass,
		List: func(context.Context) ([]*model.Instance, error) { return cloneAll(sysSvcs), nil }})
}

// serviceControl starts or stops a service: ReturnValue 0 on a change,
// 10 (already running) or 5 (cannot accept control) otherwise, as WMI.
func (f *fixture) serviceControl(state string) memprov.MethodFunc {
	return func(ctx context.Context, target *model.Instance, _ *model.Instance) (*model.Instance, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		i := find(f.services, target.Path())
		if i < 0 {
			return nil, model.NewFault(model.CIMNotFound, "wsmantest: no service %s", target.Path())
		}
		s := f.services[i]
		cur, _ := s.Get("State")
		if cur.Text() == state {
			if state == "Running" {
				return returnValue(10), nil
			}
			return returnValue(5), nil
		}
		s = s.Clone()
		s.Set("State", str(state))
		s.Set("Started", boolean(state == "Running"))
		s.Set("AcceptStop", boolean(state == "Running"))
		f.services[i] = s
		return returnValue(0), nil
	}
}

func (f *fixture) changeStartMode(ctx context.Context, target *model.Instance, args *model.Instance) (*model.Instance, error) {
	mode := inString(args, "StartMode")
	switch mode {
	case "Boot", "System", "Automatic", "Manual", "Disabled":
	default:
		return returnValue(21), nil // invalid parameter, as WMI answers
	}
	if mode == "Automatic" {
		mode = "Auto"
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	i := find(f.services, target.Path())
	if i < 0 {
		return nil, model.NewFault(model.CIMNotFound, "wsmantest: no service %s", target.Path())
	}
	s := f.services[i].Clone()
	s.Set("StartMode", str(mode))
	f.services[i] = s
	return returnValue(0), nil
}

var processStartupClass = &model.Class{Name: "Win32_ProcessStartup",
	Properties: []model.PropertyDecl{prop("ShowWindow", ty.U16), prop("Title", ty.Str), arrayProp("EnvironmentVariables", ty.Str)}}

var processClass = &model.Class{Name: "Win32_Process",
	Qualifiers: []model.Qualifier{{Name: "dynamic", Value: boolean(true)}, {Name: "provider", Value: str("CIMWin32")}},
	Properties: []model.PropertyDecl{
		prop("Caption", ty.Str), prop("CommandLine", ty.Str), prop("CreationClassName", ty.Str), prop("CreationDate", ty.DT),
		prop("CSCreationClassName", ty.Str), prop("CSName", ty.Str), prop("Description", ty.Str), prop("ExecutablePath", ty.Str),
		key("Handle", ty.Str), prop("HandleCount", ty.U32), prop("Name", ty.Str), prop("ParentProcessId", ty.U32),
		prop("Priority", ty.U32), prop("ProcessId", ty.U32), prop("ThreadCount", ty.U32), prop("UserModeTime", ty.U64),
		prop("VirtualSize", ty.U64), prop("WorkingSetSize", ty.U64),
	},
	Methods: []model.Method{
		{Name: "Create", ReturnType: ty.U32, Static: true, Parameters: []model.Parameter{
			in("CommandLine", ty.Str), in("CurrentDirectory", ty.Str),
			{Name: "ProcessStartupInformation", Type: ty.Inst, EmbeddedClass: "Win32_ProcessStartup", In: true},
			out("ProcessId", ty.U32)}},
		{Name: "Terminate", ReturnType: ty.U32, Parameters: []model.Parameter{in("Reason", ty.U32)}},
		{Name: "GetOwner", ReturnType: ty.U32, Parameters: []model.Parameter{out("Domain", ty.Str), out("User", ty.Str)}},
	}}

// registerProcesses adds Win32_Process (with a live Create) and
// Win32_ProcessStartup.
func (f *fixture) registerProcesses(p *memprov.Provider) {
	for _, pr := range []struct {
		name, cmd string
		pid, ppid uint64
	}{
		{"System Idle Process", "", 0, 0},
		{"System", "", 4, 0},
		{"svchost.exe", `C:\Windows\system32\svchost.exe -k rpcss`, 800, 560},
		{"svchost.exe", `C:\Windows\System32\svchost.exe -k NetworkService`, 1204, 560},
		{"wsmprovhost.exe", `C:\Windows\system32\wsmprovhost.exe -Embedding`, 2976, 800},
	} {
		f.processes = append(f.processes, f.newProcess(pr.name, pr.cmd, pr.pid, pr.ppid))
	}
	p.Register(cimv2, memprov.ClassDef{Class: processStartupClass})
	p.Register(cimv2, memprov.ClassDef{Class: processClass, List: f.lister(&f.processes),
		Methods: map[string]memprov.MethodFunc{
			"Create":    f.createProcess,
			"Terminate": f.terminateProcess,
			"GetOwner": func(context.Context, *model.Instance, *model.Instance) (*model.Instance, error) {
				return returnValue(0, "Domain", str("NT AUTHORITY"), "User", str("SYSTEM")), nil
			},
		}})
}

func (f *fixture) newProcess(name, cmd string, pid, ppid uint64) *model.Instance {
	exe := null(ty.Str)
	if cmd != "" {
		exe = str(strings.Fields(cmd)[0])
	}
	cmdV := null(ty.Str)
	if cmd != "" {
		cmdV = str(cmd)
	}
	return instance(processClass, cimv2,
		"Caption", str(name), "CommandLine", cmdV, "CreationClassName", str("Win32_Process"),
		"CreationDate", dt("2013-04-15T16:28:50.123456Z"), "CSCreationClassName", str("Win32_ComputerSystem"),
		"CSName", str(f.computer), "Description", str(name), "ExecutablePath", exe,
		"Handle", str(strconv.FormatUint(pid, 10)), "HandleCount", u32(120), "Name", str(name),
		"ParentProcessId", u32(ppid), "Priority", u32(8), "ProcessId", u32(pid), "ThreadCount", u32(4),
		"UserModeTime", u64(156250), "VirtualSize", u64(2199081205760), "WorkingSetSize", u64(8392704))
}

// createProcess is Win32_Process.Create: a new process with the next
// ProcessId (4000 first, as in the MS-WSMV example); an empty command
// line is ReturnValue 21 (invalid parameter), as WMI answers.
func (f *fixture) createProcess(ctx context.Context, _ *model.Instance, args *model.Instance) (*model.Instance, error) {
	cmd := strings.TrimSpace(inString(args, "CommandLine"))
	if cmd == "" {
		return returnValue(21), nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	pid := f.nextPID
	f.nextPID += 4
	name := path.Base(strings.ReplaceAll(strings.Fields(cmd)[0], `\`, "/"))
	f.processes = append(f.processes, f.newProcess(name, cmd, pid, 2976))
	return returnValue(0, "ProcessId", u32(pid)), nil
}

func (f *fixture) terminateProcess(ctx context.Context, target *model.Instance, _ *model.Instance) (*model.Instance, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := find(f.processes, target.Path())
	if i < 0 {
		return nil, model.NewFault(model.CIMNotFound, "wsmantest: no process %s", target.Path())
	}
	f.processes = append(f.processes[:i:i], f.processes[i+1:]...)
	return returnValue(0), nil
}

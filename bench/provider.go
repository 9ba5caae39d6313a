package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// Namespaces the harness serves Win32_Process from: the measured
// workload, and the long one for the flat-memory row.
const (
	nsMain = "root/cimv2"
	nsBig  = "root/bench"
)

// processClass is Win32_Process with the property set, order and types
// Windows sends (the test server's fixture class holds a subset).
var processClass = func() *model.Class {
	cl := &model.Class{Name: "Win32_Process"}
	for _, p := range []struct {
		name string
		t    model.Type
	}{
		{"Caption", model.TypeString}, {"CommandLine", model.TypeString}, {"CreationClassName", model.TypeString},
		{"CreationDate", model.TypeDatetime}, {"CSCreationClassName", model.TypeString}, {"CSName", model.TypeString},
		{"Description", model.TypeString}, {"ExecutablePath", model.TypeString}, {"ExecutionState", model.TypeUint16},
		{"Handle", model.TypeString}, {"HandleCount", model.TypeUint32}, {"InstallDate", model.TypeDatetime},
		{"KernelModeTime", model.TypeUint64}, {"MaximumWorkingSetSize", model.TypeUint32}, {"MinimumWorkingSetSize", model.TypeUint32},
		{"Name", model.TypeString}, {"OSCreationClassName", model.TypeString}, {"OSName", model.TypeString},
		{"OtherOperationCount", model.TypeUint64}, {"OtherTransferCount", model.TypeUint64}, {"PageFaults", model.TypeUint32},
		{"PageFileUsage", model.TypeUint32}, {"ParentProcessId", model.TypeUint32}, {"PeakPageFileUsage", model.TypeUint32},
		{"PeakVirtualSize", model.TypeUint64}, {"PeakWorkingSetSize", model.TypeUint32}, {"Priority", model.TypeUint32},
		{"PrivatePageCount", model.TypeUint64}, {"ProcessId", model.TypeUint32}, {"QuotaNonPagedPoolUsage", model.TypeUint32},
		{"QuotaPagedPoolUsage", model.TypeUint32}, {"QuotaPeakNonPagedPoolUsage", model.TypeUint32}, {"QuotaPeakPagedPoolUsage", model.TypeUint32},
		{"ReadOperationCount", model.TypeUint64}, {"ReadTransferCount", model.TypeUint64}, {"SessionId", model.TypeUint32},
		{"Status", model.TypeString}, {"TerminationDate", model.TypeDatetime}, {"ThreadCount", model.TypeUint32},
		{"UserModeTime", model.TypeUint64}, {"VirtualSize", model.TypeUint64}, {"WindowsVersion", model.TypeString},
		{"WorkingSetSize", model.TypeUint64}, {"WriteOperationCount", model.TypeUint64}, {"WriteTransferCount", model.TypeUint64},
	} {
		cl.Properties = append(cl.Properties, model.PropertyDecl{Name: p.name, Type: p.t, Key: p.name == "Handle"})
	}
	return cl
}()

// images are the executables the generated processes run, with their
// command lines, as a Windows Server 2016 host lists them. Protected
// processes (csrss, smss) show no path or command line even to an
// administrator: those are NULL, as Windows sends them, so that a page
// mixes items of more than one shape.
var images = []struct {
	name, dir, args string
	protected       bool
}{
	{"svchost.exe", `C:\Windows\system32\`, ` -k netsvcs -p -s Schedule`, false},
	{"svchost.exe", `C:\Windows\System32\`, ` -k LocalServiceNetworkRestricted -p -s EventLog`, false},
	{"conhost.exe", `C:\Windows\system32\`, ` 0xffffffff -ForceV1`, false},
	{"wsmprovhost.exe", `C:\Windows\system32\`, ` -Embedding`, false},
	{"WmiPrvSE.exe", `C:\Windows\system32\wbem\`, ` -secured -Embedding`, false},
	{"powershell.exe", `C:\Windows\System32\WindowsPowerShell\v1.0\`, ` -NoProfile -ExecutionPolicy Bypass -File C:\ProgramData\Scripts\collect-inventory.ps1`, false},
	{"sqlservr.exe", `C:\Program Files\Microsoft SQL Server\MSSQL15.MSSQLSERVER\MSSQL\Binn\`, ` -sMSSQLSERVER`, false},
	{"w3wp.exe", `C:\Windows\system32\inetsrv\`, ` -ap "DefaultAppPool" -v "v4.0" -l "webengine4.dll" -a \\.\pipe\iisipm1c2f -h "C:\inetpub\temp\apppools\DefaultAppPool\DefaultAppPool.config" -w "" -m 0`, false},
	{"csrss.exe", `C:\Windows\system32\`, ` ObjectDirectory=\Windows SharedSection=1024,20480,768 Windows=On`, true},
	{"smss.exe", `C:\Windows\System32\`, ``, true},
}

// processInstance returns the i-th generated process: every value a
// function of i, so every client sees the same bytes.
func processInstance(ns string, i int) *model.Instance {
	img := images[i%len(images)]
	pid := uint64(4 + 4*i)
	u32 := func(n uint64) model.Value { return model.Uint(model.TypeUint32, n&0xffffffff) }
	u64 := func(n uint64) model.Value { return model.Uint(model.TypeUint64, n) }
	str := model.String
	created := model.DatetimeValue(mustDatetime(fmt.Sprintf("2024-03-%02dT%02d:%02d:%02d.%06d+00:00", 1+i%28, i%24, i%60, (i/60)%60, (i*7919)%1000000)))
	exe := img.dir + img.name
	exePath, cmdLine := str(exe), str(`"`+exe+`"`+img.args)
	if img.protected {
		exePath, cmdLine = model.Null(model.TypeString), model.Null(model.TypeString)
	}
	inst := model.NewInstance("Win32_Process", ns)

	for _, kv := range []struct {
		name string
		v    model.Value
	}{
		{"Caption", str(img.name)}, {"CommandLine", cmdLine}, {"CreationClassName", str("Win32_Process")},
		{"CreationDate", created}, {"CSCreationClassName", str("Win32_ComputerSystem")}, {"CSName", str("BENCH-SRV01")},
		{"Description", str(img.name)}, {"ExecutablePath", exePath}, {"ExecutionState", model.Null(model.TypeUint16)},
		{"Handle", str(strconv.FormatUint(pid, 10))}, {"HandleCount", u32(100 + uint64(i*37)%4000)}, {"InstallDate", model.Null(model.TypeDatetime)},
		{"KernelModeTime", u64(uint64(i) * 156250)}, {"MaximumWorkingSetSize", u32(1380)}, {"MinimumWorkingSetSize", u32(200)},
		{"Name", str(img.name)}, {"OSCreationClassName", str("Win32_OperatingSystem")},
		{"OSName", str(`Microsoft Windows Server 2016 Datacenter|C:\Windows|\Device\Harddisk0\Partition2`)},
		{"OtherOperationCount", u64(uint64(i) * 9973)}, {"OtherTransferCount", u64(uint64(i) * 1234567)}, {"PageFaults", u32(uint64(i) * 311)},
		{"PageFileUsage", u32(1024 + uint64(i*13)%65536)}, {"ParentProcessId", u32(uint64(4 + 4*(i/10)))}, {"PeakPageFileUsage", u32(2048 + uint64(i*17)%65536)},
		{"PeakVirtualSize", u64(2203318353920 + uint64(i)*4096)}, {"PeakWorkingSetSize", u32(8192 + uint64(i*29)%131072)}, {"Priority", u32(8)},
		{"PrivatePageCount", u64(1048576 + uint64(i)*4096)}, {"ProcessId", u32(pid)}, {"QuotaNonPagedPoolUsage", u32(uint64(i*3) % 100)},
		{"QuotaPagedPoolUsage", u32(uint64(i*5) % 500)}, {"QuotaPeakNonPagedPoolUsage", u32(uint64(i*7) % 200)}, {"QuotaPeakPagedPoolUsage", u32(uint64(i*11) % 900)},
		{"ReadOperationCount", u64(uint64(i) * 127)}, {"ReadTransferCount", u64(uint64(i) * 918273)}, {"SessionId", u32(uint64(i % 3))},
		{"Status", model.Null(model.TypeString)}, {"TerminationDate", model.Null(model.TypeDatetime)}, {"ThreadCount", u32(uint64(1 + i%64))},
		{"UserModeTime", u64(uint64(i) * 312500)}, {"VirtualSize", u64(2203318353920 + uint64(i)*8192)}, {"WindowsVersion", str("10.0.14393")},
		{"WorkingSetSize", u64(8392704 + uint64(i)*4096)}, {"WriteOperationCount", u64(uint64(i) * 61)}, {"WriteTransferCount", u64(uint64(i) * 456789)},
	} {
		inst.Append(model.Property{Name: kv.name, Value: kv.v, Key: kv.name == "Handle"})
	}
	return inst
}

func mustDatetime(s string) model.Datetime {
	d, err := model.ParseDatetime(s)
	if err != nil {
		panic("bench: " + s + ": " + err.Error())
	}
	return d
}

// provider serves generated Win32_Process instances (counts per
// namespace, made as they are pulled so the server holds no list) and
// the test server's Win32_OperatingSystem for the small-query rows.
type provider struct {
	*memprov.Provider
	counts map[string]int // by lower-case namespace
}

func newProvider(counts map[string]int) *provider {
	fx := wsmantest.FixtureProvider("BENCH-SRV01")
	ctx := context.Background()
	osClass, err := fx.GetClass(ctx, &model.GetClassRequest{ClassName: "Win32_OperatingSystem"})
	if err != nil {
		panic(err)
	}
	var osList []*model.Instance
	e, err := fx.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_OperatingSystem"})
	if err != nil {
		panic(err)
	}
	for e.Next(ctx) {
		osList = append(osList, e.Instance())
	}
	e.Close()
	p := &provider{Provider: memprov.New(model.Identity{ProductVendor: "Microsoft Corporation", ProductVersion: "OS: 10.0.14393 SP: 0.0 Stack: 3.0"}, "BENCH-SRV01"), counts: map[string]int{}}
	for ns, n := range counts {
		p.counts[strings.ToLower(ns)] = n
		cl := *processClass // Register sets the namespace on its copy
		cl.Properties = append([]model.PropertyDecl(nil), processClass.Properties...)
		p.Register(ns, memprov.ClassDef{Class: &cl})
	}
	p.Register(nsMain, memprov.ClassDef{Class: osClass, List: func(context.Context) ([]*model.Instance, error) { return osList, nil }})
	return p
}

// Enumerate serves Win32_Process from the generator; everything else
// from memprov.
func (p *provider) Enumerate(ctx context.Context, req *model.EnumerateRequest) (model.Enumerator, error) {
	n, ok := p.counts[strings.ToLower(model.NamespaceOr(req.Namespace))]
	if ok && strings.EqualFold(req.ClassName, "Win32_Process") && req.Query == "" && req.Associated == nil && !req.KeyOnly {
		return &generator{ns: model.NamespaceOr(req.Namespace), n: n}, nil
	}
	return p.Provider.Enumerate(ctx, req)
}

// generator makes processInstance(0..n-1) one at a time.
type generator struct {
	ns   string
	n, i int
	cur  *model.Instance
}

func (g *generator) Next(ctx context.Context) bool {
	if g.i >= g.n || ctx.Err() != nil {
		g.cur = nil
		return false
	}
	g.cur = processInstance(g.ns, g.i)
	g.i++
	return true
}

func (g *generator) Instance() *model.Instance { return g.cur }
func (g *generator) Err() error                { return nil }
func (g *generator) Close() error              { g.i = g.n; return nil }

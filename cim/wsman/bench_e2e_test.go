package wsman_test

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"testing"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsman/transport"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// processProvider serves n Win32_Process-shaped instances.
func processProvider(n int) model.Provider {
	cl := &model.Class{Name: "Win32_Process"}
	names := []string{"Caption", "CommandLine", "CreationClassName", "CSName", "Description", "ExecutablePath", "Name", "OSName", "Status", "WindowsVersion"}
	for _, nm := range names {
		cl.Properties = append(cl.Properties, model.PropertyDecl{Name: nm, Type: model.TypeString})
	}
	nums := []string{"HandleCount", "PageFaults", "PageFileUsage", "ParentProcessId", "PeakPageFileUsage", "Priority", "ProcessId", "SessionId", "ThreadCount"}
	for _, nm := range nums {
		cl.Properties = append(cl.Properties, model.PropertyDecl{Name: nm, Type: model.TypeUint32})
	}
	bigs := []string{"KernelModeTime", "OtherOperationCount", "ReadTransferCount", "UserModeTime", "VirtualSize", "WorkingSetSize", "WriteTransferCount"}
	for _, nm := range bigs {
		cl.Properties = append(cl.Properties, model.PropertyDecl{Name: nm, Type: model.TypeUint64})
	}
	cl.Properties = append(cl.Properties, model.PropertyDecl{Name: "Handle", Type: model.TypeString, Key: true},
		model.PropertyDecl{Name: "CreationDate", Type: model.TypeDatetime})
	created, _ := model.ParseDatetime("2024-03-01T10:11:12.123456Z")
	var list []*model.Instance
	for i := 0; i < n; i++ {
		inst := model.NewInstance("Win32_Process", "root/cimv2")
		for _, nm := range names {
			inst.Set(nm, model.String(fmt.Sprintf(`C:\Windows\System32\svchost.exe -k %s%d`, nm, i)))
		}
		for _, nm := range nums {
			inst.Set(nm, model.Uint(model.TypeUint32, uint64(i*31)))
		}
		for _, nm := range bigs {
			inst.Set(nm, model.Uint(model.TypeUint64, uint64(i)*123456789))
		}
		inst.SetKey("Handle", model.String(strconv.Itoa(1000+i)))
		inst.Set("CreationDate", model.DatetimeValue(created))
		list = append(list, inst)
	}
	p := memprov.New(model.Identity{ProductVendor: "bench"}, "BENCH")
	p.Register("root/cimv2", memprov.ClassDef{Class: cl, List: func(context.Context) ([]*model.Instance, error) { return list, nil }})
	return p
}

// BenchmarkE2EEnumerate enumerates 1000 Win32_Process instances from the
// test server over loopback HTTP (Basic, schema cached), Windows dialect,
// envelopes up to 512000 bytes.
func BenchmarkE2EEnumerate(b *testing.B) {
	const n = 1000
	srv, err := wsmantest.Start(wsmantest.Options{Provider: processProvider(n), BasicUsers: map[string]string{"u": "p"}, AllowUnencrypted: true})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	u, _ := url.Parse(srv.URL())
	port, _ := strconv.Atoi(u.Port())
	tr, err := transport.New(transport.Config{Host: u.Hostname(), Port: port, Auth: transport.AuthBasic, User: "u", Password: "p", NoEncryption: true})
	if err != nil {
		b.Fatal(err)
	}
	c := wsman.NewClient(tr, wsman.Options{Endpoint: srv.URL()})
	defer c.Close()
	ctx := context.Background()
	run := func() int {
		e, err := c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Process"})
		if err != nil {
			b.Fatal(err)
		}
		defer e.Close()
		k := 0
		for e.Next(ctx) {
			k++
		}
		if e.Err() != nil {
			b.Fatal(e.Err())
		}
		return k
	}
	if k := run(); k != n { // warms the schema cache
		b.Fatalf("%d instances", k)
	}
	before := srv.Counters().Requests
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run()
	}
	b.StopTimer()
	b.ReportMetric(float64(srv.Counters().Requests-before)/float64(b.N), "requests/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/instance")
}

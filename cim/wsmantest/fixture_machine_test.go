package wsmantest_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// The fixture is one machine: every class and the registry agree on its
// name, its Windows version and its memory, as a real host's would.
func TestFixtureIsOneMachine(t *testing.T) {
	srv := wsmantest.NewServer(t, wsmantest.Options{BasicUsers: basicUsers, AllowUnencrypted: true, ComputerName: "SRV07"})
	c, _ := newClient(t, srv, wsman.Options{ComputerName: "SRV07"})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	all := func(class string) []*model.Instance {
		return collect(t, ctx, c, &model.EnumerateRequest{ClassName: class})
	}
	text := func(i *model.Instance, p string) string {
		v, _ := i.Get(p)
		return v.Text()
	}
	os, cs := all("Win32_OperatingSystem")[0], all("Win32_ComputerSystem")[0]
	names := map[string]string{"Win32_OperatingSystem.CSName": text(os, "CSName"), "Win32_ComputerSystem.Name": text(cs, "Name")}
	for _, d := range all("Win32_LogicalDisk") {
		names["Win32_LogicalDisk.SystemName "+text(d, "DeviceID")] = text(d, "SystemName")
	}
	for _, s := range all("Win32_Service") {
		names["Win32_Service.SystemName "+text(s, "Name")] = text(s, "SystemName")
	}
	procs := all("Win32_Process")
	for _, p := range procs {
		names["Win32_Process.CSName "+text(p, "ProcessId")] = text(p, "CSName")
	}
	for _, q := range all("Win32_QuickFixEngineering") {
		names["Win32_QuickFixEngineering.CSName "+text(q, "HotFixID")] = text(q, "CSName")
	}
	for where, name := range names {
		if name != "SRV07" {
			t.Errorf("%s = %q, want the machine's name SRV07", where, name)
		}
	}
	visibleKB, _ := strconv.ParseUint(text(os, "TotalVisibleMemorySize"), 10, 64)
	freeKB, _ := strconv.ParseUint(text(os, "FreePhysicalMemory"), 10, 64)
	physical, _ := strconv.ParseUint(text(cs, "TotalPhysicalMemory"), 10, 64)
	if visibleKB*1024 != physical || visibleKB < 3<<20 || freeKB == 0 || freeKB >= visibleKB {
		t.Errorf("memory: OS %d KB visible, %d KB free; computer system %d bytes", visibleKB, freeKB, physical)
	}
	if n := text(os, "NumberOfProcesses"); n != strconv.Itoa(len(procs)) {
		t.Errorf("NumberOfProcesses = %s, Win32_Process lists %d", n, len(procs))
	}
	reg := func(value string) string {
		out, err := c.Invoke(ctx, &model.InvokeRequest{Common: model.Common{Namespace: "root/default"}, ClassName: "StdRegProv",
			Method: "GetStringValue", In: []model.Property{
				{Name: "hDefKey", Value: model.Uint(model.TypeUint32, 0x80000002)},
				{Name: "sSubKeyName", Value: model.String(`SOFTWARE\Microsoft\Windows NT\CurrentVersion`)},
				{Name: "sValueName", Value: model.String(value)}}})
		if err != nil {
			t.Fatalf("registry %s: %v", value, err)
		}
		return text(out, "sValue")
	}
	if product := reg("ProductName"); !strings.HasSuffix(text(os, "Caption"), product) {
		t.Errorf("registry ProductName %q, Win32_OperatingSystem.Caption %q", product, text(os, "Caption"))
	}
	if build := reg("CurrentBuild"); build != text(os, "BuildNumber") {
		t.Errorf("registry CurrentBuild %q, Win32_OperatingSystem.BuildNumber %q", build, text(os, "BuildNumber"))
	}
	id, err := c.Identify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id.ProductVersion, "OS: "+text(os, "Version")+" ") {
		t.Errorf("Identify says %q, Win32_OperatingSystem.Version %q", id.ProductVersion, text(os, "Version"))
	}
}

package local

import (
	"bufio"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/internal/testenv"
)

// These tests compare the provider with the OS's own view, read here
// independently of gopsutil: the files and system calls themselves.

func meminfoKB(t *testing.T, key string) uint64 {
	t.Helper()
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		testenv.Skip(t, "no /proc/meminfo", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && k == key {
			n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("meminfo %s: %v", key, err)
			}
			return n
		}
	}
	t.Fatalf("meminfo has no %s", key)
	return 0
}

func prettyName(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				return strings.Trim(v, `"'`)
			}
		}
	}
	testenv.Skip(t, "no os-release PRETTY_NAME on this machine")
	return ""
}

func procCount(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err == nil {
			n++
		}
	}
	return n
}

func within(a, b, tol uint64) bool {
	if a > b {
		return a-b <= tol
	}
	return b-a <= tol
}

func TestOperatingSystemMatchesOS(t *testing.T) {
	p := newTestProvider(t)
	availBefore := meminfoKB(t, "MemAvailable")
	insts := enumClass(t, p, "Win32_OperatingSystem")
	availAfter := meminfoKB(t, "MemAvailable")
	if len(insts) != 1 {
		t.Fatalf("Win32_OperatingSystem: %d instances, want 1", len(insts))
	}
	osi := insts[0]
	if got, want := propStr(t, osi, "Caption"), prettyName(t); got != want {
		t.Errorf("Caption = %q, want PRETTY_NAME %q", got, want)
	}
	host, _ := os.Hostname()
	host, _, _ = strings.Cut(host, ".")
	if got := propStr(t, osi, "CSName"); got != host {
		t.Errorf("CSName = %q, want %q", got, host)
	}
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		t.Fatal(err)
	}
	if got, want := propStr(t, osi, "Version"), unix.ByteSliceToString(uts.Release[:]); got != want {
		t.Errorf("Version = %q, want the kernel release %q", got, want)
	}
	if runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64" {
		if got := propStr(t, osi, "OSArchitecture"); got != "64-bit" {
			t.Errorf("OSArchitecture = %q", got)
		}
	}
	if got := propU(t, osi, "OSType"); got != 36 {
		t.Errorf("OSType = %d, want 36 (LINUX)", got)
	}
	if got, want := propU(t, osi, "TotalVisibleMemorySize"), meminfoKB(t, "MemTotal"); got != want {
		t.Errorf("TotalVisibleMemorySize = %d KB, /proc/meminfo MemTotal %d KB", got, want)
	}
	// Windows' FreePhysicalMemory is the memory available to programs
	// (free plus the standby cache, Task Manager's "Available"), which is
	// Linux's MemAvailable, not MemFree. The tolerance covers what the
	// machine does between the reads.
	lo, hi := min(availBefore, availAfter), max(availBefore, availAfter)
	if got := propU(t, osi, "FreePhysicalMemory"); got+32*1024 < lo || got > hi+32*1024 {
		t.Errorf("FreePhysicalMemory = %d KB, MemAvailable %d..%d KB (MemFree %d KB)", got, lo, hi, meminfoKB(t, "MemFree"))
	}
	swap := meminfoKB(t, "SwapTotal")
	if got, want := propU(t, osi, "TotalVirtualMemorySize"), meminfoKB(t, "MemTotal")+swap; got != want {
		t.Errorf("TotalVirtualMemorySize = %d KB, want MemTotal+SwapTotal %d KB", got, want)
	}
	if got, want := propU(t, osi, "NumberOfProcesses"), uint64(procCount(t)); !within(got, want, 20) {
		t.Errorf("NumberOfProcesses = %d, /proc has %d", got, want)
	}
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		t.Fatal(err)
	}
	boot, _ := prop(t, osi, "LastBootUpTime").AsDatetime()
	wantBoot := time.Now().Add(-time.Duration(si.Uptime) * time.Second)
	if d := boot.Time.Sub(wantBoot); math.Abs(d.Seconds()) > 5 {
		t.Errorf("LastBootUpTime = %v, uptime says %v", boot.Time, wantBoot)
	}
	local, _ := prop(t, osi, "LocalDateTime").AsDatetime()
	if d := time.Since(local.Time); d < 0 || d > 30*time.Second {
		t.Errorf("LocalDateTime = %v, now %v", local.Time, time.Now())
	}
	if name := propStr(t, osi, "Name"); !strings.HasPrefix(name, prettyName(t)+"|/|") {
		t.Errorf("Name = %q", name)
	}
	// A singleton: Get with no keys returns it.
	got, err := p.Get(testCtx(t), &model.GetRequest{Path: &model.Reference{ClassName: "Win32_OperatingSystem"}})
	if err != nil || propStr(t, got, "Caption") != propStr(t, osi, "Caption") {
		t.Errorf("Get Win32_OperatingSystem=@: %v, %v", got, err)
	}
}

func cpuinfoProcessors(t *testing.T) uint64 {
	t.Helper()
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		testenv.Skip(t, "no /proc/cpuinfo", err)
	}
	var n uint64
	for _, line := range strings.Split(string(b), "\n") {
		if k, _, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "processor" {
			n++
		}
	}
	return n
}

func TestComputerSystemMatchesOS(t *testing.T) {
	p := newTestProvider(t)
	insts := enumClass(t, p, "Win32_ComputerSystem")
	if len(insts) != 1 {
		t.Fatalf("Win32_ComputerSystem: %d instances, want 1", len(insts))
	}
	cs := insts[0]
	host, _ := os.Hostname()
	short, _, _ := strings.Cut(host, ".")
	if got := propStr(t, cs, "Name"); got != short {
		t.Errorf("Name = %q, want %q", got, short)
	}
	if got, want := propU(t, cs, "TotalPhysicalMemory"), meminfoKB(t, "MemTotal")*1024; got != want {
		t.Errorf("TotalPhysicalMemory = %d, MemTotal %d bytes", got, want)
	}
	if got, want := propU(t, cs, "NumberOfLogicalProcessors"), cpuinfoProcessors(t); got != want {
		t.Errorf("NumberOfLogicalProcessors = %d, /proc/cpuinfo lists %d", got, want)
	}
	if n := propU(t, cs, "NumberOfProcessors"); n < 1 || n > propU(t, cs, "NumberOfLogicalProcessors") {
		t.Errorf("NumberOfProcessors = %d", n)
	}
	// Get by key.
	ref := &model.Reference{ClassName: "Win32_ComputerSystem", Selectors: []model.Selector{{Name: "Name", Value: short}}}
	if _, err := p.Get(testCtx(t), &model.GetRequest{Path: ref}); err != nil {
		t.Errorf("Get %s: %v", ref, err)
	}

	procs := enumClass(t, p, "Win32_Processor")
	var logical uint64
	for _, pr := range procs {
		logical += propU(t, pr, "NumberOfLogicalProcessors")
		if propStr(t, pr, "Name") == "" {
			t.Errorf("%s has no Name", pr)
		}
	}
	if want := cpuinfoProcessors(t); logical != want {
		t.Errorf("Win32_Processor instances hold %d logical processors, /proc/cpuinfo lists %d", logical, want)
	}
}

func TestLogicalDiskMatchesStatfs(t *testing.T) {
	p := newTestProvider(t)
	ref := &model.Reference{ClassName: "Win32_LogicalDisk", Selectors: []model.Selector{{Name: "DeviceID", Value: "/"}}}
	disk, err := p.Get(testCtx(t), &model.GetRequest{Path: ref})
	if err != nil {
		t.Fatalf("Get %s: %v", ref, err)
	}
	var st unix.Statfs_t
	if err := unix.Statfs("/", &st); err != nil {
		t.Fatal(err)
	}
	bs := uint64(st.Bsize)
	if got, want := propU(t, disk, "Size"), st.Blocks*bs; got != want {
		t.Errorf("Size = %d, statfs says %d", got, want)
	}
	if got, want := propU(t, disk, "FreeSpace"), st.Bavail*bs; !within(got, want, want/50+256<<20) {
		t.Errorf("FreeSpace = %d, statfs says %d", got, want)
	}
	if got := propU(t, disk, "DriveType"); got != 3 && got != 4 {
		t.Errorf("DriveType = %d", got)
	}
	if propStr(t, disk, "FileSystem") == "" {
		t.Error("FileSystem is empty")
	}
	// Every disk's DeviceID is a mounted directory.
	for _, d := range enumClass(t, p, "Win32_LogicalDisk") {
		id := propStr(t, d, "DeviceID")
		if fi, err := os.Stat(id); err != nil || !fi.IsDir() {
			t.Errorf("DeviceID %q is not a directory: %v", id, err)
		}
	}
	// A WQL filter on the provider.
	insts := enumerate(t, p, &model.EnumerateRequest{Query: `SELECT DeviceID, Size FROM Win32_LogicalDisk WHERE DeviceID = "/"`})
	if len(insts) != 1 || insts[0].Len() != 2 {
		t.Errorf("WQL on Win32_LogicalDisk returned %v", insts)
	}
}

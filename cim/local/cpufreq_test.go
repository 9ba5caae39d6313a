package local

import (
	"os"
	"runtime"
	"testing"

	"github.com/cimsh/cimsh/internal/testenv"
)

// TestPackageClocks reads a recorded /sys and /proc: the current clock is
// cpufreq's (the mean over the package's CPUs), else /proc/cpuinfo's; the
// maximum is cpufreq's or unknown, never the current one copied.
func TestPackageClocks(t *testing.T) {
	const root = "testdata/cpu"
	for _, c := range []struct {
		cpus     []int
		cur, max uint64
	}{
		{[]int{0, 1}, 1800, 3600},
		{[]int{2, 3}, 2500, 0}, // no cpufreq: cpuinfo's current clock, no maximum
		{[]int{7}, 0, 0},
	} {
		cur, maximum := packageClocks(root, c.cpus)
		if cur != c.cur || maximum != c.max {
			t.Errorf("cpus %v: current %d max %d, want %d %d", c.cpus, cur, maximum, c.cur, c.max)
		}
	}
	for _, c := range []struct {
		root          string
		cpus          []int
		online, known bool
	}{
		{root, []int{0, 1}, true, true},
		{root, []int{3}, false, true},
		{t.TempDir(), []int{0}, false, false},
	} {
		if online, known := cpuOnline(c.root, c.cpus); online != c.online || known != c.known {
			t.Errorf("%s %v: online %v known %v", c.root, c.cpus, online, known)
		}
	}
	if set, ok := parseCPUList("0-3,8,10-11"); !ok || len(set) != 7 || !set[10] || set[4] {
		t.Errorf("parseCPUList: %v %v", set, ok)
	}
	for _, bad := range []string{"x", "3-1", "1-"} {
		if _, ok := parseCPUList(bad); ok {
			t.Errorf("parseCPUList(%q) accepted", bad)
		}
	}
}

// TestProcessorNoInventedValues checks this machine's Win32_Processor:
// Status and Availability are NULL (nothing reads them), MaxClockSpeed is
// NULL exactly when the kernel has no cpufreq maximum, and the current
// clock is the kernel's.
func TestProcessorNoInventedValues(t *testing.T) {
	if runtime.GOOS != "linux" {
		testenv.Skip(t, "the clock sources are Linux's")
	}
	p := newTestProvider(t)
	procs := enumClass(t, p, "Win32_Processor")
	if len(procs) == 0 {
		t.Fatal("no Win32_Processor")
	}
	_, err := os.Stat("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")
	hasMax := err == nil
	for _, inst := range procs {
		for _, name := range []string{"Status", "Availability"} {
			if v := prop(t, inst, name); !v.IsNull() {
				t.Errorf("%s = %v, invented", name, v)
			}
		}
		if got := !prop(t, inst, "MaxClockSpeed").IsNull(); got != hasMax {
			t.Errorf("MaxClockSpeed = %v with cpufreq maximum %v", prop(t, inst, "MaxClockSpeed"), hasMax)
		}
		if cur := prop(t, inst, "CurrentClockSpeed"); !cur.IsNull() && propU(t, inst, "CurrentClockSpeed") == 0 {
			t.Errorf("CurrentClockSpeed = 0")
		}
		if _, err := os.Stat("/sys/devices/system/cpu/online"); err == nil && propU(t, inst, "CpuStatus") != 1 {
			t.Errorf("CpuStatus = %v with the package online", prop(t, inst, "CpuStatus"))
		}
	}
}

// TestNoInventedStatus checks that no class claims a health it did not
// read: Status (and BootupState) are NULL on this machine's operating
// system, computer, processors and BIOS.
func TestNoInventedStatus(t *testing.T) {
	p := newTestProvider(t)
	for _, class := range []string{"Win32_OperatingSystem", "Win32_ComputerSystem", "Win32_Processor", "Win32_BIOS"} {
		for _, inst := range enumClass(t, p, class) {
			for _, name := range []string{"Status", "BootupState", "Availability"} {
				if v, ok := inst.Get(name); ok && !v.IsNull() {
					t.Errorf("%s.%s = %v, read from nothing", class, name, v)
				}
			}
		}
	}
}

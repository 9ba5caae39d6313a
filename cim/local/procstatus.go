package local

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Peak memory of a process, which gopsutil does not read: the kernel's
// high-water marks in /proc/PID/status, VmHWM (peak resident set, what
// Windows calls the peak working set) and VmPeak (peak virtual size),
// both in kB. Win32_Process wants PeakWorkingSetSize in kilobytes and
// PeakVirtualSize in bytes.

// procPeaks returns VmPeak and VmHWM in kB for pid, under root; ok is
// false for each the kernel did not give (kernel threads have neither;
// other systems have no /proc).
func procPeaks(root string, pid int32) (peakVirtKB, hwmKB uint64, virtOK, hwmOK bool) {
	f, err := os.Open(filepath.Join(root, "/proc", strconv.Itoa(int(pid)), "status"))
	if err != nil {
		return 0, 0, false, false
	}
	defer f.Close()
	return parsePeaks(f)
}

// parsePeaks reads VmPeak and VmHWM from a /proc/PID/status text.
func parsePeaks(r io.Reader) (peakVirtKB, hwmKB uint64, virtOK, hwmOK bool) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != "VmPeak" && k != "VmHWM" {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) != 2 || fields[1] != "kB" {
			continue
		}
		n, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			continue
		}
		if k == "VmPeak" {
			peakVirtKB, virtOK = n, true
		} else {
			hwmKB, hwmOK = n, true
		}
	}
	return peakVirtKB, hwmKB, virtOK, hwmOK
}

package local

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// What the kernel tells of a processor's state and clock (Linux; the
// files are absent elsewhere and the properties stay NULL):
//
//   - /sys/devices/system/cpu/online lists the logical CPUs online: a
//     package with one of them online is enabled (CpuStatus 1);
//   - cpufreq's scaling_cur_freq is a CPU's current clock, cpuinfo_max_freq
//     its maximum (kHz); without cpufreq (most virtual machines),
//     /proc/cpuinfo's "cpu MHz" is the current clock (x86) and the
//     maximum is not known.

// cpuOnline reports whether any of cpus is online, and whether the
// kernel said.
func cpuOnline(root string, cpus []int) (online, known bool) {
	b, err := os.ReadFile(filepath.Join(root, "/sys/devices/system/cpu/online"))
	if err != nil {
		return false, false
	}
	set, ok := parseCPUList(strings.TrimSpace(string(b)))
	if !ok {
		return false, false
	}
	for _, c := range cpus {
		if set[c] {
			return true, true
		}
	}
	return false, true
}

// parseCPUList parses the kernel's CPU list format ("0-3,8,10-11").
func parseCPUList(s string) (map[int]bool, bool) {
	set := map[int]bool{}
	if s == "" {
		return set, true
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, false
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a || b-a > 1<<16 {
				return nil, false
			}
		}
		for c := a; c <= b; c++ {
			set[c] = true
		}
	}
	return set, true
}

// packageClocks returns the current clock of a package (the mean over its
// logical CPUs) and its maximum, in MHz; 0 where the kernel does not say.
func packageClocks(root string, cpus []int) (current, maximum uint64) {
	var sum float64
	n := 0
	for _, c := range cpus {
		if mhz, ok := cpufreqMHz(root, c, "scaling_cur_freq"); ok {
			sum += mhz
			n++
		}
		if mhz, ok := cpufreqMHz(root, c, "cpuinfo_max_freq"); ok {
			maximum = max(maximum, roundMHz(mhz))
		}
	}
	if n == 0 {
		info := cpuinfoMHz(root)
		for _, c := range cpus {
			if mhz, ok := info[c]; ok {
				sum += mhz
				n++
			}
		}
	}
	if n > 0 {
		current = roundMHz(sum / float64(n))
	}
	return current, maximum
}

// cpufreqMHz reads one of a CPU's cpufreq files (kHz) as MHz.
func cpufreqMHz(root string, cpu int, file string) (float64, bool) {
	b, err := os.ReadFile(filepath.Join(root, "/sys/devices/system/cpu", "cpu"+strconv.Itoa(cpu), "cpufreq", file))
	if err != nil {
		return 0, false
	}
	khz, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	if err != nil || khz <= 0 || math.IsInf(khz, 0) {
		return 0, false
	}
	return khz / 1000, true
}

// cpuinfoMHz reads the "cpu MHz" of each logical CPU from /proc/cpuinfo.
func cpuinfoMHz(root string) map[int]float64 {
	f, err := os.Open(filepath.Join(root, "/proc/cpuinfo"))
	if err != nil {
		return nil
	}
	defer f.Close()
	out := map[int]float64{}
	cpu := -1
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "processor":
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				n = -1
			}
			cpu = n
		case "cpu MHz":
			if mhz, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && cpu >= 0 && mhz > 0 {
				out[cpu] = mhz
			}
		}
	}
	return out
}

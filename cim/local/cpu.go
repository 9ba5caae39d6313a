package local

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/shirou/gopsutil/v4/cpu"
)

// cpuPackage is one processor socket, as Win32_Processor has one instance
// per socket.
type cpuPackage struct {
	info    cpu.InfoStat // the first logical CPU of the package
	cores   int
	logical int
	flags   []string
	cpus    []int // the package's logical CPU numbers (Linux)
}

// cpuPackages groups gopsutil's CPU list into sockets. On Linux gopsutil
// lists every logical CPU with its physical (socket) and core ids; on
// macOS and Windows it lists packages with their core counts.
func cpuPackages(ctx context.Context) ([]cpuPackage, error) {
	infos, err := cpu.InfoWithContext(ctx)
	if err != nil {
		return nil, err
	}
	if len(infos) == 0 {
		return nil, nil
	}
	logicalTotal, _ := cpu.CountsWithContext(ctx, true)
	if runtime.GOOS != "linux" {
		pkgs := make([]cpuPackage, 0, len(infos))
		for _, in := range infos {
			pkgs = append(pkgs, cpuPackage{info: in, cores: int(in.Cores), flags: in.Flags})
		}
		for i := range pkgs {
			pkgs[i].logical = logicalTotal / len(pkgs)
		}
		return pkgs, nil
	}
	byID := map[string]*cpuPackage{}
	coreSets := map[string]map[string]bool{}
	var ids []string
	for _, in := range infos {
		id := in.PhysicalID
		p, ok := byID[id]
		if !ok {
			p = &cpuPackage{info: in, flags: in.Flags}
			byID[id] = p
			coreSets[id] = map[string]bool{}
			ids = append(ids, id)
		}
		p.logical++
		p.cpus = append(p.cpus, int(in.CPU))
		coreSets[id][in.CoreID] = true
	}
	sort.SliceStable(ids, func(i, j int) bool {
		a, errA := strconv.Atoi(ids[i])
		b, errB := strconv.Atoi(ids[j])
		if errA == nil && errB == nil {
			return a < b
		}
		return ids[i] < ids[j]
	})
	pkgs := make([]cpuPackage, 0, len(ids))
	for _, id := range ids {
		p := byID[id]
		p.cores = len(coreSets[id])
		pkgs = append(pkgs, *p)
	}
	return pkgs, nil
}

// cpuCaption is Win32_Processor.Caption in Windows' form for x86
// ("Intel64 Family 6 Model 85 Stepping 7"); the model name elsewhere.
func cpuCaption(in cpu.InfoStat) string {
	prefix := ""
	switch {
	case runtime.GOARCH == "amd64" && in.VendorID == "AuthenticAMD":
		prefix = "AMD64"
	case runtime.GOARCH == "amd64":
		prefix = "Intel64"
	case runtime.GOARCH == "386":
		prefix = "x86"
	}
	if prefix == "" || in.Family == "" || in.Model == "" {
		return strings.TrimSpace(in.ModelName)
	}
	return prefix + " Family " + in.Family + " Model " + in.Model + " Stepping " + strconv.Itoa(int(in.Stepping))
}

// cpuArchitecture is Win32_Processor.Architecture (0 x86, 5 ARM, 9 x64,
// 12 ARM64), and whether it is known.
func cpuArchitecture() (uint64, bool) {
	switch runtime.GOARCH {
	case "386":
		return 0, true
	case "arm":
		return 5, true
	case "amd64":
		return 9, true
	case "arm64":
		return 12, true
	}
	return 0, false
}

func hasFlag(flags []string, names ...string) bool {
	for _, n := range names {
		if slices.Contains(flags, n) {
			return true
		}
	}
	return false
}

func roundMHz(mhz float64) uint64 {
	if mhz <= 0 || math.IsNaN(mhz) {
		return 0
	}
	return uint64(math.Round(mhz))
}

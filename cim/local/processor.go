package local

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// Win32_Processor: one instance per socket ("CPU0", "CPU1", ...), with
// its cores and logical processors. On Linux CurrentClockSpeed is the
// kernel's current clock (cpufreq, else /proc/cpuinfo), MaxClockSpeed
// cpufreq's maximum (NULL without cpufreq, as in most virtual machines),
// CpuStatus 1 (enabled) when one of the package's CPUs is online
// (cpufreq.go); elsewhere MaxClockSpeed is the nominal clock gopsutil
// reads and the rest NULL. Status and Availability stay NULL: nothing
// reads the processor's health or power state. Family and ProcessorId,
// which Windows takes from SMBIOS and CPUID, stay NULL.

func (c *collector) listProcessors(ctx context.Context) ([]*model.Instance, error) {
	pkgs, err := cpuPackages(ctx)
	if err != nil {
		return nil, model.NewFault(model.CIMFailed, "local: Win32_Processor: %v", err)
	}
	host := hostname()
	cls := c.s.class("Win32_Processor")
	out := make([]*model.Instance, 0, len(pkgs))
	for i, p := range pkgs {
		inst := newInstance(cls)
		in := p.info
		caption := cpuCaption(in)
		inst.Set("DeviceID", model.String(fmt.Sprintf("CPU%d", i)))
		inst.Set("Name", str(strings.TrimSpace(in.ModelName)))
		inst.Set("Caption", str(caption))
		inst.Set("Description", str(caption))
		inst.Set("Manufacturer", str(in.VendorID))
		setSystemElement(inst, "Win32_Processor", host)
		inst.Set("Role", model.String("CPU"))
		inst.Set("ProcessorType", u16(3)) // Central Processor
		if online, known := cpuOnline(c.sysRoot, p.cpus); known && online {
			inst.Set("CpuStatus", u16(1)) // CPU Enabled
		}
		if a, ok := cpuArchitecture(); ok {
			inst.Set("Architecture", u16(a))
		}
		width := uint64(32)
		if osArchitecture("") == "64-bit" {
			width = 64
		}
		inst.Set("AddressWidth", u16(width))
		inst.Set("DataWidth", u16(width))
		if runtime.GOOS == "linux" {
			cur, maximum := packageClocks(c.sysRoot, p.cpus)
			if cur > 0 {
				inst.Set("CurrentClockSpeed", u32(cur))
			}
			if maximum > 0 {
				inst.Set("MaxClockSpeed", u32(maximum))
			}
		} else if mhz := roundMHz(in.Mhz); mhz > 0 {
			inst.Set("MaxClockSpeed", u32(mhz))
		}
		if p.cores > 0 {
			inst.Set("NumberOfCores", u32(uint64(p.cores)))
			inst.Set("NumberOfEnabledCore", u32(uint64(p.cores)))
		}
		if p.logical > 0 {
			inst.Set("NumberOfLogicalProcessors", u32(uint64(p.logical)))
			inst.Set("ThreadCount", u32(uint64(p.logical)))
		}
		if runtime.GOARCH == "amd64" || runtime.GOARCH == "386" {
			inst.Set("Stepping", model.String(strconv.Itoa(int(in.Stepping))))
			if fam, err := strconv.ParseUint(in.Family, 10, 16); err == nil {
				inst.Set("Level", u16(fam))
			}
			if m, err := strconv.ParseUint(in.Model, 10, 8); err == nil && in.Stepping >= 0 && in.Stepping < 256 {
				inst.Set("Revision", u16(m<<8|uint64(in.Stepping)))
			}
			if len(p.flags) > 0 {
				inst.Set("VMMonitorModeExtensions", boolean(hasFlag(p.flags, "vmx", "svm")))
				inst.Set("SecondLevelAddressTranslationExtensions", boolean(hasFlag(p.flags, "ept", "npt")))
			}
		}
		out = append(out, inst)
	}
	return out, nil
}

package local

import (
	"context"
	"runtime"
	"slices"
	"time"

	"github.com/shirou/gopsutil/v4/mem"

	"github.com/cimsh/cimsh/cim/model"
)

// Win32_ComputerSystem: this machine. Name is the host name without its
// domain. Domain, Workgroup and PartOfDomain come from the host's domain
// membership as sssd and Samba are configured (realm.go): a member's
// domain; else the Samba workgroup, which Windows also reports as Domain;
// NULL where nothing names one or the configuration cannot be read.
// Status and BootupState stay NULL: nothing here reads the system's health
// or how it booted. Manufacturer, Model, SystemFamily and SystemSKUNumber
// come from SMBIOS (NULL without DMI), TotalPhysicalMemory is in bytes,
// NumberOfProcessors counts sockets.

func (c *collector) listComputerSystem(ctx context.Context) ([]*model.Instance, error) {
	inst := newInstance(c.s.class("Win32_ComputerSystem"))
	host := hostname()
	now := time.Now()
	inst.Set("Name", str(host))
	inst.Set("Caption", str(host))
	inst.Set("DNSHostName", str(host))
	if m := readMembership(c.sysRoot); m.known {
		inst.Set("PartOfDomain", boolean(m.joined))
		if m.joined {
			inst.Set("Domain", str(m.domain))
		} else {
			inst.Set("Domain", str(m.workgroup))
			inst.Set("Workgroup", str(m.workgroup))
		}
	}
	inst.Set("CreationClassName", model.String("Win32_ComputerSystem"))
	inst.Set("SystemType", str(systemType()))
	inst.Set("CurrentTimeZone", s16(zoneMinutes(now)))

	d := c.readDMI()
	if p := d.product; p != nil {
		inst.Set("Manufacturer", dmiStr(p.Vendor))
		inst.Set("Model", dmiStr(p.Name))
		inst.Set("SystemFamily", dmiStr(p.Family))
		inst.Set("SystemSKUNumber", dmiStr(p.SKU))
	}
	if ch := d.chassis; ch != nil {
		if t, ok := pcSystemType(ch.Type); ok {
			inst.Set("PCSystemType", u16(t))
		}
	}
	if vm, err := mem.VirtualMemoryWithContext(ctx); err == nil {
		inst.Set("TotalPhysicalMemory", u64(vm.Total))
	}
	if pkgs, err := cpuPackages(ctx); err == nil && len(pkgs) > 0 {
		logical := 0
		for _, p := range pkgs {
			logical += p.logical
		}
		inst.Set("NumberOfProcessors", u32(uint64(len(pkgs))))
		inst.Set("NumberOfLogicalProcessors", u32(uint64(logical)))
		if runtime.GOARCH == "amd64" || runtime.GOARCH == "386" {
			if len(pkgs[0].flags) > 0 {
				inst.Set("HypervisorPresent", boolean(slices.Contains(pkgs[0].flags, "hypervisor")))
			}
		}
	}
	return []*model.Instance{inst}, nil
}

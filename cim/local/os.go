package local

import (
	"context"
	"runtime"
	"time"

	"github.com/shirou/gopsutil/v4/host"
	"github.com/shirou/gopsutil/v4/mem"
	"github.com/shirou/gopsutil/v4/process"

	"github.com/cimsh/cimsh/cim/model"
)

// Win32_OperatingSystem: the one running OS (a singleton, as on Windows).
//
// Mapping: Caption is os-release's PRETTY_NAME ("Debian GNU/Linux 12
// (bookworm)"; "macOS 14.5" on a Mac), Version the kernel release (what
// Windows' Version also is: the NT kernel's), BuildNumber the
// distribution's version (gopsutil's platform version, "12.11"),
// Manufacturer os-release's VENDOR_NAME or else NAME, Name
// "Caption|/|root device" after Windows' "Caption|C:\Windows|device",
// InstallDate the birth time of the root file system where the kernel
// reports it. Memory figures are in kilobytes as on Windows:
// FreePhysicalMemory is the memory available to programs (MemAvailable),
// the virtual memory figures add swap, the paging file ones are swap.

func (c *collector) listOperatingSystem(ctx context.Context) ([]*model.Instance, error) {
	inst := newInstance(c.s.class("Win32_OperatingSystem"))
	now := time.Now()
	hostName := hostname()
	rel := readOSRelease()

	platform, _, platformVersion, _ := host.PlatformInformationWithContext(ctx)
	kernel, _ := host.KernelVersionWithContext(ctx)
	arch, _ := host.KernelArch()

	caption := rel["PRETTY_NAME"]
	if caption == "" {
		caption = fallbackCaption(platform, platformVersion)
	}
	manufacturer := rel["VENDOR_NAME"]
	if manufacturer == "" {
		manufacturer = rel["NAME"]
	}
	if runtime.GOOS == "darwin" {
		manufacturer = "Apple Inc."
	}

	ms, _ := mounts(ctx)
	rootDev := rootDevice(ms, "/")
	bootDev := rootDevice(ms, "/boot")
	if bootDev == "" {
		bootDev = rootDev
	}

	inst.Set("Caption", str(caption))
	inst.Set("Name", str(caption+"|/|"+rootDev))
	inst.Set("Version", str(kernel))
	inst.Set("BuildNumber", str(platformVersion))
	inst.Set("Manufacturer", str(manufacturer))
	inst.Set("OSArchitecture", str(osArchitecture(arch)))
	inst.Set("OSType", u16(osType()))
	inst.Set("CSName", str(hostName))
	inst.Set("CSCreationClassName", model.String("Win32_ComputerSystem"))
	inst.Set("CreationClassName", model.String("Win32_OperatingSystem"))
	inst.Set("Status", model.String("OK"))
	inst.Set("Primary", boolean(true))
	inst.Set("Distributed", boolean(false))
	inst.Set("PortableOperatingSystem", boolean(false))
	inst.Set("LocalDateTime", datetime(now))
	inst.Set("CurrentTimeZone", s16(zoneMinutes(now)))
	inst.Set("SystemDrive", str("/"))
	inst.Set("SystemDevice", str(rootDev))
	inst.Set("BootDevice", str(bootDev))
	inst.Set("InstallDate", datetime(installTime("/")))

	if boot, err := host.BootTimeWithContext(ctx); err == nil && boot > 0 {
		inst.Set("LastBootUpTime", datetime(time.Unix(int64(boot), 0)))
	}
	if vm, err := mem.VirtualMemoryWithContext(ctx); err == nil {
		inst.Set("TotalVisibleMemorySize", u64(vm.Total/1024))
		inst.Set("FreePhysicalMemory", u64(vm.Available/1024))
		if sw, err := mem.SwapMemoryWithContext(ctx); err == nil {
			inst.Set("TotalVirtualMemorySize", u64((vm.Total+sw.Total)/1024))
			inst.Set("FreeVirtualMemory", u64((vm.Available+sw.Free)/1024))
			inst.Set("SizeStoredInPagingFiles", u64(sw.Total/1024))
			inst.Set("FreeSpaceInPagingFiles", u64(sw.Free/1024))
		}
	}
	if pids, err := process.PidsWithContext(ctx); err == nil {
		inst.Set("NumberOfProcesses", clampU32(uint64(len(pids))))
	}
	if users, err := host.UsersWithContext(ctx); err == nil {
		inst.Set("NumberOfUsers", clampU32(uint64(len(users))))
	}
	return []*model.Instance{inst}, nil
}

// fallbackCaption names the OS where there is no os-release.
func fallbackCaption(platform, version string) string {
	switch runtime.GOOS {
	case "darwin":
		return "macOS " + version
	case "windows":
		return platform
	}
	if platform == "" {
		return runtime.GOOS
	}
	if version == "" {
		return platform
	}
	return platform + " " + version
}

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
// distribution's version (os-release's VERSION_ID, or the finer one of
// the distribution's own version file, "12.11"; gopsutil's platform
// version where there is no os-release),
// Manufacturer os-release's VENDOR_NAME or else NAME, Name
// "Caption|/|root device" after Windows' "Caption|C:\Windows|device",
// InstallDate the birth time of the root file system where the kernel
// reports it. Memory figures are in kilobytes as on Windows.
// FreePhysicalMemory is what Windows means by it: the physical memory
// available to programs without paging anything out (GlobalMemoryStatusEx
// ullAvailPhys: the free, zeroed and standby lists, Task Manager's
// "Available"), which on Linux is MemAvailable (free memory plus the page
// cache and reclaimable slabs the kernel can drop), not MemFree, which
// leaves out the cache and would make every busy file server look full.
// The virtual memory figures add swap to RAM (Windows adds the paging
// files), the paging file ones are swap.

func (c *collector) listOperatingSystem(ctx context.Context) ([]*model.Instance, error) {
	inst := newInstance(c.s.class("Win32_OperatingSystem"))
	now := time.Now()
	hostName := hostname()
	rel := readOSRelease()

	// Counting users may run loginctl (where utmp is not kept): it runs
	// while the rest is read.
	users := make(chan int, 1)
	go func() {
		n := -1
		if us, err := host.UsersWithContext(ctx); err == nil {
			n = len(us)
		}
		users <- n
	}()

	platformVersion := distroVersion(rel, "/etc")
	if rel == nil {
		_, _, platformVersion, _ = host.PlatformInformationWithContext(ctx)
	}
	kernel, _ := host.KernelVersionWithContext(ctx)
	arch, _ := host.KernelArch()

	caption := osCaption(ctx, rel)
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
	inst.Set("Name", str(osName(caption, rootDev)))
	inst.Set("Version", str(kernel))
	inst.Set("BuildNumber", str(platformVersion))
	inst.Set("Manufacturer", str(manufacturer))
	inst.Set("OSArchitecture", str(osArchitecture(arch)))
	inst.Set("OSType", u16(osType()))
	inst.Set("CSName", str(hostName))
	inst.Set("CSCreationClassName", model.String("Win32_ComputerSystem"))
	inst.Set("CreationClassName", model.String("Win32_OperatingSystem"))
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
	if n := <-users; n >= 0 {
		inst.Set("NumberOfUsers", clampU32(uint64(n)))
	}
	return []*model.Instance{inst}, nil
}

// osCaption is Win32_OperatingSystem.Caption: os-release's PRETTY_NAME
// (rel is readOSRelease's result), else a name built from gopsutil's
// platform fields, for systems without os-release (macOS, Windows, minimal
// containers).
func osCaption(ctx context.Context, rel map[string]string) string {
	if c := rel["PRETTY_NAME"]; c != "" {
		return c
	}
	platform, _, version, _ := host.PlatformInformationWithContext(ctx)
	return fallbackCaption(platform, version)
}

// osName is Win32_OperatingSystem.Name, after Windows'
// "Caption|C:\Windows|\Device\Harddisk0\Partition2": the caption, the
// system directory and the device it is on. Win32_Process.OSName repeats
// it, so both are made here.
func osName(caption, rootDev string) string {
	if caption == "" {
		return ""
	}
	return caption + "|/|" + rootDev
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

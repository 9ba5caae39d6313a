package local

import (
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// hostname returns the machine's name as Windows' CSName and
// Win32_ComputerSystem.Name use it: the host part, without the domain.
func hostname() string {
	short, _ := hostParts()
	return short
}

// hostParts splits the host name into its first label and the DNS domain
// (empty unless the name is fully qualified).
func hostParts() (short, domain string) {
	h, err := os.Hostname()
	if err != nil {
		return "", ""
	}
	short, domain, _ = strings.Cut(h, ".")
	return short, domain
}

// setSystemElement sets what every CIM_LogicalDevice and CIM_Service says
// of the system it belongs to, for an instance of class.
func setSystemElement(inst *model.Instance, class, host string) {
	inst.Set("CreationClassName", model.String(class))
	inst.Set("SystemCreationClassName", model.String("Win32_ComputerSystem"))
	inst.Set("SystemName", str(host))
}

// zoneMinutes is the local UTC offset in minutes (CurrentTimeZone).
func zoneMinutes(t time.Time) int64 {
	_, off := t.Zone()
	return int64(off / 60)
}

// osArchitecture turns a kernel machine name (uname -m) into Windows'
// OSArchitecture text ("64-bit").
func osArchitecture(machine string) string {
	switch machine {
	case "x86_64", "amd64", "aarch64", "arm64", "ppc64", "ppc64le", "s390x", "riscv64", "mips64", "loongarch64":
		return "64-bit"
	case "i386", "i486", "i586", "i686", "x86", "armv6l", "armv7l", "arm", "mips", "mipsle":
		return "32-bit"
	}
	switch runtime.GOARCH {
	case "amd64", "arm64", "ppc64", "ppc64le", "s390x", "riscv64", "mips64", "mips64le", "loong64":
		return "64-bit"
	}
	return "32-bit"
}

// systemType is Win32_ComputerSystem.SystemType for this architecture.
func systemType() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x64-based PC"
	case "386":
		return "X86-based PC"
	case "arm64":
		return "ARM64-based PC"
	}
	return ""
}

// osType is CIM_OperatingSystem.OSType for the running OS (DMTF values:
// 2 MACOS, 18 WINNT, 36 LINUX, 42 FreeBSD, 1 Other).
func osType() uint64 {
	switch runtime.GOOS {
	case "linux":
		return 36
	case "darwin":
		return 2
	case "windows":
		return 18
	case "freebsd":
		return 42
	}
	return 1
}

package local

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jaypipes/ghw"

	"github.com/cimsh/cimsh/cim/model"
)

// dmiInfo is the SMBIOS data ghw reads from /sys/class/dmi/id on Linux
// (and from WMI on Windows, IOKit on macOS for the product). Fields the
// OS withholds (serial numbers and the UUID need root on Linux) come back
// as "unknown", which str turns into NULL.
type dmiInfo struct {
	bios    *ghw.BIOSInfo
	product *ghw.ProductInfo
	chassis *ghw.ChassisInfo
	// biosRelease and ecRelease are "major.minor" (bios_release,
	// ec_firmware_release), which ghw does not read.
	biosRelease, ecRelease string
}

func (c *collector) readDMI() dmiInfo {
	args := []any{ghw.WithDisableWarnings()}
	root := "/"
	if c.dmiRoot != "" {
		root = c.dmiRoot
		args = append(args, ghw.WithChroot(c.dmiRoot))
	}
	var d dmiInfo
	if b, err := ghw.BIOS(args...); err == nil {
		d.bios = b
	}
	if p, err := ghw.Product(args...); err == nil {
		d.product = p
	}
	if ch, err := ghw.Chassis(args...); err == nil {
		d.chassis = ch
	}
	d.biosRelease = readSysValue(filepath.Join(root, "sys/class/dmi/id/bios_release"))
	d.ecRelease = readSysValue(filepath.Join(root, "sys/class/dmi/id/ec_firmware_release"))
	return d
}

func readSysValue(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// known reports whether a DMI string holds a value.
func known(s string) bool { return s != "" && s != "unknown" }

// dmiStr is a DMI string as a property: NULL when ghw could not read it.
func dmiStr(s string) model.Value {
	if !known(s) {
		return model.Null(model.TypeString)
	}
	return model.String(s)
}

// keyText is a key property's value: "" rather than NULL when unknown, so
// the instance still has a usable path.
func keyText(s string) string {
	if !known(s) {
		return ""
	}
	return s
}

// parseMajorMinor splits "1.2" into 1 and 2.
func parseMajorMinor(s string) (major, minor uint64, ok bool) {
	a, b, found := strings.Cut(s, ".")
	if !found {
		return 0, 0, false
	}
	ma, err1 := strconv.ParseUint(a, 10, 8)
	mi, err2 := strconv.ParseUint(b, 10, 8)
	return ma, mi, err1 == nil && err2 == nil
}

// parseBIOSDate reads the SMBIOS date, MM/DD/YYYY (two-digit years are
// 19xx, as the SMBIOS specification says).
func parseBIOSDate(s string) time.Time {
	for _, layout := range []string{"01/02/2006", "1/2/2006", "01/02/06"} {
		if t, err := time.Parse(layout, s); err == nil {
			if layout == "01/02/06" && t.Year() >= 2000 {
				t = t.AddDate(-100, 0, 0)
			}
			return t
		}
	}
	return time.Time{}
}

// pcSystemType maps the SMBIOS chassis type to Win32_ComputerSystem's
// PCSystemType (1 Desktop, 2 Mobile, 4 Enterprise Server, 8 Slate; 0
// Unspecified for the other chassis types). ok is false when there is no
// chassis type to map: ghw reports a missing DMI tree as "unknown", and a
// machine without DMI must not claim 0 (Unspecified), a value Windows
// reads from firmware.
func pcSystemType(chassis string) (uint64, bool) {
	switch chassis {
	case "3", "4", "5", "6", "7", "13", "15", "16", "24", "35", "36":
		return 1, true
	case "8", "9", "10", "14", "31", "32":
		return 2, true
	case "17", "23", "25", "28", "29":
		return 4, true
	case "30":
		return 8, true
	}
	if n, err := strconv.ParseUint(chassis, 10, 8); err == nil && n > 0 {
		return 0, true
	}
	return 0, false
}

package local

import (
	"context"

	"github.com/cimsh/cimsh/cim/model"
)

// Win32_BIOS and Win32_ComputerSystemProduct: SMBIOS data where the OS
// exposes it (an empty set in containers and VMs without DMI).
//
// Mapping: Win32_BIOS.Name, SMBIOSBIOSVersion, Version and BIOSVersion are
// the BIOS version string (Windows' Version adds an OEM prefix Linux does
// not expose), SerialNumber the system serial (root only on Linux).
// Win32_ComputerSystemProduct is the SMBIOS system record: IdentifyingNumber
// the serial, Name the product name, Vendor the system vendor.

func (c *collector) listBIOS(ctx context.Context) ([]*model.Instance, error) {
	d := c.readDMI()
	if d.bios == nil || (!known(d.bios.Vendor) && !known(d.bios.Version)) {
		return nil, nil
	}
	inst := newInstance(c.s.class("Win32_BIOS"))
	version := keyText(d.bios.Version)
	inst.Set("Name", model.String(version))
	inst.Set("Caption", model.String(version))
	inst.Set("Description", model.String(version))
	inst.Set("SoftwareElementID", model.String(version))
	inst.Set("SoftwareElementState", u16(3)) // Running
	inst.Set("TargetOperatingSystem", u16(0))
	inst.Set("Version", model.String(version))
	inst.Set("SMBIOSBIOSVersion", dmiStr(d.bios.Version))
	if known(d.bios.Version) {
		inst.Set("BIOSVersion", strs([]string{d.bios.Version}))
	}
	inst.Set("Manufacturer", dmiStr(d.bios.Vendor))
	inst.Set("ReleaseDate", datetime(parseBIOSDate(d.bios.Date)))
	inst.Set("PrimaryBIOS", boolean(true))
	inst.Set("SMBIOSPresent", boolean(true))
	if d.product != nil {
		inst.Set("SerialNumber", dmiStr(d.product.SerialNumber))
	}
	if ma, mi, ok := parseMajorMinor(d.biosRelease); ok {
		inst.Set("SystemBiosMajorVersion", u8(ma))
		inst.Set("SystemBiosMinorVersion", u8(mi))
	}
	if ma, mi, ok := parseMajorMinor(d.ecRelease); ok {
		inst.Set("EmbeddedControllerMajorVersion", u8(ma))
		inst.Set("EmbeddedControllerMinorVersion", u8(mi))
	}
	return []*model.Instance{inst}, nil
}

func (c *collector) listComputerSystemProduct(ctx context.Context) ([]*model.Instance, error) {
	d := c.readDMI()
	p := d.product
	if p == nil || (!known(p.Name) && !known(p.Vendor)) {
		return nil, nil
	}
	inst := newInstance(c.s.class("Win32_ComputerSystemProduct"))
	inst.Set("Caption", model.String("Computer System Product"))
	inst.Set("Description", model.String("Computer System Product"))
	inst.Set("IdentifyingNumber", model.String(keyText(p.SerialNumber)))
	inst.Set("Name", model.String(keyText(p.Name)))
	inst.Set("Version", model.String(keyText(p.Version)))
	inst.Set("Vendor", dmiStr(p.Vendor))
	inst.Set("SKUNumber", dmiStr(p.SKU))
	inst.Set("UUID", dmiStr(p.UUID))
	return []*model.Instance{inst}, nil
}

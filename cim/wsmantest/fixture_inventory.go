package wsmantest

import (
	"context"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
)

// The inventory classes the bundled scripts read (hardware,
// network_config, installed_software, fleet_inventory), with values of an
// EC2 Windows Server.

var biosClass = &model.Class{Name: "Win32_BIOS",
	Properties: []model.PropertyDecl{
		prop("Manufacturer", ty.Str), key("Name", ty.Str), prop("ReleaseDate", ty.DT), prop("SerialNumber", ty.Str),
		prop("SMBIOSBIOSVersion", ty.Str), key("SoftwareElementID", ty.Str), key("SoftwareElementState", ty.U16),
		key("TargetOperatingSystem", ty.U16), key("Version", ty.Str),
	}}

var productClass = &model.Class{Name: "Win32_ComputerSystemProduct",
	Properties: []model.PropertyDecl{
		key("IdentifyingNumber", ty.Str), key("Name", ty.Str), prop("UUID", ty.Str), prop("Vendor", ty.Str), key("Version", ty.Str),
	}}

var processorClass = &model.Class{Name: "Win32_Processor",
	Properties: []model.PropertyDecl{
		prop("AddressWidth", ty.U16), key("DeviceID", ty.Str), prop("LoadPercentage", ty.U16), prop("Manufacturer", ty.Str),
		prop("MaxClockSpeed", ty.U32), prop("Name", ty.Str), prop("NumberOfCores", ty.U32), prop("NumberOfLogicalProcessors", ty.U32),
	}}

var nicConfigClass = &model.Class{Name: "Win32_NetworkAdapterConfiguration",
	Properties: []model.PropertyDecl{
		arrayProp("DefaultIPGateway", ty.Str), prop("Description", ty.Str), prop("DHCPEnabled", ty.Bool), prop("DNSHostName", ty.Str),
		arrayProp("DNSServerSearchOrder", ty.Str), key("Index", ty.U32), arrayProp("IPAddress", ty.Str), prop("IPEnabled", ty.Bool),
		arrayProp("IPSubnet", ty.Str), prop("MACAddress", ty.Str),
	}}

var quickFixClass = &model.Class{Name: "Win32_QuickFixEngineering",
	Properties: []model.PropertyDecl{
		prop("Caption", ty.Str), prop("CSName", ty.Str), prop("Description", ty.Str), key("HotFixID", ty.Str),
		prop("InstalledBy", ty.Str), prop("InstalledOn", ty.Str), key("ServicePackInEffect", ty.Str),
	}}

var softwareClass = &model.Class{Name: "Win32_Product",
	Properties: []model.PropertyDecl{
		key("IdentifyingNumber", ty.Str), prop("InstallDate", ty.Str), prop("InstallLocation", ty.Str), key("Name", ty.Str),
		prop("Vendor", ty.Str), key("Version", ty.Str),
	}}

// registerInventory adds the hardware and software inventory classes
// (static data).
func (f *fixture) registerInventory(p *memprov.Provider) {
	static := func(list ...*model.Instance) func(context.Context) ([]*model.Instance, error) {
		return func(context.Context) ([]*model.Instance, error) { return cloneAll(list), nil }
	}
	p.Register(cimv2, memprov.ClassDef{Class: biosClass, List: static(instance(biosClass, cimv2,
		"Manufacturer", str("Amazon EC2"), "Name", str("Default System BIOS"), "ReleaseDate", dt("2017-08-24T00:00:00Z"),
		"SerialNumber", str("ec2e1c5a-74f3-8a29-6b1d-05d8c7f1a2b3"), "SMBIOSBIOSVersion", str("1.0"),
		"SoftwareElementID", str("Default System BIOS"), "SoftwareElementState", u16(3), "TargetOperatingSystem", u16(0),
		"Version", str("AMAZON - 1")))})
	p.Register(cimv2, memprov.ClassDef{Class: productClass, List: static(instance(productClass, cimv2,
		"IdentifyingNumber", str("ec2e1c5a-74f3-8a29-6b1d-05d8c7f1a2b3"), "Name", str("t3.medium"),
		"UUID", str("EC2E1C5A-74F3-8A29-6B1D-05D8C7F1A2B3"), "Vendor", str("Amazon EC2"), "Version", str("")))})
	p.Register(cimv2, memprov.ClassDef{Class: processorClass, List: static(instance(processorClass, cimv2,
		"AddressWidth", u16(64), "DeviceID", str("CPU0"), "LoadPercentage", u16(3), "Manufacturer", str("GenuineIntel"),
		"MaxClockSpeed", u32(2500), "Name", str("Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz"),
		"NumberOfCores", u32(1), "NumberOfLogicalProcessors", u32(2)))})
	p.Register(cimv2, memprov.ClassDef{Class: nicConfigClass, List: static(
		instance(nicConfigClass, cimv2, "DefaultIPGateway", model.NullArray(ty.Str), "Description", str("WAN Miniport (IP)"),
			"DHCPEnabled", boolean(false), "DNSHostName", null(ty.Str), "DNSServerSearchOrder", model.NullArray(ty.Str),
			"Index", u32(0), "IPAddress", model.NullArray(ty.Str), "IPEnabled", boolean(false), "IPSubnet", model.NullArray(ty.Str),
			"MACAddress", null(ty.Str)),
		instance(nicConfigClass, cimv2, "DefaultIPGateway", strs("172.31.16.1"), "Description", str("Amazon Elastic Network Adapter"),
			"DHCPEnabled", boolean(true), "DNSHostName", str(f.computer), "DNSServerSearchOrder", strs("172.31.0.2"),
			"Index", u32(1), "IPAddress", strs("172.31.20.5", "fe80::8d4f:1a2b:3c4d:5e6f"), "IPEnabled", boolean(true),
			"IPSubnet", strs("255.255.240.0", "64"), "MACAddress", str("0A:1B:2C:3D:4E:5F")))})
	qfe := func(id, desc, on string) *model.Instance {
		return instance(quickFixClass, cimv2, "Caption", str("http://support.microsoft.com/?kbid="+id[2:]), "CSName", str(f.computer),
			"Description", str(desc), "HotFixID", str(id), "InstalledBy", str(`NT AUTHORITY\SYSTEM`), "InstalledOn", str(on),
			"ServicePackInEffect", str(""))
	}
	p.Register(cimv2, memprov.ClassDef{Class: quickFixClass, List: static(
		qfe("KB2919355", "Update", "3/18/2014"), qfe("KB3172729", "Security Update", "7/12/2016"), qfe("KB5005698", "Security Update", "9/14/2021"))})
	sw := func(id, name, vendor, version, date string) *model.Instance {
		return instance(softwareClass, cimv2, "IdentifyingNumber", str(id), "InstallDate", str(date), "InstallLocation", null(ty.Str),
			"Name", str(name), "Vendor", str(vendor), "Version", str(version))
	}
	p.Register(cimv2, memprov.ClassDef{Class: softwareClass, List: static(
		sw("{4AE2D6FB-5B6C-4F3B-A1B5-1B0E5C2D7A01}", "Amazon SSM Agent", "Amazon Web Services", "3.1.1446.0", "20220610"),
		sw("{90160000-008C-0000-1000-0000000FF1CE}", "Office 16 Click-to-Run Extensibility Component", "Microsoft Corporation", "16.0.15028.20160", "20220420"),
		sw("{F7E4D1C2-93B5-4A6E-8C0D-2B1A9E8F7D65}", "7-Zip 19.00 (x64 edition)", "Igor Pavlov", "19.00.00.0", "20210115"))})
}

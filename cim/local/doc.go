// Package local is cimsh's built-in provider for the local machine: the
// provider a session with no computer name uses, so that the bundled
// inventory scripts run on a fresh machine with no CIM server.
//
// It serves, in root/cimv2, the Win32_ classes admins query most, with
// Windows' property names, CIM types, units and keys, filled from the
// running OS (Linux fully; macOS as far as gopsutil reaches; on Windows it
// builds and serves what gopsutil reads, real WMI being later work):
//
//	Win32_OperatingSystem, Win32_ComputerSystem, Win32_Process,
//	Win32_LogicalDisk, Win32_Service, Win32_NetworkAdapterConfiguration,
//	Win32_Processor, Win32_BIOS, Win32_ComputerSystemProduct,
//	Win32_QuickFixEngineering, Win32_Product, Win32_DiskPartition
//
// and their CIM_ ancestors (CIM_ManagedSystemElement, CIM_LogicalElement,
// CIM_OperatingSystem, CIM_Process, CIM_System, CIM_ComputerSystem,
// CIM_UnitaryComputerSystem, CIM_LogicalDevice, CIM_StorageExtent,
// CIM_LogicalDisk, CIM_Processor, CIM_Service, Win32_BaseService,
// CIM_SoftwareElement, CIM_BIOSElement, CIM_Product, CIM_Setting,
// CIM_DiskPartition), which return the same instances, as on Windows;
// the associations between them (Win32_SystemServices,
// Win32_SystemProcesses, Win32_DependentService,
// Win32_LogicalDiskToPartition, assoc.go), which ASSOCIATORS OF follows;
// and __NAMESPACE in root.
//
// Win32_Process has the methods Terminate (ReturnValue 0 on success),
// GetOwner and the static Create. New returns a *memprov.Provider, which
// is a model.Provider.
//
// Schemas, data and methods live here; WQL, projection, get by key,
// subclass expansion and method argument handling are cim/memprov's.
//
// Where Linux has no exact counterpart of a Windows property the mapping is
// documented on the class's file (for example Win32_OperatingSystem.Version
// is the kernel release and Win32_LogicalDisk.DeviceID the mount point).
// A property the OS cannot tell is NULL, never invented; a class whose
// source is missing (no systemd, no DMI, no package database) is an empty
// set, not an error.
package local

package local

// The associations Windows has between the classes this provider serves,
// and Win32_DiskPartition, which Win32_LogicalDiskToPartition joins to
// Win32_LogicalDisk; after Microsoft's published MOF (cimwin32prov
// win32-systemservices, win32-systemprocesses, win32-dependentservice,
// win32-logicaldisktopartition, win32-diskpartition) and the CIM schema
// classes they derive from. An association class carries the Association
// qualifier (inherited); its references are its keys.
var associationDecls = []classDecl{
	{name: "CIM_Component", quals: []string{"Abstract", "Association"}, props: `
		CIM_ManagedSystemElement ref GroupComponent key
		CIM_ManagedSystemElement ref PartComponent key`},
	{name: "CIM_SystemComponent", super: "CIM_Component", quals: []string{"Abstract"}, props: `
		CIM_System ref GroupComponent key
		CIM_ManagedSystemElement ref PartComponent key`},
	{name: "Win32_SystemServices", super: "CIM_SystemComponent", props: `
		Win32_ComputerSystem ref GroupComponent key
		Win32_Service ref PartComponent key`},
	{name: "Win32_SystemProcesses", super: "CIM_SystemComponent", props: `
		Win32_ComputerSystem ref GroupComponent key
		Win32_Process ref PartComponent key`},

	{name: "CIM_Dependency", quals: []string{"Abstract", "Association"}, props: `
		CIM_ManagedSystemElement ref Antecedent key
		CIM_ManagedSystemElement ref Dependent key`},
	{name: "CIM_ServiceServiceDependency", super: "CIM_Dependency", quals: []string{"Abstract"}, props: `
		CIM_Service ref Antecedent key
		CIM_Service ref Dependent key
		uint16 TypeOfDependency`},
	{name: "Win32_DependentService", super: "CIM_ServiceServiceDependency", props: `
		Win32_BaseService ref Antecedent key
		Win32_BaseService ref Dependent key`},

	{name: "CIM_DiskPartition", super: "CIM_StorageExtent", quals: []string{"Abstract"}, props: `
		boolean Bootable
		boolean PrimaryPartition`},
	{name: "Win32_DiskPartition", super: "CIM_DiskPartition", props: `
		boolean BootPartition
		uint32 DiskIndex
		uint32 HiddenSectors
		uint32 Index
		boolean RewritePartition
		uint64 Size units=bytes
		uint64 StartingOffset units=bytes
		string Type`},
	{name: "CIM_BasedOn", super: "CIM_Dependency", quals: []string{"Abstract"}, props: `
		CIM_StorageExtent ref Antecedent key
		CIM_StorageExtent ref Dependent key
		uint64 EndingAddress
		uint64 StartingAddress`},
	{name: "CIM_LogicalDiskBasedOnPartition", super: "CIM_BasedOn", quals: []string{"Abstract"}, props: `
		CIM_DiskPartition ref Antecedent key
		CIM_LogicalDisk ref Dependent key`},
	{name: "Win32_LogicalDiskToPartition", super: "CIM_LogicalDiskBasedOnPartition", props: `
		Win32_DiskPartition ref Antecedent key
		Win32_LogicalDisk ref Dependent key`},
}

// The associations come after the classes they join.
func init() { classDecls = append(classDecls, associationDecls...) }

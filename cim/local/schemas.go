package local

import (
	"sync"

	"github.com/cimsh/cimsh/cim/model"
)

// The class schemas, after Windows' published MOF (learn.microsoft.com,
// cimwin32prov/win32-*): names, CIM types, units and keys as there. Keys
// are the ones Windows' object paths carry (Win32_Process.Handle,
// Win32_LogicalDisk.DeviceID, ...), marked on the CIM_ ancestor that
// declares the property so a Get through the base class works too;
// Win32_OperatingSystem is a singleton without keys, as on Windows.

type classDecl struct {
	name, super, props string
	quals              []string
}

var classDecls = []classDecl{
	{name: "CIM_ManagedSystemElement", quals: []string{"Abstract"}, props: `
		string Caption
		string Description
		datetime InstallDate
		string Name
		string Status`},
	{name: "CIM_LogicalElement", super: "CIM_ManagedSystemElement", quals: []string{"Abstract"}},

	{name: "CIM_OperatingSystem", super: "CIM_LogicalElement", quals: []string{"Abstract"}, props: `
		string CreationClassName
		string CSCreationClassName
		string CSName
		sint16 CurrentTimeZone units=minutes
		boolean Distributed
		uint64 FreePhysicalMemory units=kilobytes
		uint64 FreeSpaceInPagingFiles units=kilobytes
		uint64 FreeVirtualMemory units=kilobytes
		datetime LastBootUpTime
		datetime LocalDateTime
		uint32 MaxNumberOfProcesses
		uint64 MaxProcessMemorySize units=kilobytes
		uint32 NumberOfLicensedUsers
		uint32 NumberOfProcesses
		uint32 NumberOfUsers
		uint16 OSType
		string OtherTypeDescription
		uint64 SizeStoredInPagingFiles units=kilobytes
		uint64 TotalSwapSpaceSize units=kilobytes
		uint64 TotalVirtualMemorySize units=kilobytes
		uint64 TotalVisibleMemorySize units=kilobytes
		string Version`},
	{name: "Win32_OperatingSystem", super: "CIM_OperatingSystem", quals: []string{"Singleton"}, props: `
		string BootDevice
		string BuildNumber
		string BuildType
		string CodeSet
		string CountryCode
		string CSDVersion
		boolean DataExecutionPrevention_Available
		boolean DataExecutionPrevention_32BitApplications
		boolean DataExecutionPrevention_Drivers
		uint8 DataExecutionPrevention_SupportPolicy
		boolean Debug
		uint32 EncryptionLevel
		uint8 ForegroundApplicationBoost
		uint32 LargeSystemCache
		string Locale
		string Manufacturer
		string MUILanguages[]
		uint32 OperatingSystemSKU
		string Organization
		string OSArchitecture
		uint32 OSLanguage
		uint32 OSProductSuite
		boolean PAEEnabled
		string PlusProductID
		string PlusVersionNumber
		boolean PortableOperatingSystem
		boolean Primary
		uint32 ProductType
		string RegisteredUser
		string SerialNumber
		uint16 ServicePackMajorVersion
		uint16 ServicePackMinorVersion
		uint32 SuiteMask
		string SystemDevice
		string SystemDirectory
		string SystemDrive
		string WindowsDirectory`},

	{name: "CIM_Process", super: "CIM_LogicalElement", quals: []string{"Abstract"}, props: `
		string CreationClassName
		datetime CreationDate
		string CSCreationClassName
		string CSName
		uint16 ExecutionState
		string Handle key
		uint64 KernelModeTime units=100_nanoseconds
		string OSCreationClassName
		string OSName
		uint32 Priority
		datetime TerminationDate
		uint64 UserModeTime units=100_nanoseconds
		uint64 WorkingSetSize units=bytes`},
	{name: "Win32_Process", super: "CIM_Process", props: `
		string CommandLine
		string ExecutablePath
		uint32 HandleCount
		uint32 MaximumWorkingSetSize units=kilobytes
		uint32 MinimumWorkingSetSize units=kilobytes
		uint64 OtherOperationCount
		uint64 OtherTransferCount units=bytes
		uint32 PageFaults
		uint32 PageFileUsage units=kilobytes
		uint32 ParentProcessId
		uint32 PeakPageFileUsage units=kilobytes
		uint64 PeakVirtualSize units=bytes
		uint32 PeakWorkingSetSize units=kilobytes
		uint64 PrivatePageCount
		uint32 ProcessId
		uint32 QuotaNonPagedPoolUsage
		uint32 QuotaPagedPoolUsage
		uint32 QuotaPeakNonPagedPoolUsage
		uint32 QuotaPeakPagedPoolUsage
		uint64 ReadOperationCount
		uint64 ReadTransferCount units=bytes
		uint32 SessionId
		uint32 ThreadCount
		uint64 VirtualSize units=bytes
		string WindowsVersion
		uint64 WriteOperationCount
		uint64 WriteTransferCount units=bytes`},

	{name: "CIM_System", super: "CIM_LogicalElement", quals: []string{"Abstract"}, props: `
		string CreationClassName
		string Name key
		string NameFormat
		string PrimaryOwnerContact
		string PrimaryOwnerName
		string Roles[]`},
	{name: "CIM_ComputerSystem", super: "CIM_System", quals: []string{"Abstract"}},
	{name: "CIM_UnitaryComputerSystem", super: "CIM_ComputerSystem", quals: []string{"Abstract"}, props: `
		string InitialLoadInfo[]
		string LastLoadInfo
		uint16 PowerManagementCapabilities[]
		boolean PowerManagementSupported
		uint16 PowerState
		uint16 ResetCapability`},
	{name: "Win32_ComputerSystem", super: "CIM_UnitaryComputerSystem", props: `
		uint16 AdminPasswordStatus
		boolean AutomaticManagedPagefile
		boolean AutomaticResetBootOption
		boolean AutomaticResetCapability
		uint16 BootOptionOnLimit
		uint16 BootOptionOnWatchDog
		boolean BootROMSupported
		uint16 BootStatus[]
		string BootupState
		uint16 ChassisBootupState
		string ChassisSKUNumber
		sint16 CurrentTimeZone units=minutes
		boolean DaylightInEffect
		string DNSHostName
		string Domain
		uint16 DomainRole
		boolean EnableDaylightSavingsTime
		uint16 FrontPanelResetStatus
		boolean HypervisorPresent
		boolean InfraredSupported
		uint16 KeyboardPasswordStatus
		string Manufacturer
		string Model
		boolean NetworkServerModeEnabled
		uint32 NumberOfLogicalProcessors
		uint32 NumberOfProcessors
		uint8 OEMLogoBitmap[]
		string OEMStringArray[]
		boolean PartOfDomain
		sint64 PauseAfterReset units=milliseconds
		uint16 PCSystemType
		uint16 PCSystemTypeEx
		uint16 PowerOnPasswordStatus
		uint16 PowerSupplyState
		sint16 ResetCount
		sint16 ResetLimit
		string SupportContactDescription[]
		string SystemFamily
		string SystemSKUNumber
		uint16 SystemStartupDelay units=seconds
		string SystemStartupOptions[]
		uint8 SystemStartupSetting
		string SystemType
		uint16 ThermalState
		uint64 TotalPhysicalMemory units=bytes
		string UserName
		uint16 WakeUpType
		string Workgroup`},

	{name: "CIM_LogicalDevice", super: "CIM_LogicalElement", quals: []string{"Abstract"}, props: `
		uint16 Availability
		uint32 ConfigManagerErrorCode
		boolean ConfigManagerUserConfig
		string CreationClassName
		string DeviceID key
		boolean ErrorCleared
		string ErrorDescription
		uint32 LastErrorCode
		string PNPDeviceID
		uint16 PowerManagementCapabilities[]
		boolean PowerManagementSupported
		uint16 StatusInfo
		string SystemCreationClassName
		string SystemName`},
	{name: "CIM_StorageExtent", super: "CIM_LogicalDevice", quals: []string{"Abstract"}, props: `
		uint16 Access
		uint64 BlockSize units=bytes
		string ErrorMethodology
		uint64 NumberOfBlocks
		string Purpose`},
	{name: "CIM_LogicalDisk", super: "CIM_StorageExtent", quals: []string{"Abstract"}, props: `
		uint64 FreeSpace units=bytes
		uint64 Size units=bytes`},
	{name: "Win32_LogicalDisk", super: "CIM_LogicalDisk", props: `
		boolean Compressed
		uint32 DriveType
		string FileSystem
		uint32 MaximumComponentLength
		uint32 MediaType
		string ProviderName
		boolean QuotasDisabled
		boolean QuotasIncomplete
		boolean QuotasRebuilding
		boolean SupportsDiskQuotas
		boolean SupportsFileBasedCompression
		boolean VolumeDirty
		string VolumeName
		string VolumeSerialNumber`},

	{name: "CIM_Processor", super: "CIM_LogicalDevice", quals: []string{"Abstract"}, props: `
		uint16 AddressWidth units=bits
		uint32 CurrentClockSpeed units=megahertz
		uint16 DataWidth units=bits
		uint16 Family
		uint16 LoadPercentage units=percent
		uint32 MaxClockSpeed units=megahertz
		string OtherFamilyDescription
		string Role
		string Stepping
		string UniqueId
		uint16 UpgradeMethod`},
	{name: "Win32_Processor", super: "CIM_Processor", props: `
		uint16 Architecture
		string AssetTag
		uint32 Characteristics
		uint16 CpuStatus
		uint16 CurrentVoltage
		uint32 ExtClock units=megahertz
		uint32 L2CacheSize units=kilobytes
		uint32 L2CacheSpeed units=megahertz
		uint32 L3CacheSize units=kilobytes
		uint32 L3CacheSpeed units=megahertz
		uint16 Level
		string Manufacturer
		uint32 NumberOfCores
		uint32 NumberOfEnabledCore
		uint32 NumberOfLogicalProcessors
		string PartNumber
		string ProcessorId
		uint16 ProcessorType
		uint16 Revision
		boolean SecondLevelAddressTranslationExtensions
		string SerialNumber
		string SocketDesignation
		uint32 ThreadCount
		string Version
		boolean VirtualizationFirmwareEnabled
		boolean VMMonitorModeExtensions
		uint32 VoltageCaps`},

	{name: "CIM_Service", super: "CIM_LogicalElement", quals: []string{"Abstract"}, props: `
		string CreationClassName
		string Name key
		string StartMode
		boolean Started
		string SystemCreationClassName
		string SystemName`},
	{name: "Win32_BaseService", super: "CIM_Service", quals: []string{"Abstract"}, props: `
		boolean AcceptPause
		boolean AcceptStop
		boolean DesktopInteract
		string DisplayName
		string ErrorControl
		uint32 ExitCode
		string PathName
		uint32 ServiceSpecificExitCode
		string ServiceType
		string StartName
		string State
		uint32 TagId`},
	{name: "Win32_Service", super: "Win32_BaseService", props: `
		uint32 CheckPoint
		boolean DelayedAutoStart
		uint32 ProcessId
		uint32 WaitHint units=milliseconds`},

	{name: "CIM_SoftwareElement", super: "CIM_LogicalElement", quals: []string{"Abstract"}, props: `
		string BuildNumber
		string CodeSet
		string IdentificationCode
		string LanguageEdition
		string Manufacturer
		string Name key
		string OtherTargetOS
		string SerialNumber
		string SoftwareElementID key
		uint16 SoftwareElementState key
		uint16 TargetOperatingSystem key
		string Version key`},
	{name: "CIM_BIOSElement", super: "CIM_SoftwareElement", quals: []string{"Abstract"}, props: `
		boolean PrimaryBIOS
		datetime ReleaseDate`},
	{name: "Win32_BIOS", super: "CIM_BIOSElement", props: `
		uint16 BiosCharacteristics[]
		string BIOSVersion[]
		string CurrentLanguage
		uint8 EmbeddedControllerMajorVersion
		uint8 EmbeddedControllerMinorVersion
		uint16 InstallableLanguages
		string ListOfLanguages[]
		string SMBIOSBIOSVersion
		uint16 SMBIOSMajorVersion
		uint16 SMBIOSMinorVersion
		boolean SMBIOSPresent
		uint8 SystemBiosMajorVersion
		uint8 SystemBiosMinorVersion`},

	{name: "CIM_Product", quals: []string{"Abstract"}, props: `
		string Caption
		string Description
		string IdentifyingNumber key
		string Name key
		string SKUNumber
		string Vendor
		string Version key`},
	{name: "Win32_ComputerSystemProduct", super: "CIM_Product", props: `
		string UUID`},
	{name: "Win32_Product", super: "CIM_Product", props: `
		uint16 AssignmentType
		string HelpLink
		string HelpTelephone
		string InstallDate
		datetime InstallDate2
		string InstallLocation
		string InstallSource
		sint16 InstallState
		string Language
		string LocalPackage
		string PackageCache
		string PackageCode
		string PackageName
		string ProductID
		string RegCompany
		string RegOwner
		string Transforms
		string URLInfoAbout
		string URLUpdateInfo
		uint32 WordCount`},

	{name: "Win32_QuickFixEngineering", super: "CIM_LogicalElement", props: `
		string CSName
		string FixComments
		string HotFixID key
		string InstalledBy
		string InstalledOn
		string ServicePackInEffect key`},

	{name: "CIM_Setting", quals: []string{"Abstract"}, props: `
		string Caption
		string Description
		string SettingID`},
	{name: "Win32_NetworkAdapterConfiguration", super: "CIM_Setting", props: `
		boolean ArpAlwaysSourceRoute
		boolean ArpUseEtherSNAP
		string DatabasePath
		boolean DeadGWDetectEnabled
		string DefaultIPGateway[]
		uint8 DefaultTOS
		uint8 DefaultTTL
		boolean DHCPEnabled
		datetime DHCPLeaseExpires
		datetime DHCPLeaseObtained
		string DHCPServer
		string DNSDomain
		string DNSDomainSuffixSearchOrder[]
		boolean DNSEnabledForWINSResolution
		string DNSHostName
		string DNSServerSearchOrder[]
		boolean DomainDNSRegistrationEnabled
		uint32 ForwardBufferMemory
		boolean FullDNSRegistrationEnabled
		uint16 GatewayCostMetric[]
		uint8 IGMPLevel
		uint32 Index key
		uint32 InterfaceIndex
		string IPAddress[]
		uint32 IPConnectionMetric
		boolean IPEnabled
		boolean IPFilterSecurityEnabled
		boolean IPPortSecurityEnabled
		string IPSecPermitIPProtocols[]
		string IPSecPermitTCPPorts[]
		string IPSecPermitUDPPorts[]
		string IPSubnet[]
		boolean IPUseZeroBroadcast
		string IPXAddress
		boolean IPXEnabled
		uint32 IPXFrameType[]
		uint32 IPXMediaType
		string IPXNetworkNumber[]
		string IPXVirtualNetNumber
		uint32 KeepAliveInterval units=milliseconds
		uint32 KeepAliveTime units=milliseconds
		string MACAddress
		uint32 MTU units=bytes
		uint32 NumForwardPackets
		boolean PMTUBHDetectEnabled
		boolean PMTUDiscoveryEnabled
		string ServiceName
		uint32 TcpipNetbiosOptions
		uint32 TcpMaxConnectRetransmissions
		uint32 TcpMaxDataRetransmissions
		uint32 TcpNumConnections
		boolean TcpUseRFC1122UrgentPointer
		uint16 TcpWindowSize units=bytes
		boolean WINSEnableLMHostsLookup
		string WINSHostLookupFile
		string WINSPrimaryServer
		string WINSScopeID
		string WINSSecondaryServer`},
}

var (
	schemaOnce sync.Once
	schemaAll  *schemaSet
	schemaErr  error
)

// schemas returns the declared classes, built once; an error means a
// declaration above is malformed (a test builds them).
func schemas() (*schemaSet, error) {
	schemaOnce.Do(func() {
		s := newSchemaSet()
		for _, d := range classDecls {
			c, err := s.declare(d.name, d.super, d.props, d.quals...)
			if err != nil {
				schemaErr = err
				return
			}
			c.Methods = classMethods[c.Name]
		}
		schemaAll = s
	})
	return schemaAll, schemaErr
}

// class returns a declared class; callers name classes declared above.
func (s *schemaSet) class(name string) *model.Class { return s.lookup(name) }

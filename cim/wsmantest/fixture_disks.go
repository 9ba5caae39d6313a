package wsmantest

import (
	"context"
	"strings"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
)

var logicalDiskClass = &model.Class{Name: "Win32_LogicalDisk",
	Qualifiers: []model.Qualifier{{Name: "dynamic", Value: boolean(true)}, {Name: "provider", Value: str("CIMWin32")}},
	Properties: []model.PropertyDecl{
		prop("Access", ty.U16), prop("Availability", ty.U16), prop("BlockSize", ty.U64), prop("Caption", ty.Str),
		prop("Compressed", ty.Bool), prop("ConfigManagerErrorCode", ty.U32), prop("ConfigManagerUserConfig", ty.Bool),
		prop("CreationClassName", ty.Str), prop("Description", ty.Str), key("DeviceID", ty.Str), prop("DriveType", ty.U32),
		prop("ErrorCleared", ty.Bool), prop("ErrorDescription", ty.Str), prop("ErrorMethodology", ty.Str),
		prop("FileSystem", ty.Str), prop("FreeSpace", ty.U64), prop("InstallDate", ty.DT), prop("LastErrorCode", ty.U32),
		prop("MaximumComponentLength", ty.U32), prop("MediaType", ty.U32), prop("Name", ty.Str),
		prop("NumberOfBlocks", ty.U64), prop("PNPDeviceID", ty.Str), prop("PowerManagementSupported", ty.Bool),
		prop("ProviderName", ty.Str), prop("Purpose", ty.Str), prop("QuotasDisabled", ty.Bool),
		prop("QuotasIncomplete", ty.Bool), prop("QuotasRebuilding", ty.Bool), prop("Size", ty.U64), prop("Status", ty.Str),
		prop("StatusInfo", ty.U16), prop("SupportsDiskQuotas", ty.Bool), prop("SupportsFileBasedCompression", ty.Bool),
		prop("SystemCreationClassName", ty.Str), prop("SystemName", ty.Str), prop("VolumeDirty", ty.Bool),
		prop("VolumeName", ty.Str), prop("VolumeSerialNumber", ty.Str),
	},
	Methods: []model.Method{{Name: "Chkdsk", ReturnType: ty.U32, Parameters: []model.Parameter{in("FixErrors", ty.Bool)}}},
}

// registerDisks adds Win32_LogicalDisk C: and D: with the values of the
// Windows Server 2008 captures. A Put may change VolumeName only, as on
// Windows.
func (f *fixture) registerDisks(p *memprov.Provider) {
	disk := func(id string, free, size uint64, volume, serial string) *model.Instance {
		return instance(logicalDiskClass, cimv2,
			"Access", u16(0), "Availability", null(ty.U16), "BlockSize", null(ty.U64), "Caption", str(id),
			"Compressed", boolean(false), "ConfigManagerErrorCode", null(ty.U32), "ConfigManagerUserConfig", null(ty.Bool),
			"CreationClassName", str("Win32_LogicalDisk"), "Description", str("Local Fixed Disk"), "DeviceID", str(id),
			"DriveType", u32(3), "ErrorCleared", null(ty.Bool), "ErrorDescription", null(ty.Str),
			"ErrorMethodology", null(ty.Str), "FileSystem", str("NTFS"), "FreeSpace", u64(free),
			"InstallDate", null(ty.DT), "LastErrorCode", null(ty.U32), "MaximumComponentLength", u32(255),
			"MediaType", u32(12), "Name", str(id), "NumberOfBlocks", null(ty.U64), "PNPDeviceID", null(ty.Str),
			"PowerManagementSupported", null(ty.Bool), "ProviderName", null(ty.Str), "Purpose", null(ty.Str),
			"QuotasDisabled", boolean(true), "QuotasIncomplete", boolean(false), "QuotasRebuilding", boolean(false),
			"Size", u64(size), "Status", null(ty.Str), "StatusInfo", null(ty.U16), "SupportsDiskQuotas", boolean(true),
			"SupportsFileBasedCompression", boolean(true), "SystemCreationClassName", str("Win32_ComputerSystem"),
			"SystemName", str(f.computer), "VolumeDirty", boolean(false), "VolumeName", str(volume),
			"VolumeSerialNumber", str(serial))
	}
	f.disks = []*model.Instance{
		disk("C:", 9769496576, 32210153472, "", "E0E8D7AA"),
		disk("D:", 53584777216, 53683941376, "New Volume", "76B9CC9D"),
	}
	p.Register(cimv2, memprov.ClassDef{Class: logicalDiskClass, List: f.lister(&f.disks),
		Modify: func(ctx context.Context, inst *model.Instance) (*model.Instance, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			i := find(f.disks, inst.Path())
			if i < 0 {
				return nil, model.NewFault(model.CIMNotFound, "wsmantest: no logical disk %s", inst.Path())
			}
			cur := f.disks[i]
			for _, pr := range inst.All() {
				old, ok := cur.Get(pr.Name)
				if !ok {
					return nil, model.NewFault(model.CIMNoSuchProperty, "wsmantest: Win32_LogicalDisk has no property %s", pr.Name)
				}
				if strings.EqualFold(pr.Name, "VolumeName") || model.Equal(old, pr.Value) {
					continue
				}
				return nil, model.NewFault(model.CIMAccessDenied, "wsmantest: property %s of Win32_LogicalDisk is read-only", pr.Name)
			}
			next := cur.Clone()
			if v, ok := inst.Get("VolumeName"); ok {
				next.Set("VolumeName", v)
			}
			f.disks[i] = next
			return next.Clone(), nil
		},
		Methods: map[string]memprov.MethodFunc{
			"Chkdsk": func(context.Context, *model.Instance, *model.Instance) (*model.Instance, error) {
				return returnValue(0), nil
			},
		}})
}

package luatest

import (
	"context"
	"time"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
)

// Terminal attacks a hostile server can put in its text: each would
// act on a terminal that printed it raw.
const (
	ClearScreen = "\x1b[2J\x1b[H"         // ESC [2J: clear the screen, cursor home
	SetTitle    = "\x1b]0;pwned\x07"      // OSC 0: set the window title
	C1CSI       = "\u009b31m"             // CSI as one C1 character (U+009B)
	BidiFlip    = "\u202etxt.exe\u202c"   // right-to-left override: shows "exe.txt"
	Overwrite   = "\rOK          \x1b[2K" // carriage return, erase line: forges the line
	Isolate     = "\u2066hidden\u2069"    // a bidi isolate
)

// HostileFaultText is the message of every fault of the hostile world.
const HostileFaultText = "access failed" + ClearScreen + SetTitle + C1CSI + BidiFlip

// Hostile builds the world of a server whose text tries to act on the
// terminal: property values, a fault message and its computer name
// carry escape sequences (serve it with cim/wsmantest's OMI dialect,
// which sends control characters as character references, to test the
// client over real HTTP). Classes Cimsh_Hostile and
// Win32_QuickFixEngineering fail every enumeration with HostileFaultText.
func Hostile(host string) *memprov.Provider {
	p := memprov.New(model.Identity{ProtocolVersion: "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
		ProductVendor: "Evil" + SetTitle, ProductVersion: "OMI 1.0" + ClearScreen}, host)
	str := model.String
	p.Register("", memprov.ClassDef{
		Class: &model.Class{Name: "Win32_OperatingSystem", Properties: []model.PropertyDecl{
			{Name: "Name", Type: model.TypeString, Key: true},
			{Name: "CSName", Type: model.TypeString},
			{Name: "Caption", Type: model.TypeString},
			{Name: "Version", Type: model.TypeString},
			{Name: "BuildNumber", Type: model.TypeString},
			{Name: "OSArchitecture", Type: model.TypeString},
			{Name: "LastBootUpTime", Type: model.TypeDatetime},
			{Name: "LocalDateTime", Type: model.TypeDatetime},
			{Name: "TotalVisibleMemorySize", Type: model.TypeUint64},
			{Name: "FreePhysicalMemory", Type: model.TypeUint64},
			{Name: "NumberOfProcesses", Type: model.TypeUint32},
		}},
		List: func(context.Context) ([]*model.Instance, error) {
			i := model.NewInstance("Win32_OperatingSystem", "")
			i.SetKey("Name", str("Evil OS"+SetTitle))
			i.Set("CSName", str("EVIL"+SetTitle))
			i.Set("Caption", str("Windows"+ClearScreen))
			i.Set("Version", str("10.0"+C1CSI))
			i.Set("BuildNumber", str(BidiFlip))
			i.Set("OSArchitecture", str("64-bit"+Overwrite))
			i.Set("LastBootUpTime", model.DatetimeValue(model.NewTimestamp(Boot)))
			i.Set("LocalDateTime", model.DatetimeValue(model.NewTimestamp(Boot.Add(26*time.Hour))))
			i.Set("TotalVisibleMemorySize", model.Uint(model.TypeUint64, 4194304))
			i.Set("FreePhysicalMemory", model.Uint(model.TypeUint64, 1048576))
			i.Set("NumberOfProcesses", model.Uint(model.TypeUint32, 42))
			return []*model.Instance{i}, nil
		},
	})
	p.Register("", memprov.ClassDef{
		Class: &model.Class{Name: "Win32_Service", Properties: []model.PropertyDecl{
			{Name: "Name", Type: model.TypeString, Key: true},
			{Name: "DisplayName", Type: model.TypeString},
			{Name: "State", Type: model.TypeString},
			{Name: "StartMode", Type: model.TypeString},
			{Name: "Status", Type: model.TypeString},
			{Name: "ExitCode", Type: model.TypeUint32},
			{Name: "ProcessId", Type: model.TypeUint32},
			{Name: "Description", Type: model.TypeString},
		}},
		List: func(context.Context) ([]*model.Instance, error) {
			i := model.NewInstance("Win32_Service", "")
			i.SetKey("Name", str("evil"+ClearScreen))
			i.Set("DisplayName", str("Evil"+Overwrite))
			i.Set("State", str("Stopped"))
			i.Set("StartMode", str("Auto"))
			i.Set("Status", str("OK"+Isolate))
			i.Set("ExitCode", model.Uint(model.TypeUint32, 1))
			i.Set("ProcessId", model.Uint(model.TypeUint32, 0))
			i.Set("Description", str("line one\nline two"+C1CSI+"\tend"))
			return []*model.Instance{i}, nil
		},
	})
	p.Register("", memprov.ClassDef{
		Class: &model.Class{Name: "Win32_LogicalDisk", Properties: []model.PropertyDecl{
			{Name: "DeviceID", Type: model.TypeString, Key: true},
			{Name: "DriveType", Type: model.TypeUint32},
			{Name: "VolumeName", Type: model.TypeString},
			{Name: "FileSystem", Type: model.TypeString},
			{Name: "Size", Type: model.TypeUint64},
			{Name: "FreeSpace", Type: model.TypeUint64},
		}},
		List: func(context.Context) ([]*model.Instance, error) {
			i := model.NewInstance("Win32_LogicalDisk", "")
			i.SetKey("DeviceID", str("C:"+SetTitle))
			i.Set("DriveType", model.Uint(model.TypeUint32, 3))
			i.Set("VolumeName", str("vol"+BidiFlip))
			i.Set("FileSystem", str("NTFS"+C1CSI))
			i.Set("Size", model.Uint(model.TypeUint64, 100<<30))
			i.Set("FreeSpace", model.Uint(model.TypeUint64, 1<<30))
			return []*model.Instance{i}, nil
		},
	})
	for _, name := range []string{"Cimsh_Hostile", "Win32_QuickFixEngineering"} {
		p.Register("", memprov.ClassDef{
			Class: &model.Class{Name: name, Properties: []model.PropertyDecl{{Name: "Id", Type: model.TypeUint32, Key: true}}},
			List: func(context.Context) ([]*model.Instance, error) {
				return nil, model.NewFault(model.CIMAccessDenied, "%s", HostileFaultText)
			},
		})
	}
	return p
}

package luabind

import (
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// Views are the default table columns of the classes people list most,
// as PowerShell's format files give them.
var Views = map[string][]string{
	"win32_service":                     {"ProcessId", "Name", "StartMode", "State", "Status", "ExitCode"},
	"win32_process":                     {"ProcessId", "Name", "HandleCount", "WorkingSetSize", "VirtualSize"},
	"win32_logicaldisk":                 {"DeviceID", "DriveType", "ProviderName", "VolumeName", "Size", "FreeSpace"},
	"win32_operatingsystem":             {"SystemDirectory", "Organization", "BuildNumber", "RegisteredUser", "SerialNumber", "Version"},
	"win32_networkadapterconfiguration": {"DHCPEnabled", "IPAddress", "DefaultIPGateway", "DNSDomain", "ServiceName", "Description", "Index"},
}

// maxDefaultColumns bounds the columns of a class without a view.
const maxDefaultColumns = 6

// DefaultColumns picks the columns for a list of instances: the class's
// view, or its keys and the first few other properties; PSComputerName
// first when the instances come from more than one computer.
func DefaultColumns(insts []*model.Instance) []string {
	if len(insts) == 0 {
		return nil
	}
	first := insts[0]
	var cols []string
	if v, ok := Views[strings.ToLower(first.ClassName)]; ok && sameClass(insts) {
		cols = append(cols, v...)
	} else {
		for _, p := range first.All() {
			if p.Key && !strings.HasPrefix(p.Name, "__") {
				cols = append(cols, p.Name)
			}
		}
		for _, p := range first.All() {
			if len(cols) >= maxDefaultColumns {
				break
			}
			if !p.Key && !strings.HasPrefix(p.Name, "__") {
				cols = append(cols, p.Name)
			}
		}
	}
	if manyComputers(insts) {
		cols = append([]string{"PSComputerName"}, cols...)
	}
	return cols
}

func sameClass(insts []*model.Instance) bool {
	for _, i := range insts[1:] {
		if !strings.EqualFold(i.ClassName, insts[0].ClassName) {
			return false
		}
	}
	return true
}

func manyComputers(insts []*model.Instance) bool {
	for _, i := range insts[1:] {
		if i.ComputerName != insts[0].ComputerName {
			return true
		}
	}
	return false
}

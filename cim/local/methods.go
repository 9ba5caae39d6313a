package local

import "github.com/cimsh/cimsh/cim/model"

// classMethods declares the methods this provider implements, with
// Windows' signatures; a method is declared only where it works.
var classMethods = map[string][]model.Method{
	"Win32_Process": {
		{Name: "Create", ReturnType: model.TypeUint32, Static: true,
			Qualifiers: []model.Qualifier{{Name: "Static", Value: model.Bool(true)}},
			Parameters: []model.Parameter{
				{Name: "CommandLine", Type: model.TypeString, In: true},
				{Name: "CurrentDirectory", Type: model.TypeString, In: true},
				{Name: "ProcessStartupInformation", Type: model.TypeInstance, EmbeddedClass: "Win32_ProcessStartup", In: true},
				{Name: "ProcessId", Type: model.TypeUint32, Out: true},
			}},
		{Name: "Terminate", ReturnType: model.TypeUint32,
			Parameters: []model.Parameter{{Name: "Reason", Type: model.TypeUint32, In: true}}},
		{Name: "GetOwner", ReturnType: model.TypeUint32,
			Parameters: []model.Parameter{
				{Name: "Domain", Type: model.TypeString, Out: true},
				{Name: "User", Type: model.TypeString, Out: true},
			}},
	},
}

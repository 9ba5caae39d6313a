package cdxmltest

import (
	"context"
	"strings"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
)

// The classes the CDXML examples of Microsoft's documentation use
// (testdata/public/microsoft-docs) beyond the fixture's Win32_Process:
// Win32_Environment, which can be created (how-to-create-a-new-instance),
// and CIM_DataFile with its association CIM_ProcessExecutable to the
// fixture's processes (how-to-get-associated-objects), in root/cimv2.

const cimv2 = "root/cimv2"

var environmentClass = &model.Class{Name: "Win32_Environment", Properties: []model.PropertyDecl{
	{Name: "Name", Type: model.TypeString, Key: true},
	{Name: "UserName", Type: model.TypeString, Key: true},
	{Name: "VariableValue", Type: model.TypeString},
	{Name: "SystemVariable", Type: model.TypeBoolean},
	{Name: "Caption", Type: model.TypeString},
}}

var dataFileClass = &model.Class{Name: "CIM_DataFile", Properties: []model.PropertyDecl{
	{Name: "Name", Type: model.TypeString, Key: true},
	{Name: "FileName", Type: model.TypeString},
	{Name: "Extension", Type: model.TypeString},
}}

var processExecutableClass = &model.Class{Name: "CIM_ProcessExecutable",
	Qualifiers: []model.Qualifier{{Name: "Association", Value: model.Bool(true)}},
	Properties: []model.PropertyDecl{
		{Name: "Antecedent", Type: model.TypeReference, RefClass: "CIM_DataFile", Key: true},
		{Name: "Dependent", Type: model.TypeReference, RefClass: "CIM_Process", Key: true},
	}}

// Executables says which fixture processes (by Handle) each file is
// loaded in; notepad.exe runs nowhere.
var Executables = map[string][]string{
	`C:\Windows\System32\svchost.exe`:     {"800", "1204"},
	`C:\Windows\System32\wsmprovhost.exe`: {"2976"},
	`C:\Windows\System32\ntdll.dll`:       {"800", "1204", "2976"},
	`C:\Windows\notepad.exe`:              nil,
}

// registerDocs adds the classes of the documentation's examples.
func (w *World) registerDocs(p *memprov.Provider) {
	for _, v := range []struct{ name, user, value string }{
		{"Path", "<SYSTEM>", `C:\Windows\system32;C:\Windows`},
		{"TEMP", "<SYSTEM>", `C:\Windows\TEMP`},
		{"TEMP", `WSMANTEST\Administrator`, `C:\Users\Administrator\AppData\Local\Temp`},
	} {
		inst := model.NewInstance("Win32_Environment", cimv2)
		inst.SetKey("Name", model.String(v.name))
		inst.SetKey("UserName", model.String(v.user))
		inst.Set("VariableValue", model.String(v.value))
		inst.Set("SystemVariable", model.Bool(v.user == "<SYSTEM>"))
		inst.Set("Caption", model.String(v.user+`\`+v.name))
		w.environment[envKey(v.name, v.user)] = inst
	}
	p.Register(cimv2, memprov.ClassDef{Class: environmentClass,
		List: func(context.Context) ([]*model.Instance, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			return cloneSorted(w.environment), nil
		},
		Create: w.createEnvironment,
	})
	p.Register(cimv2, memprov.ClassDef{Class: dataFileClass, List: func(context.Context) ([]*model.Instance, error) {
		var out []*model.Instance
		for _, n := range sortedKeys(Executables) {
			f := model.NewInstance("CIM_DataFile", cimv2)
			f.SetKey("Name", model.String(n))
			base := n[strings.LastIndexByte(n, '\\')+1:]
			dot := strings.LastIndexByte(base, '.')
			f.Set("FileName", model.String(base[:dot]))
			f.Set("Extension", model.String(base[dot+1:]))
			out = append(out, f)
		}
		return out, nil
	}})
	p.Register(cimv2, memprov.ClassDef{Class: processExecutableClass, List: func(context.Context) ([]*model.Instance, error) {
		var out []*model.Instance
		for _, n := range sortedKeys(Executables) {
			for _, h := range Executables[n] {
				link := model.NewInstance("CIM_ProcessExecutable", cimv2)
				link.SetKey("Antecedent", model.Ref(&model.Reference{ClassName: "CIM_DataFile", Namespace: cimv2,
					Selectors: []model.Selector{{Name: "Name", Value: n}}}))
				link.SetKey("Dependent", model.Ref(&model.Reference{ClassName: "Win32_Process", Namespace: cimv2,
					Selectors: []model.Selector{{Name: "Handle", Value: h}}}))
				out = append(out, link)
			}
		}
		return out, nil
	}})
}

func envKey(name, user string) string {
	return strings.ToLower(user) + `\` + strings.ToLower(name)
}

// createEnvironment is Win32_Environment's CreateInstance: Name,
// UserName and VariableValue are needed, and the pair must be new.
func (w *World) createEnvironment(_ context.Context, inst *model.Instance) (*model.Instance, error) {
	var vals [3]string
	for i, p := range []string{"Name", "UserName", "VariableValue"} {
		v, ok := inst.Get(p)
		if !ok || v.IsNull() || v.Text() == "" {
			return nil, model.NewFault(model.CIMInvalidParameter, "cdxmltest: Win32_Environment needs %s", p)
		}
		vals[i] = v.Text()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	k := envKey(vals[0], vals[1])
	if _, ok := w.environment[k]; ok {
		return nil, model.NewFault(model.CIMAlreadyExists, "cdxmltest: %s\\%s exists", vals[1], vals[0])
	}
	stored := model.NewInstance("Win32_Environment", cimv2)
	stored.SetKey("Name", model.String(vals[0]))
	stored.SetKey("UserName", model.String(vals[1]))
	stored.Set("VariableValue", model.String(vals[2]))
	stored.Set("SystemVariable", model.Bool(vals[1] == "<SYSTEM>"))
	stored.Set("Caption", model.String(vals[1]+`\`+vals[0]))
	w.environment[k] = stored
	return stored.Clone(), nil
}

// Environment returns a copy of the Win32_Environment instance of a
// variable and user, nil when there is none.
func (w *World) Environment(name, user string) *model.Instance {
	w.mu.Lock()
	defer w.mu.Unlock()
	if i, ok := w.environment[envKey(name, user)]; ok {
		return i.Clone()
	}
	return nil
}

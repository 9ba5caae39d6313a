package cdxml

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// moduleDoc is a small document: one static cmdlet Verb-Noun over class,
// and the enum Shared.Level when enum is true.
func moduleDoc(class, verb, noun string, enum bool) string {
	s := `<PowerShellMetadata xmlns="http://schemas.microsoft.com/cmdlets-over-objects/2009/11">
<Class ClassName="` + class + `"><Version>1.0</Version><DefaultNoun>` + noun + `</DefaultNoun>
<StaticCmdlets><Cmdlet><CmdletMetadata Verb="` + verb + `"/><Method MethodName="M"><Parameters>
<Parameter ParameterName="Level"><Type PSType="Shared.Level"/><CmdletParameterMetadata/></Parameter>
</Parameters></Method></Cmdlet></StaticCmdlets></Class>`
	if enum {
		s += `<Enums><Enum EnumName="Shared.Level" UnderlyingType="byte"><Value Name="Low" Value="1"/><Value Name="High" Value="2"/></Enum></Enums>`
	}
	return s + `</PowerShellMetadata>`
}

// TestLoadModuleFolder: a module folder is its manifest's RootModule and
// NestedModules that are CDXML, in the manifest's order, then every
// other .cdxml of the folder by name; a .psd1 given alone is only what
// it names; a .cdxml given alone is itself. An enum one file defines
// types the parameters of another; ClassName takes backslashes.
func TestLoadModuleFolder(t *testing.T) {
	fsys := fstest.MapFS{
		"Net/Net.psd1":     {Data: []byte("@{\n RootModule = 'Root.cdxml'\n NestedModules = @('Second.cdxml', 'helpers.psm1', 'First.cdxml')\n}")},
		"Net/Root.cdxml":   {Data: []byte(moduleDoc(`ROOT\StandardCimv2\MSFT_Root`, "Get", "NetRoot", false))},
		"Net/First.cdxml":  {Data: []byte(moduleDoc("root/standardcimv2/MSFT_First", "Get", "NetFirst", true))},
		"Net/Second.cdxml": {Data: []byte(moduleDoc("MSFT_Second", "Get", "NetSecond", false))},
		"Net/Extra.cdxml":  {Data: []byte(moduleDoc(`root\cimv2\Win32_Extra`, "Get", "NetExtra", false))},
		"Net/helpers.psm1": {Data: []byte("function Get-Helper {}")},
		"Net/notes.txt":    {Data: []byte("not a module file")},
	}
	names := func(m *Module) string {
		var out []string
		for _, c := range m.Cmdlets {
			out = append(out, c.Name)
		}
		return strings.Join(out, ",")
	}

	m, err := LoadFS(fsys, "Net")
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "Net" || strings.Join(m.Files, ",") != "Net/Root.cdxml,Net/Second.cdxml,Net/First.cdxml,Net/Extra.cdxml" {
		t.Errorf("module %q files %v", m.Name, m.Files)
	}
	if got := names(m); got != "Get-NetRoot,Get-NetSecond,Get-NetFirst,Get-NetExtra" {
		t.Errorf("cmdlets %s", got)
	}
	for name, want := range map[string][2]string{"get_net_root": {"ROOT/StandardCimv2", "MSFT_Root"},
		"get_net_first": {"root/standardcimv2", "MSFT_First"}, "get_net_second": {"", "MSFT_Second"},
		"get_net_extra": {"root/cimv2", "Win32_Extra"}} {
		c := cmdletT(t, m, name)
		if c.Namespace != want[0] || c.ClassName != want[1] {
			t.Errorf("%s: namespace %q class %q, want %q %q", name, c.Namespace, c.ClassName, want[0], want[1])
		}
		// Root, Second and Extra use the enum First.cdxml defines.
		if p := paramT(t, c, "level"); p.Type.Kind != KindEnum || p.Type.Enum.Name != "Shared.Level" {
			t.Errorf("%s: -Level is %s, not the module's enum", name, p.Type)
		}
	}
	// The manifest alone: what it names, not the folder's other files.
	m, err = LoadFS(fsys, "Net/Net.psd1")
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "Net" || names(m) != "Get-NetRoot,Get-NetSecond,Get-NetFirst" {
		t.Errorf("Net.psd1: %s %s", m.Name, names(m))
	}
	// One file alone: its own cmdlets; its enum is its own.
	m, err = LoadFS(fsys, "Net/First.cdxml")
	if err != nil || m.Name != "First" || names(m) != "Get-NetFirst" {
		t.Fatalf("First.cdxml: %v %v", m, err)
	}
	// Without First.cdxml the enum is unknown: the type is passed as given.
	m, err = LoadFS(fsys, "Net/Second.cdxml")
	if err != nil || paramT(t, cmdletT(t, m, "Get-NetSecond"), "level").Type.Kind != KindAny {
		t.Fatalf("Second.cdxml alone: %v %v", m, err)
	}

	// The same through the operating system's files, by folder path.
	dir := t.TempDir()
	for name, f := range fsys {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err = Load(filepath.Join(dir, "Net") + string(filepath.Separator))
	if err != nil || m.Name != "Net" || names(m) != "Get-NetRoot,Get-NetSecond,Get-NetFirst,Get-NetExtra" {
		t.Fatalf("Load(folder/): %v %v", m, err)
	}

	// A module whose files define one enum two ways is refused, naming
	// the second file.
	fsys["Net/Extra.cdxml"] = &fstest.MapFile{Data: []byte(strings.Replace(moduleDoc("X", "Get", "NetExtra", true), `Value="2"`, `Value="3"`, 1))}
	if _, err := LoadFS(fsys, "Net"); err == nil || !strings.Contains(err.Error(), "Net/Extra.cdxml:5: enum Shared.Level is defined differently in another file of the module") {
		t.Errorf("two enums: %v", err)
	}
}

// TestGetCmdletOverride: <GetCmdlet> renames the Get cmdlet (its own
// Noun and Aliases) and, without GetCmdletParameters of its own, keeps
// the shared query parameters; instance cmdlets take DefaultNoun unless
// they name a Noun.
func TestGetCmdletOverride(t *testing.T) {
	const doc = `<PowerShellMetadata xmlns="http://schemas.microsoft.com/cmdlets-over-objects/2009/11">
<Class ClassName="root/cimv2/Win32_Service"><Version>1.0</Version><DefaultNoun>Svc</DefaultNoun>
<InstanceCmdlets>
<GetCmdletParameters><QueryableProperties><Property PropertyName="Name"><Type PSType="string"/>
<RegularQuery><CmdletParameterMetadata Position="0"/></RegularQuery></Property></QueryableProperties></GetCmdletParameters>
<GetCmdlet><CmdletMetadata Verb="Find" Noun="Services" Aliases="fsvc"/></GetCmdlet>
<Cmdlet><CmdletMetadata Verb="Start"/><Method MethodName="StartService"/></Cmdlet>
<Cmdlet><CmdletMetadata Verb="Stop" Noun="ServiceNow"/><Method MethodName="StopService"/></Cmdlet>
</InstanceCmdlets></Class></PowerShellMetadata>`
	d, err := Parse("svc.cdxml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile("svc", []*Document{d})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range m.Cmdlets {
		names = append(names, c.Name+"/"+c.Snake)
	}
	if got := strings.Join(names, ","); got != "Find-Services/find_services,Start-Svc/start_svc,Stop-ServiceNow/stop_service_now" {
		t.Errorf("cmdlets %s", got)
	}
	get := cmdletT(t, m, "fsvc")
	if get.Kind != CmdletGet || paramT(t, get, "name").Position != 0 || get.Lookup("what_if") != nil {
		t.Errorf("Find-Services: %+v", get)
	}
	if m.Cmdlet("Get-Svc") != nil {
		t.Error("Get-Svc exists besides the GetCmdlet's Find-Services")
	}
}

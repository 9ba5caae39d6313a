package cdxml

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/cimsh/cimsh/cim/model"
)

const psTest = "testdata/public/powershell"

func loadT(t *testing.T, path string) *Module {
	t.Helper()
	m, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return m
}

func cmdletT(t *testing.T, m *Module, name string) *Cmdlet {
	t.Helper()
	c := m.Cmdlet(name)
	if c == nil {
		var names []string
		for _, c := range m.Cmdlets {
			names = append(names, c.Name)
		}
		t.Fatalf("no cmdlet %s among %v", name, names)
	}
	return c
}

func paramT(t *testing.T, c *Cmdlet, name string) *Param {
	t.Helper()
	p := c.Lookup(name)
	if p == nil {
		t.Fatalf("%s has no parameter %s (has %v)", c.Name, name, c.Names())
	}
	return p
}

// TestPowerShellCimTest reads the module PowerShell's own CDXML tests
// import, through its folder and manifest, and checks what PowerShell's
// tests expect of it: four cmdlets, their parameters and sets.
func TestPowerShellCimTest(t *testing.T) {
	m := loadT(t, filepath.Join(psTest, "CimTest"))
	if m.Name != "CimTest" || len(m.Files) != 1 || !strings.HasSuffix(m.Files[0], "CimTest.cdxml") {
		t.Errorf("module %q files %v", m.Name, m.Files)
	}
	var names []string
	for _, c := range m.Cmdlets {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "Get-CimTest,Remove-CimTest,Set-CimTest,New-CimTest" {
		t.Errorf("cmdlets %s", got)
	}
	get := cmdletT(t, m, "get_cim_test")
	if get.Kind != CmdletGet || get.Namespace != "ROOT/default" || get.ClassName != "PSCore_Test1" {
		t.Errorf("Get-CimTest: kind %d class %s/%s", get.Kind, get.Namespace, get.ClassName)
	}
	id := paramT(t, get, "id")
	if id.Name != "Id" || id.Role != RoleRegular || !id.Type.Array || id.Type.CIM != model.TypeString || !id.Wildcards || id.Mandatory {
		t.Errorf("Get-CimTest -Id: %+v", id)
	}
	if get.DefaultSet != "Id" || strings.Join(get.Sets, ",") != "Id" {
		t.Errorf("Get-CimTest sets %v default %q", get.Sets, get.DefaultSet)
	}

	rm := cmdletT(t, m, "Remove-CimTest")
	if rm.Kind != CmdletInstance || rm.ConfirmImpact != "Medium" || rm.Method.Name != "cim:DeleteInstance" {
		t.Errorf("Remove-CimTest: %+v", rm)
	}
	rid := paramT(t, rm, "Id")
	if rid.Position != 0 || !rid.Mandatory || !rid.InSet("Id") || rid.InSet(setInputObject) {
		t.Errorf("Remove-CimTest -Id: %+v", rid)
	}
	in := paramT(t, rm, "input_object")
	if in.Role != RoleInputObject || !in.Mandatory || !in.InSet(setInputObject) || in.InSet("Id") {
		t.Errorf("Remove-CimTest -InputObject: %+v", in)
	}
	for _, n := range []string{"pass_thru", "what_if", "WhatIf", "PassThru"} {
		paramT(t, rm, n)
	}
	if hidden := rm.Method.Params[0]; hidden.Name != "cim:operationOption:SourceCaller" || hidden.Default == nil || *hidden.Default != "Microsoft.PowerShell" || hidden.Meta != nil {
		t.Errorf("the hidden operation option: %+v", hidden)
	}

	set := cmdletT(t, m, "scimt") // its alias
	if set.Name != "Set-CimTest" || set.HelpURI != "http://go.microsoft.com/fwlink/?LinkID=241963" {
		t.Errorf("Set-CimTest by alias: %s %s", set.Name, set.HelpURI)
	}
	sid := paramT(t, set, "id")
	if sid.Wildcards || sid.Position != 1 || !sid.Meta.ValidateNotNullOrEmpty || strings.Join(sid.Sets, ",") != "Query" {
		t.Errorf("Set-CimTest -Id: %+v", sid)
	}
	f1 := paramT(t, set, "field1")
	if !f1.Meta.AllowEmptyString || !f1.Meta.ValidateNotNull || f1.Role != RoleMethod || f1.Type.CIM != model.TypeString {
		t.Errorf("Set-CimTest -field1: %+v", f1)
	}
	f2 := paramT(t, set, "field2")
	if f2.Type.CIM != model.TypeUint32 || !f2.Meta.ValidateNotNullOrEmpty {
		t.Errorf("Set-CimTest -field2: %+v", f2)
	}

	nw := cmdletT(t, m, "New-CimTest")
	if nw.Kind != CmdletStatic || nw.Methods[0].Name != "cim:CreateInstance" || len(nw.Sets) != 0 {
		t.Errorf("New-CimTest: %+v", nw)
	}
	if p := paramT(t, nw, "field2"); p.Type.CIM != model.TypeSint32 {
		t.Errorf("New-CimTest -field2 type %s", p.Type)
	}
	e := m.Enums["cimtest.field2enum"]
	if e == nil || e.CIM != model.TypeSint32 || len(e.Values) != 7 || e.Values[6].Name != "Value6" {
		t.Errorf("enum: %+v", e)
	}
}

// TestInvalidVerb: PowerShell's test of a verb that would inject code
// into the generated script. cimsh refuses it by the schema's pattern,
// naming the file and line.
func TestInvalidVerb(t *testing.T) {
	path := filepath.Join(psTest, "invalid_verb", "invalid_verb.cdxml")
	_, err := Load(path)
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Load: %v, want a ParseError", err)
	}
	if pe.File != path || pe.Line != 8 || !strings.Contains(pe.Msg, "not a valid verb") {
		t.Errorf("error %q (file %q line %d)", err, pe.File, pe.Line)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("the error holds a newline from the file: %q", err)
	}
}

// TestWidgetConstructs reads cimsh's own module that uses every construct
// and checks each one compiled as the schema means it.
func TestWidgetConstructs(t *testing.T) {
	m := loadT(t, "testdata/own/Widget")
	if len(m.Files) != 1 || !strings.HasSuffix(m.Files[0], "Widget.cdxml") {
		t.Fatalf("files %v (the manifest names .\\WIDGET.cdxml)", m.Files)
	}
	get := cmdletT(t, m, "gwid")
	if get.Name != "Get-Widget" || get.HelpURI == "" || get.Namespace != "root/cimsh" || get.ClassName != "Cimsh_Widget" {
		t.Errorf("Get-Widget: %+v", get)
	}
	if strings.Join(get.Sets, ",") != "ByName,ById,ByBox" || get.DefaultSet != "ByName" {
		t.Errorf("Get-Widget sets %v default %s", get.Sets, get.DefaultSet)
	}
	name := paramT(t, get, "name")
	if name.Mandatory || name.Position != 0 || !name.Wildcards || !name.Meta.ValueFromPipelineByPropertyName {
		t.Errorf("-Name: %+v", name)
	}
	ex := paramT(t, get, "exclude_name")
	if ex.Role != RoleExclude || ex.Property != "Name" || !ex.Wildcards {
		t.Errorf("-ExcludeName: %+v", ex)
	}
	id := paramT(t, get, "WID")
	if id != paramT(t, get, "widget_id") || id != paramT(t, get, "wid") || id.Name != "Id" || id.Wildcards || !id.Type.Array {
		t.Errorf("-Id by alias: %+v", id)
	}
	if id.Meta.ValidateRange == nil || id.Meta.ValidateRange.Max != "4294967295" {
		t.Errorf("-Id range %+v", id.Meta.ValidateRange)
	}
	minSize, maxSize := paramT(t, get, "min_size"), paramT(t, get, "MaxSize")
	if minSize.Role != RoleMin || maxSize.Role != RoleMax || minSize.Type.Array || maxSize.ErrorOnNoMatch == nil || !*maxSize.ErrorOnNoMatch {
		t.Errorf("-MinSize %+v -MaxSize %+v", minSize, maxSize)
	}
	color := paramT(t, get, "color")
	if color.Type.Kind != KindEnum || color.Type.Enum.Name != "Cimsh.Color" || color.Type.CIM != model.TypeUint16 || color.Wildcards {
		t.Errorf("-Color %+v", color.Type)
	}
	box := paramT(t, get, "box")
	if box.Role != RoleAssociation || box.Type.Kind != KindInstance || box.Type.Class != "Cimsh_Box" || box.Assoc.ResultRole != "Widget" {
		t.Errorf("-Box %+v", box)
	}
	flavor := paramT(t, get, "flavor")
	if flavor.Role != RoleOption || flavor.Property != "Flavor" || strings.Join(flavor.Meta.ValidateSet, ",") != "Vanilla,Chocolate" {
		t.Errorf("-Flavor %+v", flavor)
	}
	if flavor.InSet("ByBox") != true || flavor.InSet("ByName") != true {
		t.Errorf("an option without sets belongs to every query set: %v", flavor.Sets)
	}
	if get.Lookup("input_object") != nil || get.Lookup("what_if") != nil {
		t.Error("Get-Widget has input_object or what_if")
	}

	rs := cmdletT(t, m, "resize_widget")
	if rs.Lookup("pass_thru") != nil {
		t.Error("Resize-Widget has outputs (PreviousSize) but pass_thru")
	}
	ns := paramT(t, rs, "size") // the alias of NewSize
	if ns.Name != "NewSize" || !ns.Mandatory || ns.Position != 1 || ns.Meta.ValidateRange.Min != "1" {
		t.Errorf("-NewSize %+v", ns)
	}
	if rsName := paramT(t, rs, "name"); !rsName.Mandatory || strings.Join(rsName.Sets, ",") != "ByName" {
		t.Errorf("Resize-Widget -Name uses the shared (mandatory) query parameters: %+v", rsName)
	}
	if rs.Method.Return == nil || !rs.Method.Return.Output.ErrorCode || rs.Method.Params[2].Output.PSName != "PreviousSize" {
		t.Errorf("Resize's outputs: %+v", rs.Method)
	}
	if p := paramT(t, rs, "reason"); p.Meta.ValidateLength == nil || p.Meta.ValidateLength.Max != 16 || *p.MethodParams[""].Default != "resize" {
		t.Errorf("-Reason %+v", p)
	}

	en := cmdletT(t, m, "Enable-Widget")
	if en.Obsolete == nil || en.Obsolete.Message != "use Set-Widget -Enabled" || en.ConfirmImpact != "Low" {
		t.Errorf("Enable-Widget: %+v", en)
	}
	if strings.Join(en.Sets, ",") != setQuery+","+setInputObject || en.DefaultSet != setQuery {
		t.Errorf("Enable-Widget sets %v default %q", en.Sets, en.DefaultSet)
	}
	feat := paramT(t, en, "features")
	if feat.Type.Kind != KindEnum || !feat.Type.Enum.Flags {
		t.Errorf("-Features (generated-types prefix) %+v", feat.Type)
	}
	paramT(t, en, "pass_thru")

	set := cmdletT(t, m, "Set-Widget")
	tags := paramT(t, set, "tags")
	if !tags.Type.Array || !tags.Meta.AllowEmptyCollection || tags.Meta.ValidateCount.Max != 3 {
		t.Errorf("-Tags %+v", tags)
	}

	nw := cmdletT(t, m, "New-Widget")
	if nw.Kind != CmdletStatic || nw.Sets != nil || paramT(t, nw, "created").Type.CIM != model.TypeDatetime {
		t.Errorf("New-Widget %+v", nw)
	}
	fac := cmdletT(t, m, "invoke_widget_factory")
	if strings.Join(fac.Sets, ",") != "FromKit,FromParts" || fac.DefaultSet != "FromKit" {
		t.Errorf("Invoke-WidgetFactory sets %v default %s", fac.Sets, fac.DefaultSet)
	}
	fc := paramT(t, fac, "color")
	if strings.Join(fc.Sets, ",") != "FromKit,FromParts" || fc.mandatoryIn("FromKit") || !fc.mandatoryIn("FromParts") {
		t.Errorf("-Color in both sets, mandatory in FromParts only: %+v", fc)
	}
	if fac.staticMethod("FromParts").Name != "BuildCustom" || fac.Lookup("what_if") != nil {
		t.Error("FromParts is BuildCustom; no ConfirmImpact, no what_if")
	}
	e := m.Enums["cimsh.features"]
	if e == nil || !e.Flags || e.CIM != model.TypeUint32 {
		t.Errorf("Cimsh.Features %+v", e)
	}
}

// TestMalformed: each broken document is refused, naming the line.
func TestMalformed(t *testing.T) {
	const head = `<PowerShellMetadata xmlns="http://schemas.microsoft.com/cmdlets-over-objects/2009/11">`
	cls := func(body string) string {
		return head + "\n<Class ClassName=\"root/cimv2/X\">\n<Version>1.0</Version>\n<DefaultNoun>X</DefaultNoun>\n" + body + "\n</Class>\n</PowerShellMetadata>\n"
	}
	static := func(meta, method string) string {
		return cls("<StaticCmdlets>\n<Cmdlet>\n" + meta + "\n" + method + "\n</Cmdlet>\n</StaticCmdlets>")
	}
	get := func(params string) string {
		return cls("<InstanceCmdlets>\n<GetCmdletParameters>\n" + params + "\n</GetCmdletParameters>\n</InstanceCmdlets>")
	}
	for _, c := range []struct {
		name, doc string
		line      int
		want      string
	}{
		{"empty", "", 0, "no XML element"},
		{"not xml", "hello", 1, "text outside the root element"},
		{"unclosed", head + "\n<Class>", 2, "not well-formed"},
		{"root", "<Foo/>", 1, "not <PowerShellMetadata>"},
		{"namespace", "<PowerShellMetadata xmlns=\"urn:x\"><Class/></PowerShellMetadata>", 1, "not in the CDXML namespace"},
		{"no class", head + "</PowerShellMetadata>", 1, "lacks <Class>"},
		{"no classname", head + "\n<Class><Version>1.0</Version><DefaultNoun>X</DefaultNoun></Class></PowerShellMetadata>", 2, "lacks the ClassName attribute"},
		{"version", head + "\n<Class ClassName=\"X\">\n<Version>one</Version><DefaultNoun>X</DefaultNoun></Class></PowerShellMetadata>", 3, "not a version"},
		{"noun", head + "\n<Class ClassName=\"X\"><Version>1.0</Version>\n<DefaultNoun>X-Y</DefaultNoun></Class></PowerShellMetadata>", 3, "not a valid noun"},
		{"unknown element", cls("<Frobnicate/>"), 5, "<Class> cannot hold <Frobnicate>"},
		{"unknown attribute", cls("<StaticCmdlets>\n<Cmdlet>\n<CmdletMetadata Verb=\"New\" Colour=\"red\"/>\n<Method MethodName=\"M\"/></Cmdlet></StaticCmdlets>"), 7, "attribute Colour"},
		{"two versions", cls("<Version>1.1</Version>"), 5, "more than one <Version>"},
		{"text", static("<CmdletMetadata Verb=\"New\">hello</CmdletMetadata>", `<Method MethodName="M"/>`), 7, "<CmdletMetadata> cannot hold text"},
		{"confirm impact", static(`<CmdletMetadata Verb="New" ConfirmImpact="Extreme"/>`, `<Method MethodName="M"/>`), 7, "ConfirmImpact"},
		{"no method", static(`<CmdletMetadata Verb="New"/>`, ``), 6, "lacks <Method>"},
		{"bad boolean", static(`<CmdletMetadata Verb="New"/>`, "<Method MethodName=\"M\"><Parameters>\n<Parameter ParameterName=\"A\"><Type PSType=\"string\"/>\n<CmdletParameterMetadata IsMandatory=\"yes\"/></Parameter></Parameters></Method>"), 10, "not true or false"},
		{"range", static(`<CmdletMetadata Verb="New"/>`, "<Method MethodName=\"M\"><Parameters><Parameter ParameterName=\"A\"><Type PSType=\"int\"/><CmdletParameterMetadata>\n<ValidateRange Min=\"5\" Max=\"1\"/></CmdletParameterMetadata></Parameter></Parameters></Method>"), 9, "greater than Max"},
		{"count", static(`<CmdletMetadata Verb="New"/>`, "<Method MethodName=\"M\"><Parameters><Parameter ParameterName=\"A\"><Type PSType=\"int\"/><CmdletParameterMetadata>\n<ValidateCount Min=\"-1\" Max=\"1\"/></CmdletParameterMetadata></Parameter></Parameters></Method>"), 9, "non-negative integers"},
		{"position", static(`<CmdletMetadata Verb="New"/>`, "<Method MethodName=\"M\"><Parameters>\n<Parameter ParameterName=\"A\"><Type PSType=\"int\"/><CmdletParameterMetadata Position=\"0\"/></Parameter>\n<Parameter ParameterName=\"B\"><Type PSType=\"int\"/><CmdletParameterMetadata Position=\"0\"/></Parameter></Parameters></Method>"), 10, "Position 0"},
		{"param name", static(`<CmdletMetadata Verb="New"/>`, "<Method MethodName=\"M\"><Parameters><Parameter ParameterName=\"A\"><Type PSType=\"int\"/>\n<CmdletParameterMetadata PSName=\"a b\"/></Parameter></Parameters></Method>"), 9, "not a valid parameter name"},
		{"default set", static(`<CmdletMetadata Verb="New" DefaultCmdletParameterSet="Nope"/>`, `<Method MethodName="M" CmdletParameterSet="One"/>`), 7, "DefaultCmdletParameterSet \"Nope\""},
		{"no query", get("<QueryableProperties>\n<Property PropertyName=\"A\"><Type PSType=\"string\"/></Property></QueryableProperties>"), 8, "has no query"},
		{"globbing on min", get("<QueryableProperties><Property PropertyName=\"A\"><Type PSType=\"int\"/>\n<MinValueQuery AllowGlobbing=\"true\"/></Property></QueryableProperties>"), 8, "attribute AllowGlobbing"},
		{"association role", get("<QueryableAssociations>\n<Association Association=\"A\" SourceRole=\"S\"><AssociatedInstance><Type PSType=\"CimInstance\"/><CmdletParameterMetadata/></AssociatedInstance></Association></QueryableAssociations>"), 8, "ResultRole"},
		{"enum value", head + "\n<Class ClassName=\"X\"><Version>1.0</Version><DefaultNoun>X</DefaultNoun></Class>\n<Enums><Enum EnumName=\"E\">\n<Value Name=\"A\" Value=\"x\"/></Enum></Enums></PowerShellMetadata>", 4, "not an integer"},
		{"enum type", head + "\n<Class ClassName=\"X\"><Version>1.0</Version><DefaultNoun>X</DefaultNoun></Class>\n<Enums>\n<Enum EnumName=\"E\" UnderlyingType=\"System.String\"><Value Name=\"A\" Value=\"1\"/></Enum></Enums></PowerShellMetadata>", 4, "not an integer type"},
		{"enum range", head + "\n<Class ClassName=\"X\"><Version>1.0</Version><DefaultNoun>X</DefaultNoun></Class>\n<Enums>\n<Enum EnumName=\"E\" UnderlyingType=\"byte\"><Value Name=\"A\" Value=\"256\"/></Enum></Enums></PowerShellMetadata>", 4, "does not fit"},
		{"entity", head + "\n<Class ClassName=\"&bogus;\"/></PowerShellMetadata>", 2, "not well-formed"},
		{"clash", static(`<CmdletMetadata Verb="New"/>`, "<Method MethodName=\"M\"><Parameters>\n<Parameter ParameterName=\"CimSession\"><Type PSType=\"string\"/><CmdletParameterMetadata/></Parameter></Parameters></Method>"), 9, "parameter CimSession clashes with the common parameter CimSession"},
		{"alias clash", static(`<CmdletMetadata Verb="New"/>`, "<Method MethodName=\"M\"><Parameters><Parameter ParameterName=\"Name\"><Type PSType=\"string\"/><CmdletParameterMetadata/></Parameter>\n<Parameter ParameterName=\"Other\"><Type PSType=\"string\"/><CmdletParameterMetadata Aliases=\"NAME\"/></Parameter></Parameters></Method>"), 9, "parameters Name and Other both answer to"},
		{"two cmdlets", cls("<StaticCmdlets>\n<Cmdlet><CmdletMetadata Verb=\"New\"/><Method MethodName=\"M\"/></Cmdlet>\n<Cmdlet><CmdletMetadata Verb=\"new\" Noun=\"x\"/><Method MethodName=\"M\"/></Cmdlet></StaticCmdlets>"), 7, "cmdlet new-x is defined twice (first at x.cdxml:6)"},
		{"snake clash", cls("<StaticCmdlets>\n<Cmdlet><CmdletMetadata Verb=\"Get\" Noun=\"AbDef\"/><Method MethodName=\"M\"/></Cmdlet>\n<Cmdlet><CmdletMetadata Verb=\"GetAb\" Noun=\"Def\"/><Method MethodName=\"M\"/></Cmdlet></StaticCmdlets>"), 7, "GetAb-Def and Get-AbDef are both get_ab_def in snake_case"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := Parse("x.cdxml", []byte(c.doc))
			if err == nil {
				_, err = Compile("x", []*Document{d})
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a ParseError", err)
			}
			if pe.File != "x.cdxml" || pe.Line != c.line || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %q (line %d), want line %d and %q", err, pe.Line, c.line, c.want)
			}
		})
	}
}

// TestAdapter: the default CIM adapter, named or not, is accepted;
// another one is refused with ErrAdapter.
func TestAdapter(t *testing.T) {
	doc := func(adapter string) []byte {
		return []byte(`<PowerShellMetadata xmlns="http://schemas.microsoft.com/cmdlets-over-objects/2009/11">
<Class ClassName="X"` + adapter + `><Version>1.0</Version><DefaultNoun>X</DefaultNoun></Class></PowerShellMetadata>`)
	}
	for _, ok := range []string{"", ` CmdletAdapter="Microsoft.PowerShell.Cmdletization.Cim.CimCmdletAdapter"`,
		` CmdletAdapter="Microsoft.PowerShell.Cmdletization.Cim.CimCmdletAdapter, Microsoft.PowerShell.Commands.Management, Version=3.0.0.0"`} {
		if _, err := Parse("x.cdxml", doc(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	_, err := Parse("x.cdxml", doc(` CmdletAdapter="PSAdapter.PSMarkupAdapter"`))
	var ae *AdapterError
	if !errors.Is(err, ErrAdapter) || !errors.As(err, &ae) || ae.Line != 2 || ae.Adapter != "PSAdapter.PSMarkupAdapter" {
		t.Errorf("got %v", err)
	}
}

// TestUTF16 reads a document saved as UTF-16 with a byte order mark, as
// Windows' editors write them, in both byte orders, and with a UTF-8 mark.
func TestUTF16(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(psTest, "CimTest", "CimTest.cdxml"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(src), "<PowerShellMetadata", "<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n<PowerShellMetadata", 1)
	units := utf16.Encode([]rune(text))
	le, be := []byte{0xFF, 0xFE}, []byte{0xFE, 0xFF}
	for _, u := range units {
		le = append(le, byte(u), byte(u>>8))
		be = append(be, byte(u>>8), byte(u))
	}
	for name, data := range map[string][]byte{"le": le, "be": be, "utf8bom": append([]byte{0xEF, 0xBB, 0xBF}, src...)} {
		d, err := Parse(name, data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if d.Class.Name != "PSCore_Test1" {
			t.Errorf("%s: class %q", name, d.Class.Name)
		}
	}
	if _, err := Parse("odd", append([]byte{0xFF, 0xFE}, 'x')); err == nil || !strings.Contains(err.Error(), "odd number") {
		t.Errorf("odd UTF-16: %v", err)
	}
}

// TestManifest reads manifests the way Windows writes them.
func TestManifest(t *testing.T) {
	for _, c := range []struct {
		name, src string
		root      string
		nested    []string
		err       string
	}{
		{"array", "@{ NestedModules = @('a.cdxml', 'b.cdxml') }", "", []string{"a.cdxml", "b.cdxml"}, ""},
		{"comma list over lines", "@{\n NestedModules = 'a.cdxml',\n   'b.cdxml'\n ModuleVersion = '1.0'\n}", "", []string{"a.cdxml", "b.cdxml"}, ""},
		{"one string", "@{NestedModules=\"a.cdxml\";RootModule='r.cdxml'}", "r.cdxml", []string{"a.cdxml"}, ""},
		{"module to process", "@{ModuleToProcess = 'r.cdxml'}", "r.cdxml", nil, ""},
		{"hashtable entries", "@{ NestedModules = @(@{ModuleName='m.cdxml'; ModuleVersion='1.0'}, 'b.cdxml') }", "", []string{"m.cdxml", "b.cdxml"}, ""},
		{"comments and quotes", "# c\n<# block\n#>@{ # x\n 'NestedModules' = @( 'it''s.cdxml' # y\n \"q`\"q.cdxml\" ) }", "", []string{"it's.cdxml", `q"q.cdxml`}, ""},
		{"here string", "@{ Description = @'\nmany\nlines\n'@\n NestedModules = 'a.cdxml' }", "", []string{"a.cdxml"}, ""},
		{"cast and values", "@{ PowerShellVersion = [version]'3.0'; X = $true; Y = $null; Z = 1.5; NestedModules = @() }", "", nil, ""},
		{"not a hashtable", "'a.cdxml'", "", nil, "hashtable"},
		{"variable", "@{ NestedModules = $env:X }", "", nil, "not allowed"},
		{"unclosed", "@{ NestedModules = @('a'", "", nil, "unclosed"},
		{"duplicate", "@{ A = 1\n a = 2 }", "", nil, "appears twice"},
		{"missing equals", "@{ A 1 }", "", nil, "expected ="},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := readManifest("m.psd1", []byte(c.src))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var nested []string
			for _, r := range m.Nested {
				nested = append(nested, r.Name)
			}
			if m.RootModule != c.root || strings.Join(nested, "|") != strings.Join(c.nested, "|") {
				t.Errorf("root %q nested %q", m.RootModule, nested)
			}
		})
	}
}

// TestLoadErrors: files and folders that cannot be a module.
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("empty/readme.txt", "nothing")
	write("missing/missing.psd1", "@{\n NestedModules = @(\n 'gone.cdxml') }")
	write("outside/outside.psd1", "@{ NestedModules = '..\\other.cdxml' }")
	for _, c := range []struct{ path, want string }{
		{"nope", "no such file"},
		{"empty", "holds no .cdxml file"},
		{"missing", "missing.psd1:2: NestedModules names \"gone.cdxml\""},
		{"outside", "outside the module folder"},
	} {
		_, err := Load(filepath.Join(dir, c.path))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.path, err, c.want)
		}
	}
}

package luabind

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/cdxml/cdxmltest"
	"github.com/cimsh/cimsh/cim/dcomtest"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
	"github.com/cimsh/cimsh/internal/testenv"
	lua "github.com/yuin/gopher-lua"
)

const (
	widgetModule  = "../cim/cdxml/testdata/own/Widget"
	cimTestModule = "../cim/cdxml/testdata/public/powershell/CimTest"
)

// cdxmlEnv is a Lua state with sessions s1..sN to N WS-Man test servers
// (Windows dialect, real HTTP on loopback) serving the CDXML test world,
// and m, the Widget module.
type cdxmlEnv struct {
	*env
	srvs   []*wsmantest.Server
	worlds []*cdxmltest.World
}

func newCDXMLEnv(t *testing.T, servers int) *cdxmlEnv {
	t.Helper()
	L := lua.NewState()
	out := &bytes.Buffer{}
	m := New(L, Options{Getenv: func(string) string { return "" }, Stdout: out})
	e := &cdxmlEnv{env: &env{t: t, L: L, m: m, out: out}}
	t.Cleanup(func() { m.CloseAll(); L.Close() })
	for i := 1; i <= servers; i++ {
		w := cdxmltest.New(fmt.Sprintf("HOST%d", i))
		srv := wsmantest.NewServer(t, wsmantest.Options{Dialect: wsmantest.Windows, Provider: w,
			BasicUsers: map[string]string{"administrator": "Cdxml-Pa55"}, AllowUnencrypted: true})
		e.srvs = append(e.srvs, srv)
		e.worlds = append(e.worlds, w)
		L.SetGlobal(fmt.Sprintf("port%d", i), lua.LNumber(srv.Port()))
		e.ok(fmt.Sprintf(`s%d = cim.new_session{computer_name = "127.0.0.1", port = port%d, authentication = "basic",
			credential = cim.credential("administrator", "Cdxml-Pa55"), session_option = cim.new_session_option{no_encryption = true}}`, i, i))
	}
	L.SetGlobal("widget_path", lua.LString(widgetModule))
	e.ok(`m = assert(cim.import_cdxml(widget_path))`)
	return e
}

// requests counts the requests every server has logged.
func (e *cdxmlEnv) requests() int {
	n := 0
	for _, s := range e.srvs {
		n += len(s.Requests())
	}
	return n
}

// TestImportCDXMLNames: the table holds each cmdlet under its PowerShell
// name, its snake_case name and its aliases.
func TestImportCDXMLNames(t *testing.T) {
	e := newEnv(t)
	e.L.SetGlobal("path", lua.LString(cimTestModule))
	e.ok(`
		local m = assert(cim.import_cdxml(path))
		assert(type(m.get_cim_test) == "function")
		assert(m["Get-CimTest"] == m.get_cim_test)
		assert(m.scimt == m.set_cim_test and m["Set-CimTest"] == m.set_cim_test)
		assert(m.remove_cim_test and m.new_cim_test)
		local n = 0
		for k in pairs(m) do n = n + 1 end
		assert(n == 9, n) -- 4 cmdlets by two names, and one alias
	`)
	e.L.SetGlobal("path", lua.LString(widgetModule))
	e.ok(`
		local m = assert(cim.import_cdxml(path))
		assert(m.get_widget == m.gwid and m.invoke_widget_factory == m["Invoke-WidgetFactory"])
		local b = assert(cim.import_cdxml("cimsh:cimshprocess"))
		assert(b.get_cimsh_process and b.stop_cimsh_process and b.start_cimsh_process and b.get_cimsh_process_owner)
		local names = cim.bundled_cdxml()
		assert(names[1] == "CimshProcess", names[1])
		assert(cim.bundled_cdxml("CimshProcess"):find("cmdlets%-over%-objects"))
	`)
}

// TestImportCDXMLErrors: files that cannot be a module give nil, err
// naming the file and line; a wrong argument raises.
func TestImportCDXMLErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const head = `<PowerShellMetadata xmlns="http://schemas.microsoft.com/cmdlets-over-objects/2009/11">`
	adapter := write("adapter.cdxml", head+"\n<Class ClassName=\"X\" CmdletAdapter=\"PSAdapter.PSMarkupAdapter\"><Version>1.0</Version><DefaultNoun>X</DefaultNoun></Class></PowerShellMetadata>")
	broken := write("broken.cdxml", head+"\n<Class ClassName=\"X\">\n<Version>1.0</Version>\n</Clas></PowerShellMetadata>")
	clash := write("clash.cdxml", head+"\n<Class ClassName=\"X\"><Version>1.0</Version><DefaultNoun>AbDef</DefaultNoun><StaticCmdlets>\n<Cmdlet><CmdletMetadata Verb=\"Get\"/><Method MethodName=\"M\"/></Cmdlet>\n<Cmdlet><CmdletMetadata Verb=\"GetAb\" Noun=\"Def\"/><Method MethodName=\"M\"/></Cmdlet></StaticCmdlets></Class></PowerShellMetadata>")
	e := newEnv(t)
	for _, c := range []struct{ path, category, text string }{
		{filepath.Join(dir, "nope.cdxml"), "not_found", "nope.cdxml: no such file or folder"},
		{adapter, "not_supported", "adapter.cdxml:2: CmdletAdapter \"PSAdapter.PSMarkupAdapter\" is not supported"},
		{broken, "invalid_parameter", "broken.cdxml:4: not well-formed XML"},
		{clash, "invalid_parameter", "clash.cdxml:4: cmdlet GetAb-Def and Get-AbDef are both get_ab_def in snake_case"},
		{"../cim/cdxml/testdata/public/powershell/invalid_verb", "invalid_parameter", "invalid_verb.cdxml:8: <CmdletMetadata Verb="},
		{"cimsh:Nope", "not_found", "no bundled CDXML module \"Nope\" (bundled: CimshProcess)"},
	} {
		e.L.SetGlobal("path", lua.LString(c.path))
		e.ok(`m, err = cim.import_cdxml(path)`)
		if e.L.GetGlobal("m") != lua.LNil {
			t.Errorf("%s: loaded", c.path)
			continue
		}
		err := toError(e.L.GetGlobal("err"))
		if err == nil {
			t.Fatalf("%s: no error value", c.path)
		}
		text := err.text()
		if string(err.f.Category) != c.category || !strings.Contains(text, c.text) || !strings.HasPrefix(text, "cim.import_cdxml: ") || strings.HasPrefix(strings.TrimPrefix(text, "cim.import_cdxml: "), "cdxml: ") {
			t.Errorf("%s: %s %q", c.path, err.f.Category, text)
		}
	}
	for code, want := range map[string]string{
		`cim.import_cdxml()`:       "cim.import_cdxml: want the path",
		`cim.import_cdxml(42)`:     "cim.import_cdxml: want the path",
		`cim.import_cdxml("")`:     "cim.import_cdxml: the path is empty",
		`cim.import_cdxml("a", 1)`: "cim.import_cdxml: want the path",
	} {
		if msg := e.fails(code); !strings.Contains(msg, want) {
			t.Errorf("%s: %q", code, msg)
		}
	}
}

// TestCDXMLValidationRaises: bad arguments raise naming the cmdlet and
// the parameter, before any request reaches the server.
func TestCDXMLValidationRaises(t *testing.T) {
	e := newCDXMLEnv(t, 1)
	before := e.requests()
	for code, want := range map[string]string{
		`m.get_widget{cim_session = s1, flavor = "Mint"}`:                       `Get-Widget: flavor: "Mint" is not one of "Vanilla", "Chocolate"`,
		`m.get_widget{cim_session = s1, id = 0}`:                                "Get-Widget: id: 0 is not between 1 and 4294967295",
		`m.get_widget{cim_session = s1, name = "a", id = 1}`:                    "Get-Widget: name and id cannot be used together",
		`m.get_widget{cim_session = s1, colour = "red"}`:                        `Get-Widget: unknown option "colour" (did you mean "color"?)`,
		`m.get_widget{cim_session = s1, color = "purple"}`:                      `Get-Widget: color: "purple" is not a value of Cimsh.Color (Red, Green, Blue)`,
		`m.get_widget{cim_session = s1, as_job = true}`:                         "Get-Widget: AsJob is not supported",
		`m.get_widget{cim_session = 5}`:                                         "Get-Widget: option cim_session must be a session or a list of sessions",
		`m.resize_widget{cim_session = s1, new_size = 5}`:                       "Resize-Widget: name: is mandatory (parameter set ByName; or use another set:",
		`m.resize_widget("w1", 2000000, {cim_session = s1})`:                    "Resize-Widget: new_size: 2000000 is not between 1 and 1000000",
		`m.set_widget{cim_session = s1, name = "w1", owner = ""}`:               "Set-Widget: owner: cannot be an empty string",
		`m.set_widget{cim_session = s1, name = "w1", tags = {"a","b","c","d"}}`: "Set-Widget: tags: takes 0 to 3 values, got 4",
		`m.new_widget{cim_session = s1, name = "n"}`:                            "New-Widget: id: is mandatory",
		`m.invoke_widget_factory{cim_session = s1, kit = "huge"}`:               `Invoke-WidgetFactory: kit: "huge" is not one of "basic", "deluxe"`,
		`m.invoke_widget_factory{cim_session = s1, parts = {}, color = "red"}`:  "Invoke-WidgetFactory: parts: takes 1 to 8 values, got 0",
		`m.get_widget("a", "b", {cim_session = s1})`:                            "Get-Widget: takes at most 1 positional argument(s) (name), got 2",
		`m.get_widget{cim_session = s1, enabled = "yes"}`:                       `Get-Widget: enabled: wants true or false, not "yes"`,
	} {
		if msg := e.fails(code); !strings.Contains(msg, want) {
			t.Errorf("%s:\n got %q\nwant %q", code, msg, want)
		}
	}
	if n := e.requests() - before; n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

// TestCDXMLLua runs the Widget module from Lua over real HTTP: Get with
// query parameters (PowerShell and snake_case spellings, aliases,
// positional), ErrorOnNoMatch as nil, err, an instance cmdlet on each
// selected instance, a static cmdlet, create/modify/delete, what_if
// printing, pass_thru, enums.
func TestCDXMLLua(t *testing.T) {
	e := newCDXMLEnv(t, 1)
	e.ok(`
		local function names(list)
			local out = {}
			for i, w in ipairs(list) do out[i] = w.Name end
			table.sort(out)
			return table.concat(out, ",")
		end
		local got = assert(m.get_widget{cim_session = s1})
		assert(names(got) == "odd_[x]%,w1,w2,w3", names(got))
		-- The equivalent WQL returns the same.
		local direct = assert(s1:query("SELECT * FROM Cimsh_Widget WHERE Name LIKE 'w%' AND Size >= 100", {namespace = "root/cimsh"}))
		got = assert(m.get_widget("w*", {cim_session = s1, MinSize = 100}))
		assert(names(got) == names(direct) and names(got) == "w2,w3", names(got))
		got = assert(m["Get-Widget"]{cim_session = s1, WID = {1, 3}})
		assert(names(got) == "w1,w3", names(got))
		got = assert(m.gwid{cim_session = s1, ExcludeName = "w*", color = "Red"})
		assert(names(got) == "odd_[x]%", names(got))
		assert(got[1].Color == 1 and got[1].PSComputerName == "127.0.0.1", got[1].PSComputerName)

		-- ErrorOnNoMatch: nil, err.
		local none, err = m.get_widget{cim_session = s1, name = {"w1", "nope"}}
		assert(none == nil and err.category == "not_found", tostring(err))
		assert(tostring(err):find('Get-Widget: 127.0.0.1: no Cimsh_Widget has Name = "nope"', 1, true), tostring(err))
		local empty = assert(m.get_widget{cim_session = s1, name = "zz*"})
		assert(#empty == 0)

		-- An instance cmdlet: its method on each instance selected.
		local outs = assert(m.resize_widget("w?", 42, {cim_session = s1}))
		assert(#outs == 3, #outs)
		for _, o in ipairs(outs) do assert(o.ReturnValue == 0 and o.PreviousSize ~= nil) end
		local w = assert(m.get_widget{cim_session = s1, name = "w1"})[1]
		assert(w.Size == 42 and w.LastReason == "resize", w.Size)
		local bad, rerr = m.resize_widget{cim_session = s1, name = "w1", size = 13}
		assert(bad == nil and rerr.error_code == 5, tostring(rerr))
		assert(tostring(rerr):find("method Resize returned ReturnValue 5", 1, true), tostring(rerr))
		-- input_object
		outs = assert(m.resize_widget{cim_session = s1, input_object = {w}, new_size = 7})
		assert(#outs == 1)
		-- pass_thru and a flags enum
		local en = assert(m.enable_widget{cim_session = s1, name = "w2", features = "Shiny,Loud", pass_thru = true})
		assert(#en == 1 and en[1].Name == "w2")

		-- A static cmdlet, by parameter set.
		local built = assert(m.invoke_widget_factory("basic", {cim_session = s1, color = "Blue"}))
		assert(built.Built == "kit-basic" and built.ReturnValue == 0, built.Built)

		-- Create, modify, delete.
		local created = assert(m.new_widget("w9", {cim_session = s1, id = 9}))
		assert(created.Name == "w9")
		assert(#assert(m.set_widget{cim_session = s1, name = "w9", owner = "zed"}) == 0)
		local mod = assert(m.set_widget{cim_session = s1, name = "w9", enabled = true, pass_thru = true})
		assert(mod[1].Owner == "zed" and mod[1].Enabled == true)
		local wi = assert(m.remove_widget{cim_session = s1, name = "w9", what_if = true})
		assert(#wi == 0)
		assert(#assert(m.get_widget{cim_session = s1, name = "w9"}) == 1)
		assert(m.remove_widget{cim_session = s1, name = "w9"})
		local gone, gerr = m.get_widget{cim_session = s1, name = "w9"}
		assert(gone == nil and gerr.category == "not_found")
	`)
	out := e.out.String()
	if !strings.Contains(out, `What if: Performing the operation "Remove-Widget" (cim:DeleteInstance) on target "Cimsh_Widget (Name = \"w9\")" on 127.0.0.1.`) {
		t.Errorf("what_if printed %q", out)
	}
	w2 := e.worlds[0].Widget("w2")
	if f, _ := w2.Get("Features"); f.Text() != "3" {
		t.Errorf("features %s", f.Text())
	}
}

// TestCDXMLFanOut: a list of sessions runs in parallel; results carry
// PSComputerName and ErrorOnNoMatch is an error of the host that found
// nothing.
func TestCDXMLFanOut(t *testing.T) {
	e := newCDXMLEnv(t, 2)
	// The second computer has no w2.
	if err := e.worlds[1].Delete(context.Background(), &model.DeleteRequest{Common: model.Common{Namespace: cdxmltest.WidgetNamespace},
		Path: &model.Reference{ClassName: "Cimsh_Widget", Selectors: []model.Selector{{Name: "Name", Value: "w2"}}}}); err != nil {
		t.Fatal(err)
	}
	e.ok(`
		local list, errs = m.get_widget{cim_session = {s1, s2}, name = "w2"}
		assert(#list == 1 and list[1].PSComputerName == "127.0.0.1", #list)
		assert(#errs == 1 and errs[1].category == "not_found", #errs)
		assert(tostring(errs[1]):find("no Cimsh_Widget has Name", 1, true), tostring(errs[1]))
		list, errs = m.resize_widget{cim_session = {s1, s2}, name = "w1", new_size = 8, what_if = true}
		assert(#list == 0 and #errs == 0)
		list, errs = m.resize_widget{cim_session = {s1, s2}, name = "w1", new_size = 8, throttle_limit = 1}
		assert(#list == 2 and #errs == 0, #list)
	`)
	for i, w := range e.worlds {
		if s, _ := w.Widget("w1").Get("Size"); s.Text() != "8" {
			t.Errorf("host %d: size %s", i+1, s.Text())
		}
	}
	if n := strings.Count(e.out.String(), "What if:"); n != 2 {
		t.Errorf("%d what-if lines, want one per host: %q", n, e.out.String())
	}
}

// TestCDXMLLocal: without a session, the local machine (its built-in
// provider) with the bundled module.
func TestCDXMLLocal(t *testing.T) {
	if runtime.GOOS != "linux" {
		testenv.Skip(t, "the local provider serves Win32_Process fully on Linux")
	}
	L := lua.NewState()
	m := New(L, Options{Getenv: func(string) string { return "" }})
	e := &env{t: t, L: L, m: m}
	t.Cleanup(func() { m.CloseAll(); L.Close() })
	L.SetGlobal("pid", lua.LNumber(os.Getpid()))
	L.SetGlobal("disk_path", lua.LString("../cim/cdxml/testdata/own/CimshDisk"))
	e.ok(`
		local p = assert(cim.import_cdxml("cimsh:CimshProcess"))
		local me = assert(p.get_cimsh_process{PID = pid})
		local wql = assert(cim.query("SELECT * FROM Win32_Process WHERE ProcessId = " .. pid))
		assert(#me == 1 and #wql == 1 and me[1].Name == wql[1].Name, me[1].Name)
		local owner = assert(p.get_cimsh_process_owner{id = pid})
		assert(#owner == 1 and owner[1].UserName ~= nil)
		-- An enum-typed query parameter, by name.
		local d = assert(cim.import_cdxml(disk_path))
		local byname = assert(d.get_cimsh_disk{DriveType = {"LocalDisk", "networkdrive"}})
		local bywql = assert(cim.query("SELECT * FROM Win32_LogicalDisk WHERE DriveType = 3 OR DriveType = 4"))
		assert(#byname == #bywql and #byname > 0, #byname .. " / " .. #bywql)
	`)
}

// TestCDXMLHelpAndCompletion: help(m.get_x) shows the generated options,
// types and validation; help(m) lists the cmdlets; Tab completes the
// options inside m.get_x{...} and the cmdlets after m.
func TestCDXMLHelpAndCompletion(t *testing.T) {
	e := newEnv(t)
	e.L.SetGlobal("path", lua.LString(widgetModule))
	e.ok(`m = assert(cim.import_cdxml(path))`)
	help := e.m.HelpText(e.L.GetField(e.L.GetGlobal("m"), "get_widget"))
	for _, want := range []string{
		"get_widget (CDXML cmdlet Get-Widget, alias gwid, from Widget.cdxml)",
		"instances of root/cimsh:Cimsh_Widget",
		`usage: m.get_widget{...} m.get_widget(name [, {...}])`,
		"parameter sets: ByName (default), ById, ByBox",
		"id uint32[], or one [ById]; mandatory; PowerShell Id; aliases WidgetId, WID; 1 to 4294967295: Id is one of the values",
		"color Cimsh.Color[] (Red, Green, Blue), or one [ByName]",
		"box instance of Cimsh_Box [ByBox]; PowerShell Box: the instances associated with it through Cimsh_BoxContents",
		"flavor string [ByName, ById, ByBox]; PowerShell Flavor; one of Vanilla, Chocolate: the query's operation option Flavor",
		"cim_session a session or a list of sessions",
		"AsJob is not supported",
		"returns: the instances (a list); nil, err when it fails or when values select nothing (ErrorOnNoMatch)",
		"online help: https://example.invalid/get-widget",
	} {
		if !strings.Contains(strings.Join(strings.Fields(help), " "), want) {
			t.Errorf("help(m.get_widget) lacks %q:\n%s", want, help)
		}
	}
	help = e.m.HelpText(e.L.GetField(e.L.GetGlobal("m"), "remove_widget"))
	for _, want := range []string{"what_if", "ConfirmImpact High: what_if=true prints what would be done", "input_object", "pass_thru"} {
		if !strings.Contains(help, want) {
			t.Errorf("help(m.remove_widget) lacks %q:\n%s", want, help)
		}
	}
	help = e.m.HelpText(e.L.GetField(e.L.GetGlobal("m"), "set_widget"))
	for _, want := range []string{"owner", "not empty", "1 to 20 characters", "tags", "0 to 3 values; {} allowed", "the method's Owner"} {
		if !strings.Contains(help, want) {
			t.Errorf("help(m.set_widget) lacks %q:\n%s", want, help)
		}
	}
	if h := e.m.HelpText(e.L.GetGlobal("m")); !strings.Contains(h, "CDXML module Widget") || !strings.Contains(h, "m.invoke_widget_factory  Invoke-WidgetFactory: method Build or method BuildCustom of root/cimsh:Cimsh_Widget") {
		t.Errorf("help(m):\n%s", h)
	}
	if h := e.m.HelpText(lua.LString("import_cdxml")); !strings.Contains(h, "cimsh:CimshProcess") {
		t.Errorf("help(\"import_cdxml\"):\n%s", h)
	}

	cands, n := e.m.Complete("m.get_widget{min")
	if strings.Join(cands, " ") != "min_size=" || n != 3 {
		t.Errorf("m.get_widget{min: %v %d", cands, n)
	}
	cands, _ = e.m.Complete(`m.resize_widget("w1", {cim_session = s, `)
	sort.Strings(cands)
	for _, want := range []string{"new_size=", "reason=", "what_if=", "input_object=", "throttle_limit="} {
		found := false
		for _, c := range cands {
			found = found || c == want
		}
		if !found {
			t.Errorf("resize_widget options lack %s: %v", want, cands)
		}
	}
	cands, _ = e.m.Complete("m.set_")
	if strings.Join(cands, " ") != "set_widget" {
		t.Errorf("m.set_: %v", cands)
	}
	// cim's own functions still complete as before.
	if cands, _ := e.m.Complete("cim.get_instance{class_n"); strings.Join(cands, " ") != "class_name=" {
		t.Errorf("cim.get_instance: %v", cands)
	}
}

// TestCDXMLOverDCOM: the same cmdlets over a DCOM session return what
// they return over WS-Man; a query option, which cimsh sends over WS-Man
// only, is refused over DCOM as not_supported; the hidden operation
// option of Remove-Widget (a DefaultValue) is left out over DCOM.
func TestCDXMLOverDCOM(t *testing.T) {
	e := newCDXMLEnv(t, 1)
	srv, err := dcomtest.Start(dcomtest.Options{Users: []ntlmserver.User{{Name: "administrator", Password: "Dcom-Pa55"}},
		Computer: "HOST2", Provider: cdxmltest.New("HOST2")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e.L.SetGlobal("dcom_port", lua.LNumber(srv.Port()))
	e.ok(`
		d = cim.new_session{computer_name = "127.0.0.1", port = dcom_port, credential = cim.credential("administrator", "Dcom-Pa55"),
			session_option = cim.new_session_option{protocol = "dcom"}}
		local function names(list)
			local out = {}
			for i, w in ipairs(list) do out[i] = w.Name .. "=" .. tostring(w.Size) end
			table.sort(out)
			return table.concat(out, ",")
		end
		local a = assert(m.get_widget("w*", {cim_session = s1, min_size = 100}))
		local b = assert(m.get_widget("w*", {cim_session = d, min_size = 100}))
		assert(names(a) == names(b) and #a == 2, names(a) .. " / " .. names(b))
		local outs = assert(m.resize_widget{cim_session = d, name = "w1", new_size = 11})
		assert(#outs == 1 and outs[1].PreviousSize == 10)
		local none, err = m.get_widget{cim_session = d, flavor = "Vanilla"}
		assert(none == nil and err.category == "not_supported", tostring(err))
		assert(tostring(err):find("query options (Flavor) are sent over WS-Man only", 1, true), tostring(err))
		assert(m.remove_widget{cim_session = d, name = "w3"})
		assert(#assert(m.get_widget{cim_session = d}) == 3)
	`)
}

// TestCDXMLComputerName: computer_name (cimsh's own option) runs the
// cmdlet through a temporary session to each computer named, in
// parallel for a list, and closes them; it cannot be combined with
// cim_session; throttle_limit is checked as elsewhere.
func TestCDXMLComputerName(t *testing.T) {
	var mu sync.Mutex
	worlds := map[string]*cdxmltest.World{}
	L := lua.NewState()
	m := New(L, Options{Getenv: func(string) string { return "" }, NewProvider: func(cfg cim.Config) (model.Provider, error) {
		mu.Lock()
		defer mu.Unlock()
		w := worlds[cfg.ComputerName]
		if w == nil {
			w = cdxmltest.New(cfg.ComputerName)
			worlds[cfg.ComputerName] = w
		}
		return w, nil
	}})
	e := &env{t: t, L: L, m: m}
	t.Cleanup(func() { m.CloseAll(); L.Close() })
	L.SetGlobal("widget_path", lua.LString(widgetModule))
	e.ok(`
		m = assert(cim.import_cdxml(widget_path))
		local before = #cim.get_session()
		local one = assert(m.get_widget{computer_name = "h1", name = "w1"})
		assert(#one == 1 and one[1].PSComputerName == "h1", one[1] and one[1].PSComputerName)
		local outs, errs = m.resize_widget{computer_name = {"h1", "h2"}, name = "w2", new_size = 5, throttle_limit = 1}
		assert(#outs == 2 and #errs == 0, #outs)
		local hosts = {outs[1].PSComputerName, outs[2].PSComputerName}
		table.sort(hosts)
		assert(hosts[1] == "h1" and hosts[2] == "h2", hosts[1])
		assert(#cim.get_session() == before, "the temporary sessions are closed")
	`)
	for _, h := range []string{"h1", "h2"} {
		if s, _ := worlds[h].Widget("w2").Get("Size"); s.Text() != "5" {
			t.Errorf("%s: w2 size %s, want 5", h, s.Text())
		}
	}
	for code, want := range map[string]string{
		`m.get_widget{computer_name = "h1", cim_session = cim.new_session{computer_name = "h1"}}`: "Get-Widget: give cim_session or computer_name, not both",
		`m.get_widget{computer_name = "h1", throttle_limit = 0}`:                                  "Get-Widget: throttle_limit must be positive",
		`m.get_widget{computer_name = 7}`:                                                         "Get-Widget: option computer_name must be",
	} {
		if msg := e.fails(code); !strings.Contains(msg, want) {
			t.Errorf("%s: %q, want %q", code, msg, want)
		}
	}
}

// TestCDXMLOwnComputerName: a cmdlet with a ComputerName parameter of
// its own (as some Windows modules have) gets computer_name; cimsh's
// option of that name is then not offered (help, completion).
func TestCDXMLOwnComputerName(t *testing.T) {
	e := newCDXMLEnv(t, 1)
	p := filepath.Join(t.TempDir(), "Own.cdxml")
	doc := `<PowerShellMetadata xmlns="http://schemas.microsoft.com/cmdlets-over-objects/2009/11">
<Class ClassName="root/cimsh/Cimsh_Widget"><Version>1.0</Version><DefaultNoun>WidgetKit</DefaultNoun>
<StaticCmdlets><Cmdlet><CmdletMetadata Verb="New"/><Method MethodName="Build"><Parameters>
<Parameter ParameterName="Kit"><Type PSType="string"/><CmdletParameterMetadata PSName="ComputerName" IsMandatory="true"/></Parameter>
<Parameter ParameterName="WidgetName"><Type PSType="string"/><CmdletOutputMetadata/></Parameter>
</Parameters></Method></Cmdlet></StaticCmdlets></Class></PowerShellMetadata>`
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	e.L.SetGlobal("own_path", lua.LString(p))
	e.ok(`
		own = assert(cim.import_cdxml(own_path))
		local out = assert(own.new_widget_kit{cim_session = s1, computer_name = "remote"})
		assert(out.WidgetName == "kit-remote", out.WidgetName)
	`)
	if e.worlds[0].Widget("kit-remote") == nil {
		t.Error("computer_name did not reach the method's Kit")
	}
	help := e.m.HelpText(e.L.GetField(e.L.GetGlobal("own"), "new_widget_kit"))
	if strings.Contains(help, "cimsh's own") || !strings.Contains(help, "computer_name") {
		t.Errorf("help lists cimsh's computer_name:\n%s", help)
	}
}

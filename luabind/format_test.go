package luabind

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestFormatGolden compares formatted output with testdata/golden.
func TestFormatGolden(t *testing.T) {
	cases := []struct{ name, code string }{
		{"services_table", `return cim.format_table(s:get_instance("Win32_Service"))`},
		{"services_columns", `return cim.format_table(s:get_instance("Win32_Service"), {"Name", "DisplayName", "ProcessId"})`},
		{"items_default_columns", `return cim.format_table(s:query("SELECT * FROM Cimsh_Item WHERE Id < 4"))`},
		{"fanout_table", `return cim.format_table((cim.get_instance{cim_session = {s, cim.new_session{computer_name = "srv2"}}, class_name = "Win32_Service"}))`},
		{"tables_table", `return cim.format_table({{name = "a", size = 10}, {name = "bbbbbb", size = 2000, extra = true}})`},
		// Numbers a script formatted as text ("252.0") align right like numbers.
		{"tables_numeric_text", `return cim.format_table({{Disk = "/", SizeGB = "252.0", UsedPct = 69, Note = "12 apples"}, {Disk = "/boot", SizeGB = "1.5", UsedPct = 3, Note = "-"}, {Disk = "/mnt", SizeGB = "", Note = "7"}}, {"Disk", "SizeGB", "UsedPct", "Note"})`},
		{"os_list", `return cim.format_list(s:get_instance("Win32_OperatingSystem")[1])`},
		{"services_list_props", `return cim.format_list(s:get_instance("Win32_Service"), {"Name", "State"})`},
		{"os_json", `return cim.to_json(s:get_instance("Win32_OperatingSystem")[1])`},
		{"mixed_json", `return cim.to_json({list = {1, 2.5, "x\n\"y\""}, empty = {}, flag = false, big = cim.int64("-9007199254740993")})`},
		{"services_csv", `return cim.to_csv(s:get_instance("Win32_Service"))`},
		{"tables_csv", `return cim.to_csv({{a = "x,y", b = 'say "hi"'}, {a = "line\nbreak"}})`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.ok(`s = cim.new_session()`)
			if err := e.do(`result = (function() ` + c.code + ` end)()`); err != nil {
				t.Fatal(err)
			}
			got := lua.LVAsString(e.L.GetGlobal("result"))
			path := filepath.Join("testdata", "golden", c.name+".txt")
			if *update {
				os.WriteFile(path, []byte(got), 0o644)
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs\n--- got\n%s\n--- want\n%s", c.name, got, want)
			}
		})
	}
}

// TestExportCSV checks the atomic write: the file appears whole, no
// temporary file is left, and a failure returns nil, err.
func TestExportCSV(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t)
	e.L.SetGlobal("dir", lua.LString(dir))
	e.ok(`
		s = cim.new_session()
		assert(cim.export_csv(s:get_instance("Win32_Service"), dir .. "/svc.csv", {"Name"}))
		local ok, err = cim.export_csv({}, dir .. "/missing/sub/x.csv")
		assert(ok == nil and err.category == "failed" and err.message:find("cim.export_csv"), tostring(err))
	`)
	b, err := os.ReadFile(filepath.Join(dir, "svc.csv"))
	if err != nil || string(b) != "Name\nWinRM\nSpooler\nBITS\n" {
		t.Fatalf("%q %v", b, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("leftover files: %v", entries)
	}
}

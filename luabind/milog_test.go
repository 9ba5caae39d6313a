package luabind

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// Instances saved with export_binary_mi_log come back with their CIM
// types: boxed 64-bit integers, datetimes, intervals, arrays, NULLs.
func TestBinaryMiLogRoundTrip(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "os.bmil")
	e.L.SetGlobal("path", lua.LString(path))
	e.ok(`
		local s = cim.new_session{computer_name = "srv1"}
		local os_ = assert(s:get_instance("Win32_OperatingSystem"))[1]
		assert(cim.export_binary_mi_log({os_}, path))
		local back = assert(cim.import_binary_mi_log(path))
		assert(#back == 1, #back)
		local b = back[1]
		for _, name in ipairs{"Caption", "TotalVirtualMemorySize", "MaxProcessMemorySize", "MinOffset", "LastBootUpTime", "Uptime", "Organization"} do
			assert(tostring(b[name]) == tostring(os_[name]), name .. ": " .. tostring(b[name]) .. " ~= " .. tostring(os_[name]))
		end
		assert(b.MaxProcessMemorySize == cim.uint64("18446744073709551615"))
		assert(b.Uptime:seconds() == os_.Uptime:seconds())
		assert(#b.MUILanguages == 2 and b.MUILanguages[2] == "de-DE")
		assert(b.Organization == nil)
		assert(b.PSComputerName == "srv1")
		print(b)
	`)
	if !strings.Contains(e.out.String(), "Win32_OperatingSystem (Name = ") {
		t.Fatalf("keys lost: %s", e.out)
	}
	// The file is complete or absent, never half written: no temporary
	// file is left beside it.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("files: %v", entries)
	}
	msg := e.fails(`cim.export_binary_mi_log({1, 2}, path)`)
	if !strings.Contains(msg, "element 1 is a number, not an instance") {
		t.Fatalf("bad list: %s", msg)
	}
	e.ok(`
		local v, err = cim.import_binary_mi_log(path .. ".missing")
		assert(v == nil and err.category == "not_found", tostring(err))
	`)
}

package luabind

import (
	"math/rand/v2"
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

// TestImportBinaryMiLogRefusesOtherFiles reads a random binary file and
// a sparse file over the size limit: both fail at once with an error
// that names the path and quotes none of the file's bytes.
func TestImportBinaryMiLogRefusesOtherFiles(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	random := filepath.Join(dir, "random.bin")
	b := make([]byte, 5<<20)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	b[0] = '<' // past the first byte's checks
	if err := os.WriteFile(random, b, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.bmil")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<l:MiLog xmlns:l="urn:cimsh:milog:1" Version="1">` + "\n")
	f.Truncate(300 << 20) // sparse: no disk, no time
	f.Close()
	for path, want := range map[string]string{random: "not a cimsh MI log", huge: "300 MiB, the limit is 256 MiB"} {
		e.L.SetGlobal("path", lua.LString(path))
		e.ok(`
			local v, err = cim.import_binary_mi_log(path)
			assert(v == nil and err, "no error")
			msg = err.message`)
		msg := e.L.GetGlobal("msg").String()
		if !strings.Contains(msg, path) || !strings.Contains(msg, want) {
			t.Errorf("%s: %q, want the path and %q", path, msg, want)
		}
		for i := 0; i < len(msg); i++ {
			if msg[i] < 0x20 || msg[i] >= 0x7f {
				t.Fatalf("%s: the error holds raw bytes: %q", path, msg)
			}
		}
	}
}

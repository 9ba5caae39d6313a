package luabind

import (
	"runtime"
	"testing"

	"github.com/cimsh/cimsh/internal/testenv"
	lua "github.com/yuin/gopher-lua"
)

// TestIndicationsLocalMachine registers on the real local machine
// provider (cim.new_session() without a provider hook): `sleep 30`
// started with Win32_Process.Create raises its __InstanceCreationEvent
// within WITHIN + 1 seconds.
func TestIndicationsLocalMachine(t *testing.T) {
	if runtime.GOOS == "windows" {
		testenv.Skip(t, "the test starts the Unix sleep command")
	}
	L := lua.NewState()
	m := New(L, Options{Getenv: func(string) string { return "" }})
	e := &env{t: t, L: L, m: m}
	t.Cleanup(func() { m.CloseAll(); L.Close() })
	e.ok(`
		local s = cim.new_session()
		local sub = assert(s:register_indication_event{
			query = "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Win32_Process' AND TargetInstance.Name = 'sleep'"})
		local out = assert(s:invoke_method{class_name = "Win32_Process", method_name = "Create", arguments = {CommandLine = "sleep 30"}})
		assert(out.ReturnValue == 0, "Create returned " .. tostring(out.ReturnValue))
		local got
		for ev in sub:events(30) do
			if ev.TargetInstance.ProcessId == out.ProcessId then got = ev break end
		end
		local procs = s:get_instance{class_name = "Win32_Process", filter = "ProcessId = " .. out.ProcessId}
		if procs and procs[1] then procs[1]:invoke("Terminate") end
		sub:close()
		assert(got, "no __InstanceCreationEvent for the new sleep within 30 s")
		assert(got.__CLASS == "__InstanceCreationEvent", got.__CLASS)
		assert(got.TargetInstance.CommandLine:match("sleep 30"), got.TargetInstance.CommandLine)
		assert(got.TIME_CREATED ~= nil)
	`)
}

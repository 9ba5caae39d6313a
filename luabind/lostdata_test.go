package luabind

import (
	"testing"

	"github.com/cimsh/cimsh/cim/wsmantest"
	lua "github.com/yuin/gopher-lua"
)

// TestWSManLostPull drops the connection of a Pull after the server handed
// out its batch (over real HTTP): get_instance and query return nil, err
// of category connection, never a short list; fan-out lists the host's
// error and none of its instances; a streaming loop raises.
func TestWSManLostPull(t *testing.T) {
	e, srv := newWSManEnv(t, wsmantest.Options{MaxBatch: 1})
	e.L.SetGlobal("drop_next_pull", e.L.NewFunction(func(L *lua.LState) int {
		srv.InjectFault(wsmantest.MatchOperation("Pull"), wsmantest.FaultSpec{AfterServing: true, Close: true})
		return 0
	}))
	e.ok(`
		local q = "SELECT * FROM Win32_Process WHERE ProcessId > 0 AND ProcessId < 2000"
		assert(#assert(s:query(q)) == 3)

		drop_next_pull()
		local r, err = s:query(q)
		assert(r == nil and err and err.category == "connection", tostring(err))
		assert(tostring(err):find("Pull"), tostring(err))

		drop_next_pull()
		r, err = s:get_instance{class_name = "Win32_Process", filter = "ProcessId > 0 AND ProcessId < 2000"}
		assert(r == nil and err.category == "connection", tostring(err))

		drop_next_pull()
		local list, errs = cim.get_instance{cim_session = {s}, query = q}
		assert(#list == 0 and #errs == 1 and errs[1].category == "connection", #list .. " " .. tostring(errs[1]))

		drop_next_pull()
		local n = 0
		local ok, msg = pcall(function()
			for p in s:instances(q) do n = n + 1 end
		end)
		assert(not ok and n == 1 and tostring(msg):find("instances: .*Pull"), tostring(msg))
	`)
	if n := srv.Counters().Enumerations; n != 0 {
		t.Errorf("%d enumeration contexts left open on the server", n)
	}
}

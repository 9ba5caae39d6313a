package luabind

import (
	"testing"
)

// TestFanOut checks operations on a list of sessions: combined results
// stamped with PSComputerName, and per-host errors as the second value.
func TestFanOut(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		local hosts = {"alpha", "beta", "unreachable.example", "gamma"}
		local ss = cim.new_session{computer_name = hosts}
		assert(#ss == 4 and ss[1].computer_name == "alpha")
		local list, errs = cim.get_instance{cim_session = ss, class_name = "Win32_Service", throttle_limit = 2}
		assert(#list == 9, #list)
		assert(#errs == 1 and errs[1].computer_name == "unreachable.example" and errs[1].category == "unreachable")
		local per = {}
		for _, inst in ipairs(list) do per[inst.PSComputerName] = (per[inst.PSComputerName] or 0) + 1 end
		assert(per.alpha == 3 and per.beta == 3 and per.gamma == 3)
		-- a single-valued operation gives one value per host
		local ids, errs2 = cim.test_wsman{cim_session = ss}
		assert(#ids == 3 and #errs2 == 1 and ids[1].ProductVendor == "Microsoft Corporation")
		-- the method on one session keeps nil, err
		local r, err = ss[3]:get_instance("Win32_Service")
		assert(r == nil and err.category == "unreachable")
		-- computer_name lists make temporary sessions, closed afterwards
		local before = #cim.get_session()
		local l2, e2 = cim.query("SELECT * FROM Win32_Service WHERE Name = 'BITS'", {computer_name = {"h1", "h2"}})
		assert(#l2 == 2 and #e2 == 0 and l2[2].PSComputerName == "h2")
		assert(#cim.get_session() == before, "temporary sessions are closed")
		-- and invoke_method fans out too
		local outs = cim.invoke_method{cim_session = {ss[1], ss[2]}, input_object = list[1], method_name = "StopService"}
		assert(#outs == 2 and outs[1].ReturnValue == 0)
	`)
}

// TestSessionsRegistry checks get_session and remove_session.
func TestSessionsRegistry(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		local a = cim.new_session{computer_name = "a", name = "first"}
		local b = cim.new_session{computer_name = "b"}
		assert(#cim.get_session() == 2)
		assert(cim.get_session{name = "first"}[1] == a)
		assert(cim.get_session{computer_name = "B"}[1] == b)
		assert(cim.get_session{id = b.id}[1] == b)
		assert(a.name == "first" and b.name == "CimSession" .. b.id and a.port == 5985)
		assert(cim.remove_session{name = "first"} == 1)
		assert(#cim.get_session() == 1)
		assert(cim.remove_session(b) == 1 and #cim.get_session() == 0)
		local x, err = b:get_instance("Win32_Service")
		assert(x == nil and err.category == "failed")
	`)
}

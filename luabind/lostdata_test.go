package luabind

import (
	"strings"
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

// TestWSManBounded runs the bounded collections over real HTTP against a
// server that never ends an enumeration: get_instance, query and
// get_associated_instance stop at max_instances with nil, err naming it;
// fan-out lists the host's error; max_instances must be positive;
// streaming has no such option and no limit.
func TestWSManBounded(t *testing.T) {
	e, srv := newWSManEnv(t, wsmantest.Options{EndlessEnumerations: true, MaxBatch: 20})
	e.ok(`
		local r, err = s:get_instance{class_name = "Win32_Service", max_instances = 30}
		assert(r == nil and err.category == "quota", tostring(err))
		assert(tostring(err):find("more than 30 instances") and tostring(err):find("max_instances"), tostring(err))

		r, err = s:query("SELECT Name FROM Win32_Service", {max_instances = 10})
		assert(r == nil and tostring(err):find("more than 10 instances"), tostring(err))

		local list, errs = cim.get_instance{cim_session = {s}, class_name = "Win32_Service", max_instances = 25}
		assert(#list == 0 and #errs == 1 and errs[1].category == "quota", tostring(errs[1]))

		local svc = cim.new_instance{class_name = "Win32_Service", key = {"Name"}, property = {Name = "RpcSs"}, client_only = true}
		r, err = s:get_associated_instance{input_object = svc, association = "Win32_DependentService", max_instances = 5}
		assert(r == nil and tostring(err):find("more than 5 instances"), tostring(err))

		local n = 0
		for p in s:instances("Win32_Service") do
			n = n + 1
			if n == 100 then break end
		end
		assert(n == 100)
	`)
	for code, want := range map[string]string{
		`s:get_instance{class_name = "Win32_Service", max_instances = 0}`: "max_instances must be positive",
		`s:instances{class_name = "Win32_Service", max_instances = 5}`:    "max_instances",
	} {
		if msg := e.fails(code); !strings.Contains(msg, want) {
			t.Errorf("%s: %q, want %q", code, msg, want)
		}
	}
	e.m.CloseAll()
	if n := srv.Counters().Enumerations; n != 0 {
		t.Errorf("%d enumeration contexts left open on the server", n)
	}
}

// TestWSManEmptyBatchesRaise: a streaming loop over a server that only
// sends empty batches raises once the operation timeout has passed.
func TestWSManEmptyBatchesRaise(t *testing.T) {
	e, _ := newWSManEnv(t, wsmantest.Options{EmptyBatches: true, MaxBatch: 1})
	e.ok(`
		local s1 = cim.new_session{computer_name = host, port = port, authentication = "basic",
			credential = cim.credential("administrator", "Basic-Pa55"), operation_timeout_sec = 1,
			session_option = cim.new_session_option{no_encryption = true}}
		local n = 0
		local ok, msg = pcall(function()
			for p in s1:instances("Win32_Service") do n = n + 1 end
		end)
		assert(not ok and n == 1 and tostring(msg):find("empty batches"), n .. " " .. tostring(msg))
	`)
}

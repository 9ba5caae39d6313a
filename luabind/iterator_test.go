package luabind

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// openEnums exposes the count of open enumerations to Lua.
func (e *env) openEnums() {
	e.L.SetGlobal("open_enums", e.L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LNumber(e.m.OpenEnumerations()))
		return 1
	}))
}

// TestIteratorReleasedAtChunkEnd checks that an enumeration abandoned by
// break stays open until the chunk ends, then is released.
func TestIteratorReleasedAtChunkEnd(t *testing.T) {
	e := newEnv(t)
	e.openEnums()
	e.ok(`
		s = cim.new_session()
		local n = 0
		for inst in s:instances("Cimsh_Item") do
			n = n + 1
			if n == 5 then break end
		end
		assert(n == 5)
		assert(open_enums() == 1, "the abandoned enumeration is open until the chunk ends")
		it = s:instances("Cimsh_Item", {filter = "Id > 100"})
		assert(it().Id == 101 and it.count == 1)
		assert(open_enums() == 2)
	`)
	if n := e.m.OpenEnumerations(); n != 0 {
		t.Fatalf("%d enumerations open after the chunk", n)
	}
	if n := e.m.OpenIterators(); n != 0 {
		t.Fatalf("%d iterators tracked after the chunk", n)
	}
	e.ok(`assert(it.done and not pcall(it), "a released iterator raises rather than look empty")`)
}

// TestIteratorCloseAndSessionClose checks it:close() and s:close().
func TestIteratorCloseAndSessionClose(t *testing.T) {
	e := newEnv(t)
	e.openEnums()
	e.ok(`
		s = cim.new_session()
		local it = s:instances("Cimsh_Item")
		assert(it() ~= nil and open_enums() == 1)
		it:close()
		assert(open_enums() == 0 and it() == nil)
		local a, b = s:instances("Cimsh_Item"), s:instances("Win32_Service")
		a(); b()
		assert(open_enums() == 2)
		s:close()
		assert(open_enums() == 0)
		assert(not pcall(a), "a loop cut short by s:close() raises")
	`)
	msg := e.fails(`local x = s:get_instance("Win32_Service"); assert(x, "closed") `)
	_ = msg
	e.ok(`local x, err = s:get_instance("Win32_Service"); assert(x == nil and err.message == "the session is closed", tostring(err))`)
	if strings.Contains(e.fails(`for i in s:instances("Win32_Service") do end`), "closed") == false {
		t.Error("streaming on a closed session should raise naming it")
	}
}

// TestIteratorCounts checks a full loop returns every instance once.
func TestIteratorCounts(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		s = cim.new_session()
		local n, sum = 0, 0
		for inst in s:instances("Cimsh_Item") do n = n + 1; sum = sum + inst.Id end
		assert(n == 250 and sum == 250 * 251 / 2, n)
		n = 0
		for inst in cim.instances("SELECT * FROM Cimsh_Item WHERE Id <= 10") do n = n + 1 end
		assert(n == 10, n)
	`)
}

// TestEachInstance checks that each_instance stops when fn returns false,
// releases the enumeration, and propagates an error raised in fn.
func TestEachInstance(t *testing.T) {
	e := newEnv(t)
	e.openEnums()
	e.ok(`
		s = cim.new_session()
		local seen = 0
		local n = s:each_instance("Cimsh_Item", function(i)
			seen = seen + 1
			return i.Id < 7
		end)
		assert(seen == 7 and n == 7, seen)
		assert(open_enums() == 0)
		assert(s:each_instance("Win32_Service", function() end) == 3)
		local ok, err = pcall(s.each_instance, s, "Cimsh_Item", function(i)
			if i.Id == 3 then error("stop at three") end
		end)
		assert(not ok and tostring(err):find("stop at three"), tostring(err))
		assert(open_enums() == 0)
	`)
}

// TestStreamingRaises checks that a failing enumeration raises.
func TestStreamingRaises(t *testing.T) {
	e := newEnv(t)
	msg := e.fails(`for i in cim.instances("Cimsh_Nope") do end`)
	if !strings.Contains(msg, "cim.instances: localhost:") || !strings.Contains(msg, "CIM_ERR_INVALID_CLASS") {
		t.Error(msg)
	}
	msg = e.fails(`for i in cim.instances("Win32_Service", {computer_name = "unreachable.example"}) do end`)
	if !strings.Contains(msg, "connection refused") {
		t.Error(msg)
	}
}

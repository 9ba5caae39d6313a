package luabind

import (
	"strings"
	"testing"
)

// TestOperations covers the CimCmdlets functions against the memprov
// world: get by key, methods with typed arguments, classes, client-only
// instances, removal and Test-WSMan.
func TestOperations(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		s = cim.new_session()
		-- Get-CimInstance -InputObject with a client-only instance
		local key = cim.new_instance{class_name = "Win32_Service", property = {Name = "BITS"}, key = {"Name"}, client_only = true}
		assert(tostring(key) == 'Win32_Service (Name = "BITS")', tostring(key))
		local bits = assert(s:get_instance{input_object = key})
		assert(bits.State == "Running" and bits.ProcessId == 812)
		-- -Filter, -Property, -KeyOnly
		local stopped = assert(s:get_instance{class_name = "Win32_Service", filter = "State = 'Stopped'", property = {"Name"}})
		assert(#stopped == 1 and stopped[1].Name == "Spooler")
		-- Invoke-CimMethod: instance method, arguments typed by the schema
		local out = assert(s:invoke_method{input_object = bits, method_name = "Change", arguments = {DisplayName = "Transfer", ErrorControl = 1}})
		assert(out.ReturnValue == 0)
		assert(bits:refresh().DisplayName == "Transfer")
		local r = assert(bits:invoke("StopService"))
		assert(r.ReturnValue == 0 and bits:refresh().State == "Stopped")
		assert(bits:invoke("StopService").ReturnValue == 10)
		-- a method that does not exist: nil, err
		local none, err = bits:invoke("Explode")
		assert(none == nil and err.category == "method_not_found", tostring(err))
		-- Get-CimClass
		local cls = assert(s:get_class("Win32_Service"))
		assert(cls.name == "Win32_Service" and cls.keys[1] == "Name")
		assert(cls:method("Change").parameters[2].type == "uint8")
		assert(cls:property("ProcessId").type == "uint32")
		local all = assert(s:get_class("Win32_*"))
		assert(#all == 2, #all)
		local withChange = assert(s:get_class{method_name = "Chan*"})
		assert(#withChange == 1 and withChange[1].name == "Win32_Service")
		local nope, cerr = s:get_class("Cimsh_Nope")
		assert(nope == nil and cerr.category == "invalid_class")
		-- Remove-CimInstance
		assert(s:remove_instance(bits) == true)
		assert(#s:get_instance("Win32_Service") == 2)
		local gone, gerr = s:get_instance{input_object = key}
		assert(gone == nil and gerr.category == "not_found", tostring(gerr))
		-- Test-WSMan
		local id = assert(s:test())
		assert(id.ProductVendor == "Microsoft Corporation" and id.ProtocolVersion:find("wsman"))
		-- module functions default to the local machine
		assert(#cim.get_instance("Win32_Service") == 3)
	`)
	msg := e.fails(`s:invoke_method{input_object = s:get_instance("Win32_Service")[1], method_name = "Change", arguments = {ErrorControl = 300}}`)
	if !strings.Contains(msg, "ErrorControl") || !strings.Contains(msg, "out of range") {
		t.Error(msg)
	}
	msg = e.fails(`cim.new_instance{class_name = "X", client_only = true}:invoke("Y")`)
	if !strings.Contains(msg, "has no session (it was built client_only)") {
		t.Error(msg)
	}
}

// TestInputObjectArgument checks the instance argument of set, remove
// and associated: positional or input_object=, once, an instance.
func TestInputObjectArgument(t *testing.T) {
	e := newEnv(t)
	e.ok(`s = cim.new_session(); svc = s:get_instance("Win32_Service")[1]`)
	for _, name := range []string{"set_instance", "remove_instance", "get_associated_instance"} {
		for code, want := range map[string]string{
			`s:` + name + `("WinRM")`:                   "s:" + name + ": want an instance, got string",
			`s:` + name + `(svc, {input_object = svc})`: "s:" + name + ": give the instance once",
			`s:` + name + `{}`:                          "input_object is required",
			`s:` + name + `{input_object = "x"}`:        "input_object",
		} {
			if msg := e.fails(code); !strings.Contains(msg, want) {
				t.Errorf("%s: %q does not contain %q", code, msg, want)
			}
		}
	}
}

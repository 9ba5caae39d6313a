package luabind

import (
	"strings"
	"testing"
)

// TestInstancesTakeOptionTable checks that instances and each_instance
// take the option table get_instance takes (class_name= or query= in
// it), as well as the positional class or query.
func TestInstancesTakeOptionTable(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		s = cim.new_session()
		local n = 0
		for i in s:instances{class_name = "Cimsh_Item", filter = "Id <= 5"} do n = n + 1 end
		assert(n == 5, n)
		n = 0
		for i in cim.instances{query = "SELECT * FROM Cimsh_Item WHERE Id > 245"} do n = n + 1 end
		assert(n == 5, n)
		local seen = s:each_instance({class_name = "Cimsh_Item", filter = "Id < 4"}, function() end)
		assert(seen == 3, seen)
		n = 0
		for i in s:instances("Cimsh_Item", {filter = "Id <= 2"}) do n = n + 1 end
		assert(n == 2, n)
	`)
	for _, c := range []struct{ code, want string }{
		{`for i in s:instances("Cimsh_Item", {class_name = "Cimsh_Item"}) do end`, "s:instances: give the class or query once"},
		{`s:instances({class_name = "Cimsh_Item"}, {})`, "s:instances: too many arguments"},
		{`s:instances{}`, "s:instances: class_name, query or resource_uri is required"},
		{`s:instances(42)`, "s:instances: the first argument must be a class name, a query or an option table, got number"},
		{`s:each_instance({class_name = "Cimsh_Item"})`, "s:each_instance: the second argument must be a function"},
		{`s:instances{class_name = "Cimsh_Item", query = "SELECT * FROM Cimsh_Item"}`, "query cannot be combined with class_name"},
	} {
		if msg := e.fails(c.code); !strings.Contains(msg, c.want) {
			t.Errorf("%s: %q, want %q", c.code, msg, c.want)
		}
	}
}

// TestEmptyComputerNameRaises checks that computer_name="" is a mistake,
// not the local machine.
func TestEmptyComputerNameRaises(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct{ code, want string }{
		{`cim.new_session{computer_name = ""}`, `cim.new_session: computer_name is empty; leave computer_name out for the local machine`},
		{`cim.new_session{computer_name = "  "}`, `cim.new_session: computer_name is empty`},
		{`cim.new_session{computer_name = {"server1", ""}}`, `cim.new_session: computer_name[2] is empty`},
		{`cim.get_instance{class_name = "Win32_Service", computer_name = ""}`, `cim.get_instance: computer_name is empty`},
		{`for i in cim.instances("Win32_Service", {computer_name = ""}) do end`, `cim.instances: computer_name is empty`},
		{`cim.test_wsman{computer_name = ""}`, `cim.test_wsman: computer_name is empty`},
	} {
		if msg := e.fails(c.code); !strings.Contains(msg, c.want) {
			t.Errorf("%s: %q, want %q", c.code, msg, c.want)
		}
	}
	if n := len(e.m.liveSessions()); n != 0 {
		t.Errorf("%d sessions made by refused calls", n)
	}
	e.ok(`assert(cim.new_session().computer_name == "localhost")`)
}

// TestCredSSPRefusalListsEverySupportedMethod checks the refusal names
// every authentication a WS-Man session supports.
func TestCredSSPRefusalListsEverySupportedMethod(t *testing.T) {
	e := newEnv(t)
	msg := e.fails(`cim.new_session{computer_name = "h", authentication = "CredSsp"}`)
	for _, m := range []string{"default", "negotiate", "ntlm", "kerberos", "basic", "certificate"} {
		if !strings.Contains(msg, m) {
			t.Errorf("the refusal %q does not list %s", msg, m)
		}
	}
	if !strings.HasPrefix(strings.SplitN(msg, ": ", 2)[1], "cim.new_session: CredSSP authentication is not supported") {
		t.Error(msg)
	}
}

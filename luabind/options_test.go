package luabind

import (
	"strings"
	"testing"
)

// TestMistakesRaise checks that programming mistakes raise errors that
// name the function and the argument, with a suggestion for typos.
func TestMistakesRaise(t *testing.T) {
	cases := []struct{ code, want string }{
		{`cim.new_session{computer_nam="h"}`, `cim.new_session: unknown option "computer_nam" (did you mean "computer_name"?)`},
		{`cim.new_session{port="5985"}`, `cim.new_session: option port must be an integer, got string`},
		{`cim.new_session{port=1.5}`, `option port must be an integer, got number`},
		{`cim.new_session{credential="pw"}`, `option credential must be a credential (cim.credential), got string`},
		{`cim.new_session{authentication="magic"}`, `cim.new_session: authentication: unknown authentication "magic"`},
		{`cim.new_session{authentication="credssp"}`, `CredSSP authentication is not supported; use default, negotiate, ntlm`},
		{`cim.new_session_option{protocol="DCOM", no_encryption=true}`, `no_encryption is a WS-Man option; protocol "dcom" does not take it`},
		{`cim.new_session_option{use_tls=true}`, `unknown option "use_tls" (did you mean "use_ssl"?)`},
		{`cim.get_instance{clas_name="X"}`, `cim.get_instance: unknown option "clas_name" (did you mean "class_name"?)`},
		{`cim.get_instance{class_name="X", cim_session=42}`, `option cim_session must be a session or a list of sessions, got number`},
		{`cim.get_instance{}`, `cim.get_instance: class_name, query or resource_uri is required`},
		{`cim.get_instance{class_name="A", query="SELECT * FROM B"}`, `query cannot be combined with class_name or filter`},
		{`cim.get_instance{[1]="x"}`, `option keys must be names`},
		{`s:get_instance{computer_name="h", class_name="X"}`, `s:get_instance: unknown option "computer_name" (it is an option of the module function cim.get_instance)`},
		{`s:get_instance(42)`, `s:get_instance: the class name must be a string, got number`},
		{`s.get_instance{class_name="X"}`, `s:get_instance: call it with a colon`},
		{`s:query()`, `s:query: the query is required`},
		{`s:invoke_method{class_name="Win32_Service"}`, `s:invoke_method: method_name is required`},
		{`s:invoke_method{method_name="X"}`, `class_name or input_object is required`},
		{`cim.new_instance{class_name="X"}`, `give client_only=true to build the instance locally, or cim_session= (or computer_name=)`},
		{`cim.new_instance{class_name="X", client_only=true, key={"Name"}}`, `key "Name" is not among the properties`},
		{`s:instances(true)`, `s:instances: the first argument must be a class name, a query or an option table`},
		{`s:each_instance("Win32_Service")`, `s:each_instance: the second argument must be a function`},
		{`cim.instances("Win32_Service", {cim_session={s, s}})`, `streaming runs on one session`},
		{`cim.get_instance{class_name="X", cim_session=s, computer_name="h"}`, `give cim_session or computer_name, not both`},
		{`cim.get_instance{class_name="X", throttle_limit=0}`, `throttle_limit must be positive`},
		{`local x = s.bogus`, `session has no field or method "bogus"`},
		{`cim.credential("u", 42)`, `password must be a string`},
		{`cim.uint64("-1")`, `cim.uint64: -1 is out of range`},
		{`cim.int64("9223372036854775808")`, `out of range`},
		{`cim.uint64("12abc")`, `is not an integer`},
		{`cim.to_json({}, {pretty=true})`, `cim.to_json: unknown option "pretty"`},
		{`cim.format_table(42)`, `want an instance, a class, a session, or a list of them or of tables, got number`},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			e := newEnv(t)
			e.ok(`s = cim.new_session()`)
			msg := e.fails(c.code)
			if !strings.Contains(msg, c.want) {
				t.Errorf("error %q\ndoes not contain %q", msg, c.want)
			}
			if !strings.HasPrefix(msg, "<string>:1:") {
				t.Errorf("error %q does not point at the caller's line", msg)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"computer_name", "credential", "class_name", "namespace"}
	cases := map[string]string{
		"computer_nam": "computer_name", "ComputerName": "computer_name", "credentail": "credential",
		"classname": "class_name", "xyz": "", "namespac": "namespace",
	}
	for in, want := range cases {
		if got := suggest(in, names); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSpecsComplete checks the one spec table against the module: every
// function has a spec, a usage and a doc line, and the exact names the
// API promises exist.
func TestSpecsComplete(t *testing.T) {
	e := newEnv(t)
	want := []string{"new_session", "new_session_option", "credential", "get_session", "remove_session",
		"get_instance", "query", "instances", "each_instance", "invoke_method", "get_class", "new_instance",
		"set_instance", "remove_instance", "get_associated_instance", "test_wsman", "format_table",
		"format_list", "to_json", "to_csv", "export_csv", "uint64", "int64", "tonumber", "register_indication_event"}
	for _, n := range want {
		s := specByName(n)
		if s == nil || s.Doc == "" || s.Usage == "" {
			t.Errorf("spec %s missing or undocumented", n)
			continue
		}
		e.ok(`assert(type(cim.` + n + `) == "function", "cim.` + n + ` missing")`)
	}
	e.ok(`s = cim.new_session()`)
	for m := range SessionMethods {
		e.ok(`assert(type(s.` + m + `) == "function", "s:` + m + ` missing")`)
	}
}

package luabind

import (
	"regexp"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/wsmantest"
	lua "github.com/yuin/gopher-lua"
)

// leakedPrefix matches a Go package's name used as a message prefix
// ("memprov: ", "wql: "), where a user should read the operation they
// called instead. "cim.get_instance: " is the operation, not a leak.
var leakedPrefix = regexp.MustCompile(`(^|[^\w.])(` + strings.Join(internalPackages, "|") + `): `)

// collectMessage runs code, which either raises or returns nil, err, and
// returns what the user reads: the raised message, or tostring(err)
// followed by err.message on the next line.
func collectMessage(t *testing.T, e *env, code string) string {
	t.Helper()
	err := e.do(`local r, err = (function() ` + code + ` end)()
		if err == nil then error("no error") end
		msg = tostring(err) .. "\n" .. tostring(err.message)`)
	if err != nil {
		msg := err.Error()
		if ae, ok := err.(*lua.ApiError); ok {
			msg = ae.Object.String()
		}
		if strings.Contains(msg, "no error") {
			t.Errorf("%s: no error", code)
		}
		return msg
	}
	return e.L.GetGlobal("msg").String()
}

type messageCase struct {
	code string
	want string // the message contains it (it names the operation)
}

func checkMessages(t *testing.T, e *env, cases []messageCase) {
	t.Helper()
	for _, c := range cases {
		msg := collectMessage(t, e, c.code)
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s:\n  got  %q\n  want %q", c.code, msg, c.want)
		}
		if m := leakedPrefix.FindString(msg); m != "" {
			t.Errorf("%s: message names an internal package (%q): %q", c.code, m, msg)
		}
		if len(msg) > 1200 {
			t.Errorf("%s: message of %d bytes", c.code, len(msg))
		}
	}
}

// TestMessagesNameTheOperation checks, over the luatest world, that what
// users read names the operation they called and no Go package, and
// quotes at most a bounded part of their input.
func TestMessagesNameTheOperation(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		s = cim.new_session()
		svc = s:get_instance("Win32_Service")[1]
		ghost = cim.new_instance{class_name = "Win32_Service", property = {Name = "Ghost"}, key = "Name", client_only = true}
		closed = cim.new_session(); closed:close()
		huge = ("x"):rep(10 * 1024 * 1024)`)
	checkMessages(t, e, []messageCase{
		{`return s:get_instance("Nope")`, `s:get_instance: localhost: class "Nope" does not exist`},
		{`return cim.get_instance{class_name = "Nope"}`, `cim.get_instance: localhost: class "Nope" does not exist`},
		{`return s:get_instance{class_name = "Win32_Service", filter = "Name = )"}`, `s:get_instance: filter: syntax error at column 8: expected a constant, found ")"`},
		{`return cim.get_instance{class_name = "Win32_Service", filter = "Name = 'x' AND"}`, `cim.get_instance: filter: syntax error at column 15`},
		{`for i in s:instances("Win32_Service", {filter = "State = "}) do end`, `s:instances: filter: syntax error at column 9`},
		{`return s:query("SELEC * FROM Win32_Service")`, `s:query: localhost: syntax error at position 1`},
		{`return s:query("SELECT * FROM Win32_Service WHERE Nope = 1")`, `s:query: localhost: class Win32_Service has no property Nope`},
		{`return s:get_instance{class_name = "Win32_Service", namespace = "root/nope"}`, `s:get_instance: localhost: namespace "root/nope" does not exist`},
		{`return s:get_instance{class_name = "Win32_Service", property = {"a;b"}, filter = "Name = 'x'"}`, `s:get_instance: "a;b" is not a valid property name`},
		{`return s:get_instance{input_object = ghost}`, `s:get_instance: localhost:`},
		{`return s:invoke_method{class_name = "Win32_Service", method_name = "Nope"}`, `s:invoke_method: localhost: class Win32_Service has no method "Nope"`},
		{`return s:invoke_method{input_object = svc, method_name = "Change", arguments = {Nope = 1}}`, `s:invoke_method: Win32_Service.Change has no parameter "Nope"`},
		{`return s:invoke_method{input_object = svc, method_name = "Change", arguments = {ErrorControl = "x"}}`, `s:invoke_method: Win32_Service.Change: argument ErrorControl:`},
		{`return svc:invoke("Nope")`, `inst:invoke: localhost: class Win32_Service has no method "Nope"`},
		{`return ghost:refresh()`, `inst:refresh: Win32_Service has no session`},
		{`return s:get_class("Nope")`, `s:get_class: localhost:`},
		{`return s:remove_instance(ghost)`, `s:remove_instance: localhost:`},
		{`return s:new_instance{class_name = "Nope", property = {A = 1}}`, `s:new_instance: localhost:`},
		{`return s:set_instance{input_object = ghost, property = {State = "x"}}`, `s:set_instance: localhost:`},
		{`return s:get_associated_instance{input_object = ghost}`, `s:get_associated_instance:`},
		{`return s:register_indication_event{query = "SELECT * FROM"}`, `s:register_indication_event:`},
		{`return closed:get_instance("Win32_Service")`, `s:get_instance: localhost: the session is closed`},
		{`local l, errs = cim.get_instance{class_name = "Win32_Service", cim_session = {s, closed}}; return nil, errs[1]`, `cim.get_instance: localhost: the session is closed`},
		{`return cim.datetime("garbage")`, `cim.datetime: "garbage" is not a CIM datetime`},
		{`return cim.datetime("20241301000000.000000+000")`, `cim.datetime: "20241301000000.000000+000" is not a DMTF datetime`},
		{`return cim.uint64("abc")`, `cim.uint64: "abc" is not an integer`},
		{`return cim.uint64(-1)`, `cim.uint64: -1 is out of range`},
		{`return cim.uint64("18446744073709551615") + 1`, `integer addition: result 18446744073709551616 is outside the 64-bit range`},
		{`return cim.uint64("18446744073709551615") + 0.5`, `integer addition: boxed integers combine only with integers (got integer and number 0.5)`},
		{`return cim.datetime("P1D") < cim.datetime("2024-01-01T00:00:00Z")`, `cannot compare a timestamp and an interval`},
		{`svc.ExitCode = "many"`, `cannot assign Win32_Service.ExitCode: "many" is not a valid uint32`},
		{`svc.ExitCode = {1, {2}}`, `cannot assign Win32_Service.ExitCode:`},
		{`return cim.import_binary_mi_log("/nonexistent/x.milog")`, `cim.import_binary_mi_log:`},
		{`return cim.new_session{port = 70000}`, `cim.new_session: port 70000 is out of range`},
		{`return cim.new_session{authentication = "bogus"}`, `cim.new_session: authentication: unknown authentication "bogus"`},
		{`return cim.new_session{session_option = cim.new_session_option{resource_uri_form = "x"}}`, `cim.new_session: unknown resource URI form "x"`},
		{`return string.format("%d", cim.datetime("P1D"))`, `string.format: bad argument #2`},
		// a 10 MB name is quoted to at most model.MaxQuoted bytes
		{`return s:get_instance(huge)`, `s:get_instance: localhost: class "xxxxxxxxxx`},
		{`return s:get_instance{class_name = huge, filter = "A = 1"}`, `... (10485760 bytes)`},
		{`return s:invoke_method{class_name = "Win32_Service", method_name = huge}`, `(10485760 bytes)`},
		{`return cim.datetime(huge)`, `cim.datetime: "xxxx`},
		{`return cim.uint64(huge)`, `cim.uint64: "xxxx`},
		{`return s:get_instance{class_name = "Win32_Service", filter = huge .. " = )"}`, `filter: syntax error at column 10485764`},
		{`return s:query("SELECT * FROM " .. huge)`, `s:query: localhost: class "xxxx`},
		{`return s:query("ASSOCIATORS OF {Win32_Service.Name=" .. huge .. "}")`, `s:query: localhost:`},
		{`return s:get_instance{[huge] = 1}`, `s:get_instance: unknown option "xxxx`},
		{`return s[huge]`, `session has no field or method "xxxx`},
		{`return cim.new_session{session_option = cim.new_session_option{protocol = huge}}`, `cim.new_session_option: unknown protocol "xxxx`},
		// ... and so is every other place a user's text comes back: names,
		// numbers, literals and object paths in queries, event queries,
		// computer names and a CDXML cmdlet's options
		{`return s:get_instance{class_name = "Win32_Service", filter = huge .. " = 1"}`, `class Win32_Service has no property xxxx`},
		{`return s:get_instance{class_name = "Win32_Service", filter = "ExitCode = " .. ("9"):rep(1e6)}`, `filter: syntax error at column 12: integer 9999`},
		{`return s:get_instance{class_name = "Win32_Service", filter = "ExitCode = '" .. huge .. "'"}`, `ExitCode = 'xxxx`},
		{`return s:query("SELECT * FROM Win32_Service WHERE " .. huge .. " ~ 1")`, `s:query: localhost: syntax error`},
		{`return s:query("ASSOCIATORS OF {Win32_Service." .. huge .. "='a'}")`, `s:query: localhost: no instance Win32_Service.xxxx`},
		{`return s:query("SELECT * FROM __InstanceCreationEvent WITHIN " .. ("9"):rep(1e6))`, `s:query: localhost: syntax error`},
		{`return s:register_indication_event{query = "SELECT * FROM " .. huge .. " WITHIN 1"}`, `s:register_indication_event: localhost: xxxx`},
		{`return s:register_indication_event{query = "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Win32_Service' AND TargetInstance." .. huge .. " = 1"}`, `s:register_indication_event: localhost:`},
		{`return cim.new_session{computer_name = huge}`, `cim.new_session: computer_name "xxxx`},
		{`return cim.import_cdxml("cimsh:CimshProcess").get_cimsh_process{[huge] = 1}`, `Get-CimshProcess: unknown option "xxxx`},
	})
}

// TestMessagesOverWSMan checks the same over a real WS-Man exchange:
// server faults, authentication and connection failures.
func TestMessagesOverWSMan(t *testing.T) {
	e, _ := newWSManEnv(t, wsmantest.Options{})
	e.ok(`refused = cim.new_session{computer_name = "127.0.0.1", port = 1, authentication = "basic",
		credential = cim.credential("a", "b"), session_option = cim.new_session_option{no_encryption = true}}`)
	checkMessages(t, e, []messageCase{
		{`return s:get_instance("Win32_NoSuchClass")`, `s:get_instance: ` + "127.0.0.1" + `:`},
		{`return s:get_instance{class_name = "Win32_Service", filter = "Name = )"}`, `s:get_instance: filter: syntax error at column 8`},
		{`return s:invoke_method{class_name = "Win32_Service", method_name = "Nope"}`, `s:invoke_method: 127.0.0.1:`},
		{`return connect("wrong"):get_instance("Win32_Service")`, `s:get_instance: 127.0.0.1:`},
		{`return refused:get_instance("Win32_Service")`, `s:get_instance: 127.0.0.1:`},
		{`for i in refused:instances("Win32_Service") do end`, `s:instances: 127.0.0.1:`},
		{`return refused:test()`, `s:test: 127.0.0.1:`},
		{`return cim.test_wsman{computer_name = "127.0.0.1:1"}`, `cim.test_wsman:`},
	})
}

// TestUserText checks the rewriting of Go-side messages.
func TestUserText(t *testing.T) {
	long := strings.Repeat("é", 300)
	for _, c := range []struct{ in, want string }{
		{`memprov: class "Nope" does not exist`, `class "Nope" does not exist`},
		{`localhost: memprov: wql: syntax error at position 3: x`, `localhost: syntax error at position 3: x`},
		{`local: Win32_Process: listing processes: open /proc: denied`, `Win32_Process: listing processes: open /proc: denied`},
		{`post to h:1: transport: connection dropped (wsman: bad reply)`, `post to h:1: connection dropped (bad reply)`},
		{`cim: Win32_Process.Create has no parameter "Nope"`, `Win32_Process.Create has no parameter "Nope"`},
		{`the cim: prefix in the middle of text stays`, `the cim: prefix in the middle of text stays`},
		{`cim.get_instance: x`, `cim.get_instance: x`},
		{`class "` + long + `" is missing`, `class "` + strings.Repeat("é", 100) + `"... (600 bytes) is missing`},
	} {
		if got := userText(c.in); got != c.want {
			t.Errorf("userText(%q)\n = %q\nwant %q", c.in, got, c.want)
		}
	}
}

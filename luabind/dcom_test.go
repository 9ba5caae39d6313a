package luabind

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/dcomtest"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/kdc"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
	"github.com/jcmturner/gokrb5/v8/keytab"
	lua "github.com/yuin/gopher-lua"
)

// newDCOMEnv is newWSManEnv plus a DCOM test server serving the same
// fixture, with a function dcom_connect{...} making a DCOM session to it.
func newDCOMEnv(t *testing.T) (*env, *dcomtest.Server) {
	t.Helper()
	e, _ := newWSManEnv(t, wsmantest.Options{})
	srv, err := dcomtest.Start(dcomtest.Options{Users: []ntlmserver.User{{Name: "administrator", Password: "Dcom-Pa55"}}, Computer: "WSMANTEST"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e.L.SetGlobal("dcom_port", lua.LNumber(srv.Port()))
	e.ok(`
		function dcom_connect(o)
			o = o or {}
			return cim.new_session{computer_name = host, port = dcom_port, authentication = o.authentication,
				credential = cim.credential("administrator", o.password or "Dcom-Pa55"),
				session_option = cim.new_session_option{protocol = "dcom", packet_privacy = o.packet_privacy}}
		end`)
	return e, srv
}

// TestDCOMSameScript: the same Lua script returns the same instances
// (as JSON: names, values, CIM types) over WS-Man and over DCOM.
func TestDCOMSameScript(t *testing.T) {
	e, _ := newDCOMEnv(t)
	e.ok(`
		function inventory(s)
			local out = {}
			for _, class in ipairs{"Win32_OperatingSystem", "Win32_Service", "Win32_LogicalDisk", "Win32_Process"} do
				local list = assert(s:get_instance(class))
				out[#out + 1] = class .. " " .. cim.to_json(list)
			end
			-- Not the "control" instance: XML cannot carry its control
			-- characters, which WS-Man servers replace.
			out[#out + 1] = cim.to_json(assert(s:get_instance{class_name = "Cimsh_ValueKinds", filter = "Id = 'all'"}))
			local q = assert(s:query("SELECT Name, State FROM Win32_Service WHERE StartMode = 'Auto'"))
			out[#out + 1] = cim.to_json(q)
			local n = 0
			for svc in s:instances("Win32_Service") do n = n + 1 end
			out[#out + 1] = "streamed " .. n
			local one = assert(s:get_instance{class_name = "Win32_Service", filter = "Name = 'WinRM'"})
			local again = assert(s:get_instance{input_object = one[1]})
			out[#out + 1] = cim.to_json(again)
			return table.concat(out, "\n")
		end
		over_wsman = inventory(s)
		d = dcom_connect()
		over_dcom = inventory(d)
		assert(d.protocol == "DCOM" and d.port == dcom_port, d.protocol)
		local id = assert(d:test())
		assert(id.Protocol == "DCOM" and id.ProductVendor == "Microsoft Corporation", tostring(id.Protocol))
	`)
	ws, dc := e.L.GetGlobal("over_wsman").String(), e.L.GetGlobal("over_dcom").String()
	// WinRM leaves empty arrays out entirely (PROTOCOL.md), and so does
	// the WS-Man test server; DCOM carries them.
	dc = strings.Replace(dc, "\n    \"EmptyArray\": [],", "", 1)
	if ws != dc {
		wl, dl := strings.Split(ws, "\n"), strings.Split(dc, "\n")
		for i := range wl {
			if i < len(dl) && wl[i] != dl[i] {
				t.Errorf("line %d differs:\nwsman %.600s\ndcom  %.600s", i, wl[i], dl[i])
			}
		}
		if d := os.Getenv("DCOM_DIFF_DIR"); d != "" {
			os.WriteFile(d+"/wsman.txt", []byte(ws), 0o600)
			os.WriteFile(d+"/dcom.txt", []byte(dc), 0o600)
		}
		t.Fatal("the script's results differ between WS-Man and DCOM")
	}
	if len(ws) < 2000 {
		t.Fatalf("only %d bytes compared", len(ws))
	}
}

// TestDCOMLuaOperations: methods, get_class, associations, writes and
// failures through the Lua API over DCOM.
func TestDCOMLuaOperations(t *testing.T) {
	e, srv := newDCOMEnv(t)
	e.ok(`
		local d = dcom_connect{packet_privacy = false}
		local svc = assert(d:get_instance{class_name = "Win32_Service", filter = "Name = 'Spooler'"})[1]
		local r = assert(svc:invoke("StopService"))
		assert(r.ReturnValue == 0, tostring(r.ReturnValue))
		assert(d:get_instance{input_object = svc}.State == "Stopped")
		local p = assert(d:invoke_method{class_name = "Win32_Process", method_name = "Create", arguments = {CommandLine = "notepad.exe"}})
		assert(p.ReturnValue == 0 and p.ProcessId ~= nil)
		local c = assert(d:get_class("Win32_Service"))
		assert(c.name == "Win32_Service" and c.keys[1] == "Name", tostring(c.name))
		assert(c:method("StopService") ~= nil and c:property("ProcessId").type == "uint32")
		local all = assert(d:get_class("Win32_*"))
		assert(#all >= 5, #all)
		local winrm = assert(d:get_instance{class_name = "Win32_Service", filter = "Name = 'WinRM'"})[1]
		local deps = assert(d:get_associated_instance{input_object = winrm, association = "Win32_DependentService", result_class_name = "Win32_Service"})
		assert(#deps > 0, "WinRM has no dependencies over DCOM")
		local names = {}
		for _, dep in ipairs(deps) do names[#names + 1] = dep.Name end
		table.sort(names)
		-- The fixture's WinRM depends on RpcSs and nsi (Win32_DependentService).
		assert(table.concat(names, ",") == "RpcSs,nsi", table.concat(names, ","))
		local sys = assert(d:get_associated_instance{input_object = winrm, result_class_name = "Win32_ComputerSystem"})
		assert(#sys == 1 and sys[1].Name ~= nil, "WinRM's computer system: " .. #sys)
		local bad, err = d:get_instance("Win32_NoSuchClass")
		assert(bad == nil and err.category == "invalid_class", tostring(err))
		assert(tostring(err):find("0x80041010"), tostring(err))
		local x, err2 = dcom_connect{password = "wrong"}:get_instance("Win32_Service")
		assert(x == nil and err2.category == "access_denied", tostring(err2))
		assert(not tostring(err2):find("wrong"))
		local ok, msg = pcall(cim.new_session_option, {protocol = "dcom", use_ssl = true})
		assert(not ok and msg:find("use_ssl is a WS%-Man option; protocol \"dcom\""), msg)
		ok, msg = pcall(cim.new_session_option, {packet_privacy = true})
		assert(not ok and msg:find("packet_privacy is a DCOM option"), msg)
		ok, msg = pcall(dcom_connect, {authentication = "basic"})
		assert(not ok and msg:find("basic is not available with protocol DCOM"), msg)
		d:close()
	`)
	if _, acts, _ := srv.Counters(); acts == 0 {
		t.Fatal("no activation reached the DCOM server")
	}
}

// TestDCOMIndication: register_indication_event over DCOM
// (ExecNotificationQuery) delivers the creation of a process.
func TestDCOMIndication(t *testing.T) {
	e, _ := newDCOMEnv(t)
	e.ok(`
		local d = dcom_connect()
		local sub = assert(d:register_indication_event{
			query = "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Win32_Process'"})
		local out = assert(d:invoke_method{class_name = "Win32_Process", method_name = "Create", arguments = {CommandLine = "calc.exe"}})
		local got
		for ev in sub:events(10) do
			if ev.TargetInstance.ProcessId == out.ProcessId then got = ev break end
		end
		sub:close()
		assert(got, "no __InstanceCreationEvent over DCOM within 10 s")
		assert(got.TargetInstance.CommandLine == "calc.exe", tostring(got.TargetInstance.CommandLine))
	`)
}

// TestDCOMFanOut: a DCOM session and a WS-Man session in one fan-out
// call give the same instances, each stamped with its computer.
func TestDCOMFanOut(t *testing.T) {
	e, _ := newDCOMEnv(t)
	e.ok(`
		local d = dcom_connect()
		local all, errs = cim.get_instance{cim_session = {s, d}, class_name = "Win32_Service", filter = "Name = 'WinRM'"}
		assert(#all == 2 and (errs == nil or #errs == 0), #all)
		assert(all[1].Name == "WinRM" and all[2].Name == "WinRM")
	`)
}

// TestDCOMNewInstance is TestWSManNewInstance over DCOM: New-, Set- and
// Remove-CimInstance through PutInstance and DeleteInstance.
func TestDCOMNewInstance(t *testing.T) {
	e, _ := newDCOMEnv(t)
	e.ok(`
		local d = dcom_connect()
		local made = assert(d:new_instance{class_name = "Cimsh_ValueKinds", property = {Id = "lua-1", Str = "hello"}, key = {"Id"}})
		assert(made.Id == "lua-1" and made.Str == "hello", tostring(made))
		local dup, err = d:new_instance{class_name = "Cimsh_ValueKinds", property = {Id = "lua-1"}, key = {"Id"}}
		assert(dup == nil and err.cim_status == 11, tostring(err)) -- CIM_ERR_ALREADY_EXISTS
		local got = assert(d:get_instance{input_object = cim.new_instance{class_name = "Cimsh_ValueKinds", property = {Id = "lua-1"}, key = {"Id"}, client_only = true}})
		assert(got.Str == "hello")
		assert(d:set_instance{input_object = got, property = {Str = "changed"}})
		assert(d:get_instance{input_object = got}.Str == "changed")
		assert(d:remove_instance(got) == true)
		local gone, gerr = d:get_instance{input_object = got}
		assert(gone == nil and gerr.category == "not_found", tostring(gerr))
	`)
}

// TestDCOMNegotiate: authentication = "negotiate" over DCOM is SPNEGO
// carrying NTLM (the server counts the contexts so established).
func TestDCOMNegotiate(t *testing.T) {
	e, srv := newDCOMEnv(t)
	e.ok(`
		local d = dcom_connect{authentication = "negotiate"}
		local os = assert(d:get_instance("Win32_OperatingSystem"))
		assert(#os == 1 and os[1].Caption ~= nil)
		local x, err = dcom_connect{authentication = "negotiate", password = "wrong"}:get_instance("Win32_Service")
		assert(x == nil and err.category == "access_denied", tostring(err))
		d:close()
	`)
	if n := srv.Authentications()["spnego/ntlm+mic"]; n == 0 {
		t.Fatalf("no SPNEGO context established: %v", srv.Authentications())
	}
}

// TestDCOMSetInstanceSendsChanges: set_instance over DCOM sends the
// properties the script changed (a partial put), not the whole instance.
func TestDCOMSetInstanceSendsChanges(t *testing.T) {
	e, srv := newDCOMEnv(t)
	e.ok(`
		local d = dcom_connect()
		local k = assert(d:get_instance{class_name = "Cimsh_ValueKinds", filter = "Id = 'control'"})[1]
		k.Str = "from lua"
		local out = assert(d:set_instance(k))
		assert(out.Str == "from lua", tostring(out.Str))
		d:close()
	`)
	puts := srv.Puts()
	if len(puts) != 1 || len(puts[0].Partial) != 1 || puts[0].Partial[0] != "Str" {
		t.Fatalf("PutInstance calls: %+v", puts)
	}
}

// TestDCOMKerberos: authentication = "kerberos" over DCOM, and the
// default authentication without a credential (SPNEGO carrying Kerberos
// from the ticket cache, as over WS-Man), against a real MIT KDC; a
// failure names the authentication and the service principal.
func TestDCOMKerberos(t *testing.T) {
	k := kdc.Start(t, "")
	pw := "Svc-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	k.AddUser(t, "host/localhost", pw)
	kt := keytab.New()
	for _, et := range []int32{17, 18} {
		if err := kt.AddEntry("host/localhost", k.Realm, pw, time.Now(), 1, et); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := dcomtest.Start(dcomtest.Options{Keytab: kt, SPN: "host/localhost", Computer: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	t.Setenv("KRB5_CONFIG", k.Krb5Conf)
	t.Setenv("KRB5CCNAME", "FILE:"+k.Kinit(t))
	e, _ := newWSManEnv(t, wsmantest.Options{})
	e.L.SetGlobal("krb_port", lua.LNumber(srv.Port()))
	e.ok(`
		local function session(auth, spn)
			return cim.new_session{computer_name = "localhost", port = krb_port, authentication = auth,
				session_option = cim.new_session_option{protocol = "dcom", spn = spn}}
		end
		local os1 = assert(session("kerberos"):get_instance("Win32_OperatingSystem"))
		assert(#os1 == 1 and os1[1].Caption ~= nil)
		assert(#assert(session(nil):get_instance("Win32_Service")) > 3)
		local x, err = session("kerberos", "host/nowhere"):get_instance("Win32_Service")
		assert(x == nil and err.category == "access_denied", tostring(err))
		assert(tostring(err):find('authentication="kerberos": cannot get a ticket for host/nowhere', 1, true), tostring(err))
	`)
	auths := srv.Authentications()
	if auths["kerberos"] == 0 || auths["spnego/kerberos"] == 0 {
		t.Fatalf("contexts established: %v", auths)
	}
}

// TestDCOMSessionOptions: a DCOM session is lazy; packet privacy is the
// default and packet_privacy = false gives packet integrity (every WMI
// call arrives at that level); impersonation reaches the activation
// (impersonate by default); certificate and basic are refused naming
// the protocol, kerberos is not.
func TestDCOMSessionOptions(t *testing.T) {
	e, srv := newDCOMEnv(t)
	e.ok(`
		d = dcom_connect()
		assert(d.protocol == "DCOM")
	`)
	if n := srv.Accepted(); n != 0 {
		t.Fatalf("new_session connected (%d connections): sessions are lazy", n)
	}
	e.ok(`assert(#assert(d:get_instance("Win32_OperatingSystem")) == 1); d:close()`)
	if lv := srv.Levels(); len(lv) != 1 || lv[6] == 0 {
		t.Fatalf("default session: WMI calls by level %v, want all at packet privacy (6)", lv)
	}
	e.ok(`
		local i = dcom_connect{packet_privacy = false}
		assert(#assert(i:get_instance("Win32_OperatingSystem")) == 1)
		i:close()
		local s2 = cim.new_session{computer_name = host, port = dcom_port, credential = cim.credential("administrator", "Dcom-Pa55"),
			session_option = cim.new_session_option{protocol = "dcom", impersonation = "identify"}}
		assert(#assert(s2:get_instance("Win32_OperatingSystem")) == 1)
		s2:close()
		for _, auth in ipairs{"certificate", "basic", "credssp"} do
			local ok, msg = pcall(dcom_connect, {authentication = auth})
			assert(not ok and msg:find(auth .. " is not available with protocol DCOM", 1, true), msg)
		end
		local ok, msg = pcall(cim.new_session_option, {protocol = "dcom", impersonation = "sideways"})
		assert(not ok and msg:find('unknown impersonation "sideways"', 1, true), msg)
		for _, opt in ipairs{"no_encryption", "max_envelope_size_kb", "skip_ca_check", "http_prefix"} do
			local o = {protocol = "dcom"}
			o[opt] = (opt == "max_envelope_size_kb") and 500 or ((opt == "http_prefix") and "x" or true)
			ok, msg = pcall(cim.new_session_option, o)
			assert(not ok and msg:find(opt .. ' is a WS-Man option; protocol "dcom" does not take it', 1, true), msg)
		end
		ok, msg = pcall(cim.new_session_option, {protocol = "dcom", packet_privacy = false, packet_integrity = false})
		assert(not ok and msg:find("packet integrity at least", 1, true), msg)
		assert(pcall(dcom_connect, {authentication = "kerberos"}))
	`)
	if lv := srv.Levels(); lv[5] == 0 || lv[6] == 0 {
		t.Fatalf("WMI calls by level %v, want some at packet integrity (5) too", lv)
	}
	if imps := srv.Impersonations(); len(imps) != 3 || imps[0] != 3 || imps[1] != 3 || imps[2] != 2 {
		t.Fatalf("impersonation levels activated: %v, want [3 3 2] (impersonate by default, then identify)", imps)
	}
}

// TestDCOMStreamingRelease: an enumeration abandoned with break is
// released on the server when the chunk ends.
func TestDCOMStreamingRelease(t *testing.T) {
	e, srv := newDCOMEnv(t)
	e.ok(`d = dcom_connect(); assert(d:get_class("Win32_Service"))`)
	base := srv.Objects()
	e.L.SetGlobal("server_objects", e.L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LNumber(srv.Objects()))
		return 1
	}))
	e.L.SetGlobal("base", lua.LNumber(base))
	e.ok(`
		for svc in d:instances("Win32_Service", {batch_size = 2}) do break end
		assert(server_objects() == base + 1, "the enumerator lives on the server until the chunk ends")
	`)
	if n := srv.Objects(); n != base {
		t.Fatalf("%d objects on the server after the chunk, want %d", n, base)
	}
}

// TestDCOMInterrupted: Ctrl-C (Module.Interrupt) during a DCOM
// enumeration whose provider is slow ends the loop with "operation
// canceled" within one Next wait, and the enumerator is released.
func TestDCOMInterrupted(t *testing.T) {
	e, srv := newDCOMEnv(t)
	e.ok(`d = dcom_connect(); assert(d:get_class("Win32_Service"))`)
	base := srv.Objects()
	srv.SetInstanceDelay(time.Hour)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			if n, _ := srv.NextTimeouts(); n >= 2 {
				e.m.Interrupt()
				return
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	msg := e.fails(`for svc in d:instances("Win32_Service") do end`)
	if !strings.Contains(msg, "s:instances: operation canceled") {
		t.Fatalf("interrupted loop: %q", msg)
	}
	if _, longest := srv.NextTimeouts(); longest > 500 {
		t.Fatalf("a Next call waited %d ms on the server", longest)
	}
	e.m.waitPending() // an interrupted chunk's iterators are released in the background
	if n := srv.Objects(); n != base {
		t.Fatalf("%d objects on the server after the interrupted chunk, want %d", n, base)
	}
}

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
		local deps = assert(d:get_associated_instance{input_object = svc})
		assert(#deps >= 0)
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

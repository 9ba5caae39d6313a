package luabind

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest"
	lua "github.com/yuin/gopher-lua"
)

// newWSManEnv is a Lua state whose sessions connect for real (no
// provider hook), with a session s to a wsmantest server over HTTP on
// loopback (Basic auth, unencrypted allowed). It skips while package cim
// has no WS-Man client wired in.
func newWSManEnv(t *testing.T, opts wsmantest.Options) (*env, *wsmantest.Server) {
	t.Helper()
	opts.BasicUsers = map[string]string{"administrator": "Basic-Pa55"}
	opts.AllowUnencrypted = true
	srv := wsmantest.NewServer(t, opts)
	L := lua.NewState()
	m := New(L, Options{Getenv: func(string) string { return "" }})
	e := &env{t: t, L: L, m: m}
	t.Cleanup(func() { m.CloseAll(); L.Close() })
	L.SetGlobal("host", lua.LString(srv.Host()))
	L.SetGlobal("port", lua.LNumber(srv.Port()))
	e.ok(`
		function connect(password, h, p)
			return cim.new_session{computer_name = h or host, port = p or port, authentication = "basic",
				credential = cim.credential("administrator", password or "Basic-Pa55"),
				session_option = cim.new_session_option{no_encryption = true}}
		end
		s = connect()
		id, id_err = s:test()`)
	e.ok(`assert(id, id_err)`)
	return e, srv
}

// TestWSManLua runs the Lua API over real HTTP against the project's
// WS-Man test server: Test-WSMan, enumeration, get by key, method
// calls, and operational failures as nil, err.
func TestWSManLua(t *testing.T) {
	for _, d := range []wsmantest.Dialect{wsmantest.Windows, wsmantest.OMI} {
		t.Run(d.String(), func(t *testing.T) {
			e, srv := newWSManEnv(t, wsmantest.Options{Dialect: d})
			e.ok(`
				assert(id.ProtocolVersion == "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd", id.ProtocolVersion)
				assert(id.ProductVendor ~= nil)
				local svcs = assert(s:get_instance("Win32_Service"))
				assert(#svcs > 0)
				local first = svcs[1]
				assert(first.PSComputerName == host, first.PSComputerName)
				local again = assert(s:get_instance{input_object = first})
				assert(again.Name == first.Name)
				local disks = assert(s:get_instance{class_name = "Win32_LogicalDisk", filter = "DeviceID = 'C:'"})
				assert(#disks == 1 and disks[1].Size ~= nil, #disks)
				assert(tostring(disks[1].Size):match("^%d+$"), tostring(disks[1].Size))
				local bad, err = s:get_instance("Win32_NoSuchClass")
				assert(bad == nil and err.category == "invalid_class", tostring(err))
				assert(err.computer_name == host)
			`)
			if n := srv.Counters().Enumerations; n != 0 {
				t.Errorf("%d enumeration contexts left open on the server", n)
			}
		})
	}
}

// TestWSManStreamingRelease checks that an enumeration abandoned with
// break is released on the server when the chunk ends.
func TestWSManStreamingRelease(t *testing.T) {
	e, srv := newWSManEnv(t, wsmantest.Options{MaxBatch: 2})
	e.L.SetGlobal("server_enums", e.L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LNumber(srv.Counters().Enumerations))
		return 1
	}))
	e.ok(`
		local n = 0
		-- One a page: the pages pulled ahead do not reach the end.
		for p in s:instances("Win32_Service", {batch_size = 1}) do
			n = n + 1
			if n == 1 then break end
		end
		assert(server_enums() == 1, "open on the server until the chunk ends")
	`)
	deadline := time.Now().Add(5 * time.Second)
	for srv.Counters().Enumerations != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := srv.Counters().Enumerations; n != 0 {
		t.Fatalf("%d enumeration contexts open after the chunk ended", n)
	}
}

// TestWSManFailures checks wrong credentials, an unreachable port and
// fan-out over real servers.
func TestWSManFailures(t *testing.T) {
	e, _ := newWSManEnv(t, wsmantest.Options{})
	srv2 := wsmantest.NewServer(t, wsmantest.Options{BasicUsers: map[string]string{"administrator": "Basic-Pa55"}, AllowUnencrypted: true, ComputerName: "SRV2"})
	e.L.SetGlobal("port2", lua.LNumber(srv2.Port()))
	e.ok(`
		local wrong = connect("wrong-password")
		local r, err = wrong:get_instance("Win32_Service")
		assert(r == nil and err.category == "access_denied" and err.http_status == 401, tostring(err))
		assert(not tostring(err):find("wrong%-password"), "the password must not appear in errors")
		local dead = cim.new_session{computer_name = "127.0.0.1", port = 1, authentication = "basic",
			credential = cim.credential("a", "b"), session_option = cim.new_session_option{no_encryption = true},
			operation_timeout_sec = 5}
		local list, errs = cim.get_instance{cim_session = {s, connect(nil, host, port2), dead}, class_name = "Win32_Service"}
		assert(#errs == 1 and errs[1].category == "unreachable", tostring(errs[1]))
		local hosts = {}
		for _, i in ipairs(list) do hosts[i.PSComputerName] = true end
		assert(hosts[host], "results carry PSComputerName")
	`)
}

// TestWSManCancel interrupts an operation the server holds: the chunk
// returns while the request is still held (no waiting it out), and the
// session stays usable. Events, not timers: the interrupt is sent once
// the request is on the server.
func TestWSManCancel(t *testing.T) {
	h := newHolder()
	e, _ := newWSManEnv(t, wsmantest.Options{Auth: h.wrap})
	h.arm() // after newWSManEnv's own requests
	cancel := e.m.BeginChunk(context.Background())
	defer cancel()
	go func() {
		select {
		case <-h.arrived:
			e.m.Interrupt()
		case <-time.After(30 * time.Second):
		}
	}()
	err := e.L.DoString(`r, err = s:get_instance("Win32_Service")`)
	e.m.EndChunk()
	if h.letGoByTimer() {
		t.Error("the interrupted operation waited until the server let its request go")
	}
	close(h.release)
	if err == nil {
		t.Error("an interrupted chunk should end with an error")
	}
	if !e.m.Interrupted() {
		t.Error("Interrupted() is false")
	}
	// The session is still usable with a fresh context.
	e.ok(`local l = assert(s:get_instance("Win32_Service")); assert(#l > 0)`)
}

// TestWSManFanOutParallel checks that a list of sessions runs in
// parallel up to throttle_limit, over real HTTP to eight servers: the
// servers hold each request until throttle_limit of them have arrived
// (so the run finishes only if that many are in flight at once), and
// count how many ever waited together (never more than the limit). No
// timing: a loaded machine cannot fail it.
func TestWSManFanOutParallel(t *testing.T) {
	e, _ := newWSManEnv(t, wsmantest.Options{})
	g := &gate{}
	ports := e.L.NewTable()
	for i := 0; i < 8; i++ {
		srv := wsmantest.NewServer(t, wsmantest.Options{AllowUnencrypted: true, Auth: g.wrap})
		ports.Append(lua.LNumber(srv.Port()))
	}
	e.L.SetGlobal("ports", ports)
	e.ok(`
		fleet = {}
		for i, p in ipairs(ports) do fleet[i] = connect(nil, host, p) end
		function run(limit)
			local list, errs = cim.test_wsman{cim_session = fleet, throttle_limit = limit}
			assert(#list == 8 and #errs == 0, #errs > 0 and tostring(errs[1]))
		end`)
	for _, limit := range []int{8, 4, 1} {
		g.reset(limit)
		e.ok(fmt.Sprintf("run(%d)", limit))
		if most, timedOut := g.result(); timedOut || most != limit {
			t.Errorf("throttle_limit=%d: at most %d requests were in flight together (gave up waiting: %v)", limit, most, timedOut)
		}
	}
}

// gate holds requests until size of them wait together, then lets them
// all through; after 30 s it gives up holding (and says so).
type gate struct {
	mu       sync.Mutex
	size     int
	waiting  int
	most     int
	open     chan struct{}
	timedOut bool
}

func (g *gate) reset(size int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.size, g.waiting, g.most, g.timedOut, g.open = size, 0, 0, false, make(chan struct{})
}

func (g *gate) result() (int, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.most, g.timedOut
}

func (g *gate) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		g.waiting++
		g.most = max(g.most, g.waiting)
		open := g.open
		if g.waiting == g.size {
			g.waiting = 0
			close(g.open)
			g.open = make(chan struct{})
		}
		g.mu.Unlock()
		select {
		case <-open:
		case <-time.After(30 * time.Second):
			g.mu.Lock()
			g.timedOut = true
			if g.open == open {
				g.waiting-- // it waits no longer
			}
			g.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

// TestWSManInterruptReleases interrupts a streaming loop between Pulls:
// the chunk stops and the server's enumeration context is released.
func TestWSManInterruptReleases(t *testing.T) {
	e, srv := newWSManEnv(t, wsmantest.Options{MaxBatch: 1, Latency: 100 * time.Millisecond})
	cancel := e.m.BeginChunk(context.Background())
	defer cancel()
	go func() {
		// Interrupt once the loop is under way: a Pull on the server
		// (and so an enumeration context to release).
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if n := countOps(srv, "Pull"); n > 0 {
				break
			}
		}
		e.m.Interrupt()
	}()
	err := e.L.DoString(`for svc in s:instances("Win32_Service", {batch_size = 1}) do end`)
	e.m.EndChunk()
	if err == nil {
		t.Fatal("the interrupted loop ended without an error")
	}
	deadline := time.Now().Add(5 * time.Second)
	for srv.Counters().Enumerations != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := srv.Counters().Enumerations; n != 0 {
		t.Fatalf("%d enumeration contexts open on the server after the interrupt", n)
	}
	if n := e.m.OpenEnumerations(); n != 0 {
		t.Fatalf("%d enumerations open in the session", n)
	}
	if n := countOps(srv, "Release"); n != 1 {
		t.Fatalf("%d Releases sent after the interrupt, want 1 (%v)", n, srv.Operations())
	}
}

// countOps counts the requests of operation op in srv's log.
func countOps(srv *wsmantest.Server, op string) int {
	n := 0
	for _, o := range srv.Operations() {
		if o == op {
			n++
		}
	}
	return n
}

// TestWSManMethods checks Invoke-CimMethod over real HTTP: out
// parameters and ReturnValue come back as fields, instance methods and
// refresh, associations, and the instance's class and path.
func TestWSManMethods(t *testing.T) {
	e, _ := newWSManEnv(t, wsmantest.Options{})
	e.ok(`
		local out = assert(s:invoke_method{class_name = "Win32_Process", method_name = "Create", arguments = {CommandLine = "notepad.exe"}})
		assert(out.ReturnValue == 0, tostring(out.ReturnValue))
		assert(type(out.ProcessId) == "number" and out.ProcessId > 0, tostring(out.ProcessId))
		local svc = assert(s:get_instance{class_name = "Win32_Service", filter = "Name = 'WinRM'"})[1]
		assert(svc.__CLASS == "Win32_Service" and svc.__NAMESPACE == "root/cimv2", svc.__NAMESPACE)
		assert(svc.__PATH:find('Win32_Service.Name="WinRM"', 1, true), svc.__PATH)
		assert(tostring(svc) == 'Win32_Service (Name = "WinRM")', tostring(svc))
		assert(assert(svc:invoke("StopService")).ReturnValue == 0)
		assert(svc:refresh().State == "Stopped", svc.State)
		assert(svc:get_class().name == "Win32_Service")
		local assoc = assert(s:get_associated_instance{input_object = svc})
		assert(#assoc > 0)
		-- a fault's fields, as the server sent them
		local none, err = s:get_instance("Win32_NoSuchClass")
		assert(none == nil and err.category == "invalid_class" and err.http_status == 500, tostring(err))
		assert(err.cim_status == 5 and err.cim_status_name == "CIM_ERR_INVALID_CLASS", tostring(err.cim_status))
		assert(err.wsman_code ~= nil and err.subcode ~= nil and err.message ~= nil and err.computer_name == host)
		assert(tostring(err):find("^s:get_instance: " .. host:gsub("%.", "%%.") .. ": .*%[HTTP 500, .*CIM 5 CIM_ERR_INVALID_CLASS"), tostring(err))
	`)
}

// TestWSManNewInstance checks New-, Set- and Remove-CimInstance over
// real HTTP: s:new_instance and cim.new_instance{cim_session=} create on
// the server, a duplicate is nil, err, and the instance can be changed
// and removed.
func TestWSManNewInstance(t *testing.T) {
	e, _ := newWSManEnv(t, wsmantest.Options{})
	e.ok(`
		local made = assert(s:new_instance{class_name = "Cimsh_ValueKinds", property = {Id = "lua-1", Str = "hello"}, key = {"Id"}})
		assert(made.Id == "lua-1" and made.Str == "hello", tostring(made))
		local again = assert(cim.new_instance{cim_session = s, class_name = "Cimsh_ValueKinds", property = {Id = "lua-2"}, key = {"Id"}})
		assert(again.Id == "lua-2")
		local dup, err = s:new_instance{class_name = "Cimsh_ValueKinds", property = {Id = "lua-1"}, key = {"Id"}}
		assert(dup == nil and err.cim_status == 11, tostring(err)) -- CIM_ERR_ALREADY_EXISTS
		local got = assert(s:get_instance{input_object = cim.new_instance{class_name = "Cimsh_ValueKinds", property = {Id = "lua-1"}, key = {"Id"}, client_only = true}})
		assert(got.Str == "hello")
		assert(s:set_instance{input_object = got, property = {Str = "changed"}})
		assert(s:get_instance{input_object = got}.Str == "changed")
		assert(s:remove_instance(got) == true)
		local gone, gerr = s:get_instance{input_object = got}
		assert(gone == nil and gerr.category == "not_found", tostring(gerr))
	`)
}

// TestWSManIndications registers for process creation over real HTTP:
// Win32_Process.Create through the same session raises the event the
// action sees, and sub:close unsubscribes on the server.
func TestWSManIndications(t *testing.T) {
	e, srv := newWSManEnv(t, wsmantest.Options{})
	e.ok(`
		pids = {}
		sub = assert(s:register_indication_event{
			query = "SELECT * FROM __InstanceCreationEvent WITHIN 0.05 WHERE TargetInstance ISA 'Win32_Process'",
			action = function(ev) pids[#pids + 1] = ev.TargetInstance.ProcessId; return false end})
		local out = assert(s:invoke_method{class_name = "Win32_Process", method_name = "Create", arguments = {CommandLine = "notepad.exe"}})
		assert(sub:wait(10) == 1, "no event")
		assert(pids[1] == out.ProcessId, tostring(pids[1]) .. " ~= " .. tostring(out.ProcessId))
		sub:close()
	`)
	if got := srv.Subscriptions(); len(got) != 0 {
		t.Errorf("the server still holds %v", got)
	}
}

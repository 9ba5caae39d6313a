package luabind

import (
	"context"
	"io"
	"os/exec"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest"
	lua "github.com/yuin/gopher-lua"
)

// s:run and s:powershell over real HTTP: the result table, a non-zero
// exit code as a result, arguments, stdin, environment, working
// directory, PowerShell's decoded error stream.
func TestRunLua(t *testing.T) {
	var got atomic.Pointer[wsmantest.Process]
	e, srv := newWSManEnv(t, wsmantest.Options{RunCommand: func(ctx context.Context, p *wsmantest.Process) int {
		if p.Command == "show" {
			got.Store(p)
			io.WriteString(p.Stdout, "shown")
			return 0
		}
		return wsmantest.EmulateWindows(ctx, p)
	}})
	e.ok(`
		local r = assert(s:run("echo hello & echo oops 1>&2 & exit /b 3"))
		assert(r.stdout == "hello\r\n" and r.stderr == "oops\r\n" and r.exit_code == 3, r.stdout .. r.stderr .. tostring(r.exit_code))
		assert(r.PSComputerName == nil)
		r = assert(s:run("more", {stdin = "typed\r\n"}))
		assert(r.stdout == "typed\r\n" and r.exit_code == 0)
		r = assert(s:run{command = "show", arguments = {"a b", "c"}, working_directory = [[C:\temp]], environment = {GREETING = "hi", N = 5}})
		assert(r.stdout == "shown")
		r = assert(s:powershell("Write-Output 'ps'; Write-Error 'bad thing'; exit 7"))
		assert(r.stdout == "ps\r\n" and r.exit_code == 7, r.stdout)
		assert(r.stderr:find("^bad thing\r\n    %+ CategoryInfo"), r.stderr)
	`)
	p := got.Load()
	if strings.Join(p.Arguments, "|") != `^"a b^"|c` || p.WorkingDirectory != `C:\temp` || p.Environment["GREETING"] != "hi" || p.Environment["N"] != "5" {
		t.Fatalf("process %+v", p)
	}
	if srv.OpenShells() != 0 || srv.ShellsCreated() != 4 {
		t.Fatalf("open %d created %d", srv.OpenShells(), srv.ShellsCreated())
	}
}

// on_output runs in the Lua state (it may use it freely), once per
// stream per Receive reply with data.
func TestRunOnOutput(t *testing.T) {
	e, _ := newWSManEnv(t, wsmantest.Options{RunCommand: func(ctx context.Context, p *wsmantest.Process) int {
		for _, s := range []string{"one\r\n", "two\r\n", "three\r\n"} {
			io.WriteString(p.Stdout, s)
			p.Flush()
		}
		io.WriteString(p.Stderr, "warn\r\n")
		return 1
	}})
	e.ok(`
		local seen = {}
		local r = assert(s:run("x", {on_output = function(stream, text, computer)
			seen[#seen + 1] = stream .. ":" .. text
			assert(computer == host)
			local ok = cim.to_json({text})  -- the Lua state is usable here
		end}))
		assert(table.concat(seen, "|") == "stdout:one\r\n|stdout:two\r\n|stdout:three\r\n|stderr:warn\r\n", table.concat(seen, "|"))
		assert(r.stdout == "one\r\ntwo\r\nthree\r\n" and r.exit_code == 1)
	`)
}

// A callback that raises stops the command (Signal, Delete) and the
// error goes up.
func TestRunOnOutputRaises(t *testing.T) {
	e, srv := newWSManEnv(t, wsmantest.Options{RunCommand: func(ctx context.Context, p *wsmantest.Process) int {
		io.WriteString(p.Stdout, "first\r\n")
		p.Flush()
		<-ctx.Done()
		return 1
	}})
	msg := e.fails(`s:run("x", {on_output = function() error("stop here") end})`)
	if !strings.Contains(msg, "stop here") {
		t.Fatalf("error %q", msg)
	}
	e.m.waitPending()
	// Signal, then Delete. A Receive the library sent before the run was
	// cancelled came on a connection of its own and may reach the
	// server's log after the Delete; none is sent after it (the run
	// waits for the library's Receive loop to end before the Signal).
	ops := srv.Operations()
	del := slices.Index(ops, "Delete")
	sig := slices.Index(ops, "Signal")
	late := ops[del+1:]
	if srv.OpenShells() != 0 || del < 0 || sig < 0 || sig > del || slices.ContainsFunc(late, func(op string) bool { return op != "Receive" }) {
		t.Fatalf("open %d; %v", srv.OpenShells(), ops)
	}
}

// The module forms fan out: results stamped with PSComputerName, and the
// hosts that failed in the error list.
func TestRunFanOut(t *testing.T) {
	e, _ := newWSManEnv(t, wsmantest.Options{})
	srv2 := wsmantest.NewServer(t, wsmantest.Options{BasicUsers: map[string]string{"administrator": "Basic-Pa55"}, AllowUnencrypted: true, ComputerName: "SRV2"})
	e.L.SetGlobal("port2", lua.LNumber(srv2.Port()))
	e.ok(`
		local other = connect(nil, "localhost", port2)
		local list, errs = cim.run{cim_session = {s, other, connect("wrong")}, command = "hostname", on_output = function(_, text, computer)
			outputs = (outputs or 0) + 1
		end}
		assert(#list == 2 and #errs == 1 and errs[1].category == "access_denied", #list .. " " .. #errs)
		local by = {}
		for _, r in ipairs(list) do by[r.PSComputerName] = r.stdout end
		assert(by[host] == "WSMANTEST\r\n" and by["localhost"] == "SRV2\r\n", tostring(by[host]))
		assert(outputs == 2)
		list, errs = cim.powershell{cim_session = {s, other}, script = "Write-Output 'x'"}
		assert(#list == 2 and #errs == 0 and list[1].stdout == "x\r\n")
	`)
}

// Ctrl-C while the server holds a Receive: the chunk ends at once, and
// the server sees Signal and Delete without the Receive being waited out.
func TestRunInterrupt(t *testing.T) {
	receives := make(chan struct{}, 16)
	e, srv := newWSManEnv(t, wsmantest.Options{
		Logf: func(_ string, args ...any) {
			if args[0] == "Receive" {
				receives <- struct{}{}
			}
		},
		RunCommand: func(ctx context.Context, p *wsmantest.Process) int {
			<-ctx.Done()
			return 1
		}})
	cancel := e.m.BeginChunk(context.Background())
	defer cancel()
	var t0 time.Time
	go func() {
		<-receives
		t0 = time.Now()
		e.m.Interrupt()
	}()
	err := e.L.DoString(`r, err = s:run("ping -t 127.0.0.1")`)
	returned := time.Since(t0)
	e.m.EndChunk()
	if err == nil {
		t.Fatal("the interrupted chunk ended without an error")
	}
	e.m.waitPending()
	var sig, del time.Time
	for _, l := range srv.Requests() {
		switch l.Operation {
		case "Signal":
			sig = l.Time
		case "Delete":
			del = l.Time
		}
	}
	// The server would hold the Receive for its whole OperationTimeout
	// (60 s): Signal and Delete well within that show the interrupt did
	// not wait it out. The bound is loose so that a loaded machine cannot
	// fail it; the log gives the real figures (about a millisecond).
	if sig.IsZero() || del.IsZero() || sig.Sub(t0) > 15*time.Second || del.Sub(t0) > 15*time.Second {
		t.Fatalf("Signal %v, Delete %v after the interrupt; server saw %v", sig.Sub(t0), del.Sub(t0), srv.Operations())
	}
	if srv.OpenShells() != 0 {
		t.Fatal("shell left open")
	}
	t.Logf("interrupt to: chunk end %v, Signal %v, Delete %v", returned, sig.Sub(t0), del.Sub(t0))
}

// Mistakes raise naming the argument; failures are nil, err.
func TestRunErrors(t *testing.T) {
	e, srv := newWSManEnv(t, wsmantest.Options{})
	for code, want := range map[string]string{
		`s:run()`:                                "s:run: the command is required",
		`s:run(42)`:                              "s:run: the command must be a string",
		`s:run("x", {arguments = 5})`:            "arguments",
		`s:run("x", {time_limit_sec = -1})`:      "time_limit_sec must be positive",
		`s:run("x", {environment = {A = {}}})`:   "environment: A must be a string",
		`s:run("x", {on_output = "no"})`:         "on_output",
		`s:powershell("x", {arguments = {"a"}})`: "arguments",
		`s:run("x", {command = "y"})`:            "give the command once",
		`cim.run{cim_session = s}`:               "cim.run: the command is required",
		`s:run("x", {codepage = 1.5})`:           "codepage",
	} {
		if msg := e.fails(code); !strings.Contains(msg, want) {
			t.Errorf("%s: %q lacks %q", code, msg, want)
		}
	}
	e.ok(`
		local r, err = connect("wrong-password"):run("echo hi")
		assert(r == nil and err.category == "access_denied" and err.http_status == 401, tostring(err))
		assert(not tostring(err):find("wrong%-password"))
		r, err = s:run("x", {codepage = 12345})
		assert(r == nil and err.category == "invalid_parameter" and tostring(err):find("codepage 12345 is not supported"), tostring(err))
		r, err = s:run("ping -t 127.0.0.1", {time_limit_sec = 0.2})
		assert(r == nil and err.category == "timeout" and tostring(err):find("time limit"), tostring(err))
	`)
	if srv.OpenShells() != 0 {
		t.Fatal("shell left open")
	}
}

// A local session runs commands here, with the same result table.
func TestRunLocal(t *testing.T) {
	e := newEnv(t)
	e.m.opts.NewProvider = nil
	e.ok(`
		local l = cim.new_session()
		local r = assert(l:run("echo hi; echo err >&2; exit 4"))
		assert(r.stdout == "hi\n" and r.stderr == "err\n" and r.exit_code == 4)
		r = assert(l:run("printf '%s|' ", {arguments = {"a b", "it's"}}))
		assert(r.stdout == "a b|it's|", r.stdout)
		r = assert(cim.run{command = "cat", stdin = "in"})
		assert(r.stdout == "in")
	`)
	if _, err := exec.LookPath("pwsh"); err != nil {
		e.ok(`
			local r, err = cim.new_session():powershell("Get-Date")
			assert(r == nil and err.category == "not_supported" and tostring(err):find("pwsh"), tostring(err))
		`)
	} else {
		e.ok(`local r = assert(cim.new_session():powershell("Write-Output 'x'")); assert(r.stdout:find("x"))`)
	}
	// a provider that cannot run commands
	e2 := newEnv(t)
	e2.ok(`
		local r, err = cim.new_session{computer_name = "srv1"}:run("x")
		assert(r == nil and err.category == "not_supported", tostring(err))
	`)
}

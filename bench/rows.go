package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// row is one line of the table.
type row struct {
	key   string // for -rows
	name  string
	ref   string // the key of the row this one is compared with
	note  string
	skip  string // why the row cannot run here
	limit int    // rounds it runs (0: all)
	cmd   func(e *env) *exec.Cmd
	check func(stdout []byte, s *sample) error
	// instances the row enumerates (for per-instance figures).
	instances int

	samples []sample
	instr   *instrResult // -valgrind
}

// luaSession is the Lua that opens a session to a harness server; host
// is a Lua expression.
func (e *env) luaSession(host string, port string) string {
	return fmt.Sprintf(`cim.new_session{computer_name = %s, port = %s, authentication = "basic", credential = cim.credential(%q), session_option = cim.new_session_option{no_encryption = true, max_envelope_size_kb = %d}}`,
		host, port, benchUser, envelopeKB)
}

func (e *env) mainPort() string {
	u := e.main.URL()
	u = strings.TrimSuffix(u[strings.LastIndexByte(u, ':')+1:], "/wsman")
	return u
}

// script writes a Lua file and returns a command running it with cimsh.
func (e *env) script(name, code string) func(*env) *exec.Cmd {
	return func(e *env) *exec.Cmd {
		path := filepath.Join(e.dir, name+".lua")
		if _, err := os.Stat(path); err != nil {
			if err := os.WriteFile(path, []byte(code), 0o600); err != nil {
				panic(err)
			}
		}
		return exec.Command(e.cimsh, path)
	}
}

// hostsFile writes the first n fan-out endpoints, one a line.
func (e *env) hostsFile(n int) string {
	path := filepath.Join(e.dir, fmt.Sprintf("hosts%d.txt", n))
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "http://%s:%d/wsman\n", fanoutAddr(i), e.fanPort)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		panic(err)
	}
	return path
}

func (e *env) rows() []*row {
	cfg := e.cfg
	n := fmt.Sprint(cfg.n)
	sess := e.luaSession(`"127.0.0.1"`, "PORT")
	lua := func(s string) string { return strings.ReplaceAll(s, "PORT", e.mainPort()) }
	rows := []*row{
		{key: "floor", instances: cfg.n, name: fmt.Sprintf("transport floor: Go, keep-alive, reads %s instances' pages, parses nothing", n),
			cmd: func(e *env) *exec.Cmd {
				return exec.Command(e.self, "floor", "-url", e.main.URL(), "-ns", nsMain, "-class", "Win32_Process")
			}, check: floorCheck},
		{key: "decode", name: "cimsh decode alone (cim/wsman enumerator over the replies replayed from memory)", ref: "floor",
			cmd: func(e *env) *exec.Cmd {
				return exec.Command(e.self, "decode", "-pages", e.pages, "-ns", nsMain)
			}, check: decodeCheck(cfg.n)},
		{key: "iterator", instances: cfg.n, name: "cimsh: `for inst in s:instances(\"Win32_Process\") do local _ = inst.Name end`", ref: "floor",
			cmd: e.script("iterator", lua(`local s = `+sess+`
local n = 0
for inst in s:instances("Win32_Process") do local _ = inst.Name; n = n + 1 end
print(n)
`)), check: wantLine(n)},
		{key: "get", instances: cfg.n, name: "cimsh: `s:get_instance(\"Win32_Process\")`, all kept", ref: "floor",
			cmd: e.script("get", lua(`local s = `+sess+`
local list = assert(s:get_instance("Win32_Process"))
print(#list)
`)), check: wantLine(n)},
		{key: "pywinrm", name: "pywinrm 0.3 (Protocol.send_message) + ElementTree, reading Name", ref: "floor",
			cmd: func(e *env) *exec.Cmd {
				return exec.Command(cfg.python, "-c", pywinrmScript, e.main.URL(), nsMain, "Win32_Process", n)
			}, check: wantLine(n)},
		{key: "big", name: fmt.Sprintf("cimsh iterator over %d instances (flat memory)", cfg.big), limit: cfg.bigRounds,
			cmd: e.script("big", lua(`local s = `+sess+`
local n = 0
for inst in s:instances("Win32_Process", {namespace = "`+nsBig+`"}) do local _ = inst.Name; n = n + 1 end
print(n)
`)), check: wantLine(fmt.Sprint(cfg.big))},
		{key: "smallfloor", name: "floor: 200 small queries (Win32_OperatingSystem), one process",
			cmd: func(e *env) *exec.Cmd {
				return exec.Command(e.self, "floor", "-url", e.main.URL(), "-ns", nsMain, "-class", "Win32_OperatingSystem", "-times", "200")
			}, check: floorCheck},
		{key: "small", name: "cimsh: 200 × `s:get_instance(\"Win32_OperatingSystem\")`, one process", ref: "smallfloor",
			cmd: e.script("small", lua(`local s = `+sess+`
for i = 1, 200 do assert(#assert(s:get_instance("Win32_OperatingSystem")) == 1) end
print(200)
`)), check: wantLine("200")},
		{key: "start", name: "start-up: `cimsh -e 'print(1)'`",
			cmd: func(e *env) *exec.Cmd { return exec.Command(e.cimsh, "-e", "print(1)") }, check: wantLine("1")},
		{key: "startlocal", name: "one local query in a fresh process (Win32_OperatingSystem)", ref: "start",
			cmd: func(e *env) *exec.Cmd {
				return exec.Command(e.cimsh, "-e", `print(#assert(cim.new_session():get_instance("Win32_OperatingSystem")))`)
			}, check: wantLine("1")},
		{key: "startremote", name: "one remote query in a fresh process (Win32_OperatingSystem)", ref: "start",
			cmd: func(e *env) *exec.Cmd {
				return exec.Command(e.cimsh, "-e", lua(`local s = `+sess+` print(#assert(s:get_instance("Win32_OperatingSystem")))`))
			}, check: wantLine("1")},
	}
	if cfg.python == "" {
		rows[4].skip = "no -python"
	} else if err := exec.Command(cfg.python, "-c", "import winrm").Run(); err != nil {
		rows[4].skip = cfg.python + " cannot import winrm (apt-get install python3-winrm)"
	}
	for _, f := range []struct{ hosts, conc int }{{200, 50}, {1000, 100}} {
		key := fmt.Sprintf("fanout%d", f.hosts)
		hosts, conc := f.hosts, f.conc
		floor := &row{key: key + "floor", name: fmt.Sprintf("floor: %d hosts × %v, %d in flight", hosts, fanoutLatency, conc),
			cmd: func(e *env) *exec.Cmd {
				return exec.Command(e.self, "floor", "-hosts", e.hostsFile(hosts), "-conc", fmt.Sprint(conc), "-ns", nsMain, "-class", "Win32_OperatingSystem")
			}, check: floorCheck}
		cims := &row{key: key, name: fmt.Sprintf("cimsh: `cim.get_instance{cim_session = %d sessions, throttle_limit = %d}`", hosts, conc), ref: key + "floor",
			cmd: func(e *env) *exec.Cmd {
				return e.script(key, fmt.Sprintf(`local ss = {}
for i = 0, %d do
  ss[#ss + 1] = %s
end
local list, errs = cim.get_instance{cim_session = ss, class_name = "Win32_OperatingSystem", throttle_limit = %d}
assert(#errs == 0, tostring(errs[1]))
print(#list)
`, hosts-1, e.luaSession(`string.format("127.1.%d.%d", math.floor(i / 250), i % 250 + 1)`, fmt.Sprint(e.fanPort)), conc))(e)
			}, check: wantLine(fmt.Sprint(hosts))}
		if !cfg.fanout {
			floor.skip, cims.skip = "no fan-out hosts", "no fan-out hosts"
		}
		rows = append(rows, floor, cims)
	}
	return rows
}

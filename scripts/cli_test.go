package scripts_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/scripts"
)

// exitTable is the exit status every bundled script's --help ends with,
// and the README's table says the same.
var exitTable = regexp.MustCompile(`(?m)^exit status:
  0    success
  1    .+
  2    bad usage, or the host could not be queried \(cannot connect or authenticate, the query failed\)
  130  interrupted$`)

func TestEveryScriptListsExitCodes(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{
		"| 0 | success |",
		"| 1 | the script's check failed: `disk_space` found a disk at or over `--threshold`, `fleet_inventory` a host that failed, `stopped_services --fail` a stopped service, `restart_service` a restart that failed |",
		"| 2 | bad usage, or the host could not be queried (cannot connect or authenticate, the query failed) |",
		"| 130 | interrupted (Ctrl-C, SIGTERM) |",
	} {
		if !bytes.Contains(readme, []byte(row)) {
			t.Errorf("README.md lacks the exit-code row %q", row)
		}
	}
	checks := map[string]string{"disk_space": "--threshold", "fleet_inventory": "a host failed", "stopped_services": "--fail",
		"restart_service": "the restart failed"}
	for _, s := range scripts.List(scripts.FS) {
		_, out, _ := run(t, nil, script(s.Name, "--help")...)
		m := exitTable.FindString(out)
		if m == "" || !strings.HasSuffix(strings.TrimRight(out, "\n"), m) {
			t.Errorf("%s --help does not end with the exit status table:\n%s", s.Name, out)
			continue
		}
		if want, ok := checks[s.Name]; ok && !strings.Contains(m, want) {
			t.Errorf("%s --help: exit 1 does not name its check (%s):\n%s", s.Name, want, m)
		}
	}
}

// lua-isms are the Lua layer's words that a script's user, who typed
// flags, should never read.
var luaisms = regexp.MustCompile(`\bs:[a-z_]+:|cimsh\.cli|cim\.new_session|cim\.credential|\.lua:\d|computer_name|no_encryption|use_ssl|second argument|credential=|transport:|stack traceback`)

// Mistakes in setting up the connection exit 2 with a message in the
// scripts' own terms (flags), not a Lua error from an internal chunk.
func TestSetupErrorsSpeakInFlags(t *testing.T) {
	srv, _, _ := remote(t, wsmantest.Options{})
	port := strconv.Itoa(srv.Port())
	closed := closedPort(t)
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(501)
		io.WriteString(w, "<!DOCTYPE HTML>\n<html><head><title>Error response</title></head><body><h1>Unsupported method ('POST')</h1></body></html>\n")
	}))
	defer web.Close()
	webPort := strconv.Itoa(web.Listener.Addr().(*net.TCPAddr).Port)
	pw := map[string]string{"CIMSH_PASSWORD": password}
	noTicket := map[string]string{"KRB5CCNAME": "FILE:" + filepath.Join(t.TempDir(), "no-cache")}
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{pw, []string{"--auth", "bogus", "--user", "admin"}, `os_summary: --auth: unknown method "bogus" (want default, negotiate, ntlm, kerberos, basic or certificate)`},
		{pw, []string{"--auth", "basic"}, "os_summary: --auth basic needs --user"},
		{pw, []string{"--auth", "ntlm"}, "os_summary: --auth ntlm needs --user"},
		{pw, []string{"--auth", "basic", "--user", "admin"}, "os_summary: --auth basic over plain HTTP sends the password in clear; add --ssl, or --no-encryption if the server allows unencrypted traffic"},
		{pw, []string{"--auth", "certificate"}, "os_summary: --auth certificate needs --ssl"},
		{pw, []string{"--auth", "certificate", "--ssl"}, "os_summary: --auth certificate needs a certificate and key file, which only the Lua API takes"},
		{pw, []string{"--auth", "credssp", "--user", "admin"}, "os_summary: --auth credssp is not supported"},
		{pw, []string{"--port", "99999", "--user", "admin"}, "os_summary: --port 99999 is out of range"},
		{pw, []string{"--insecure", "--user", "admin"}, "os_summary: --insecure skips HTTPS certificate checks: give it with --ssl (or an https:// --computer)"},
		{pw, []string{"--port", "5985", "--user", "admin", "--computer", "127.0.0.1:" + port}, `os_summary: --computer "127.0.0.1:` + port + `" gives port ` + port + `, but --port is 5985`},
		{pw, []string{"--ssl", "--user", "admin", "--computer", "http://127.0.0.1:" + port + "/wsman"}, `os_summary: --computer "http://127.0.0.1:` + port + `/wsman" is an http:// URL, but --ssl is given`},
		{nil, []string{"--user", "admin", "--auth", "basic", "--no-encryption"}, "os_summary: no password for admin"},
		{noTicket, nil, "os_summary: 127.0.0.1: no credential given and no Kerberos ticket (no credential cache "},
		{pw, []string{"--computer", "127.0.0.1:" + closed, "--user", "admin", "--auth", "basic", "--no-encryption"}, "connection refused"},
		{map[string]string{"CIMSH_PASSWORD": "wrong"}, []string{"--user", "admin", "--auth", "basic", "--no-encryption"}, "os_summary: 127.0.0.1: credentials rejected"},
		{pw, []string{"--computer", "127.0.0.1:" + webPort, "--user", "admin", "--auth", "basic", "--no-encryption"},
			"os_summary: 127.0.0.1: not a WS-Management endpoint (HTTP 501 from http://127.0.0.1:" + webPort + "/wsman)"},
	} {
		// A --computer in tc.args comes later and wins.
		args := append([]string{"--computer", srv.Host() + ":" + port}, tc.args...)
		code, out, errOut := run(t, tc.env, script("os_summary", args...)...)
		if code != 2 || out != "" || !strings.Contains(errOut, tc.want) || luaisms.MatchString(errOut) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q\nstderr %q\nwant exit 2 and %q", tc.args, code, out, errOut, tc.want)
		}
		if strings.Contains(errOut, "<") || strings.Contains(errOut, password) {
			t.Errorf("%v: stderr shows a page or the password: %q", tc.args, errOut)
		}
	}
	// fleet_inventory reports a host's failure in its CSV, in flags too.
	code, out, errOut := run(t, noTicket, script("fleet_inventory", "--computer", srv.Host()+":"+port)...)
	if code != 1 || !strings.Contains(out, "127.0.0.1,error: no credential given and no Kerberos ticket") ||
		!strings.Contains(out, "give --user (and a password) or run kinit") || luaisms.MatchString(out+errOut) {
		t.Errorf("fleet_inventory without a ticket: exit %d\n%s%s", code, out, errOut)
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	return port
}

// --computer takes HOST:PORT and the URL New-CimSession users paste (before:
// "lookup 127.0.0.1:15985: no such host").
func TestComputerWithPortOrURL(t *testing.T) {
	srv, _, env := remote(t, wsmantest.Options{})
	for _, computer := range []string{srv.Host() + ":" + strconv.Itoa(srv.Port()), srv.URL()} {
		code, out, errOut := run(t, env, script("os_summary", "--computer", computer, "--user", "admin", "--auth", "basic", "--no-encryption")...)
		if code != 0 || !strings.Contains(out, "Computer     : WSMANTEST\n") {
			t.Errorf("--computer %s: exit %d\n%s%s", computer, code, out, errOut)
		}
	}
}

// SIGINT while a script waits for the server: exit 130, whatever the
// script does on its way out.
func TestInterruptedScriptExits130(t *testing.T) {
	arrived := make(chan struct{}, 16)
	srv, args, env := remote(t, wsmantest.Options{Latency: time.Minute, Logf: func(string, ...any) {
		select {
		case arrived <- struct{}{}:
		default:
		}
	}})
	_ = srv
	cmd := exec.Command(cimsh, script("os_summary", args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "CIMSH_PASSWORD=" + env["CIMSH_PASSWORD"]}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the request never reached the server")
	}
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("cimsh did not stop after SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit %d, want 130; stderr %q", code, stderr.String())
	}
}

// Tables end where they end (no blank line after them), and numbers
// formatted by a script line up on the right like numbers.
func TestTablesEndAndAlign(t *testing.T) {
	_, args, env := remote(t, wsmantest.Options{})
	for _, name := range []string{"disk_space", "top_processes", "installed_software"} {
		code, out, errOut := run(t, env, script(name, args...)...)
		if code != 0 || strings.HasSuffix(out, "\n\n") || !strings.HasSuffix(out, "\n") {
			t.Errorf("%s: exit %d, output ends %q; %s", name, code, out[max(0, len(out)-40):], errOut)
		}
	}
	_, out, _ := run(t, env, script("disk_space", args...)...)
	// Right-aligned: each value ends where its header ends.
	lines := strings.Split(out, "\n")
	for _, col := range []string{"SizeGB", "FreeGB", "FreePct", "UsedPct"} {
		end := strings.Index(lines[0], col) + len(col)
		for _, l := range lines[2:4] {
			if len(l) < end || l[end-1] == ' ' || (len(l) > end && l[end] != ' ') {
				t.Errorf("column %s is not right-aligned:\n%s", col, out)
				break
			}
		}
	}
	if strings.Contains(out, "df's") {
		t.Errorf("a Windows host's disks need no note about df:\n%s", out)
	}
}

// On this (non-Windows) machine disk_space says why its numbers differ
// from df's, in the output.
func TestDiskSpaceExplainsDf(t *testing.T) {
	_, out, errOut := run(t, nil, script("disk_space", "--threshold", "100")...)
	if !strings.Contains(out, "\nNote: FreeGB is what unprivileged users may still write (df's Avail)") {
		t.Fatalf("no note about df:\n%s%s", out, errOut)
	}
}

func TestCountMustBePositive(t *testing.T) {
	for _, tc := range []struct{ arg, want string }{
		{"-3", "top_processes: option --count: -3 is out of range (want at least 1)"},
		{"0", "top_processes: option --count: 0 is out of range (want at least 1)"},
		{"2.5", "top_processes: option --count: 2.5 is not a whole number"},
	} {
		code, out, errOut := run(t, nil, script("top_processes", "--count", tc.arg)...)
		if code != 2 || out != "" || strings.TrimSpace(errOut) != tc.want {
			t.Errorf("--count %s: exit %d, stdout %q, stderr %q", tc.arg, code, out, errOut)
		}
	}
}

// Memory in a unit that shows it: 640.0 MB rather than 0.6 GB.
func TestOSSummaryMemoryUnits(t *testing.T) {
	_, out, _ := run(t, nil, script("os_summary")...)
	if !regexp.MustCompile(`(?m)^Memory +: \d+\.\d (MB|GB|TB) total, \d+\.\d (KB|MB|GB|TB) free \(\d+% used\)$`).MatchString(out) {
		t.Fatalf("memory line:\n%s", out)
	}
	code, out, errOut := run(t, nil, "-e", `package.path = "lib/?.lua;" .. package.path
		local cli = require("cimsh.cli")
		print(cli.size(0), cli.size(1023), cli.size(1024), cli.size(629364 * 1024), cli.size(cim.uint64("4294496256")), cli.size(5 * 2^40))`)
	if code != 0 || out != "0 B\t1023 B\t1.0 KB\t614.6 MB\t4.0 GB\t5.0 TB\n" {
		t.Fatalf("exit %d %q %s", code, out, errOut)
	}
}

// The password's order (issue 9) is said the same way wherever a user
// reads about it: the README, help(cim.credential) and every script's
// --user help: an explicit password, then CIMSH_PASSWORD (read once at
// start-up), then a prompt without echo on a terminal, else an error.
// Every --help also says what --computer takes.
func TestPasswordOrderDocumented(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(readme)), " ")
	for _, want := range []string{
		"`cim.credential(user)` takes the password from `CIMSH_PASSWORD` when it is set (read once at start-up and removed from cimsh's environment, so no child process inherits it), else prompts without echo on a terminal, else fails saying how to give one.",
		"| Get-Credential | `cim.credential(user [, password])` | no password: `CIMSH_PASSWORD` (read once at start-up), else a prompt without echo on a terminal, else fails saying how to give one;",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("README.md does not say %q", want)
		}
	}
	_, out, _ := run(t, nil, "-e", "help(cim.credential)")
	if !strings.Contains(out, "a user and password; without one: CIMSH_PASSWORD (read at start-up), else a prompt without echo on a terminal, else an error") {
		t.Errorf("help(cim.credential):\n%s", out)
	}
	for _, s := range scripts.List(scripts.FS) {
		_, out, _ := run(t, nil, script(s.Name, "--help")...)
		help := strings.Join(strings.Fields(out), " ")
		for _, want := range []string{
			"--user USER user for HOST (DOMAIN\\user); password: CIMSH_PASSWORD, else a prompt without echo on a terminal, else the script stops (exit 2) saying so",
			"--computer HOST query HOST (also HOST:PORT, [IPV6]:PORT or an http(s):// URL)",
		} {
			if !strings.Contains(help, want) {
				t.Errorf("%s --help does not say %q:\n%s", s.Name, want, out)
			}
		}
	}
}

// This machine has one name in every script that names a computer: the
// host name, as Windows' scripts show the computer's name (one printed
// "localhost" and another the host name).
func TestLocalMachineNamedAlike(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`(?m)^Computer +: (.*)$`)
	for _, name := range []string{"os_summary", "hardware"} {
		code, out, errOut := run(t, nil, script(name)...)
		m := want.FindStringSubmatch(out)
		if code != 0 || m == nil || m[1] != host {
			t.Errorf("%s: exit %d, want Computer : %s\n%s%s", name, code, host, out, errOut)
		}
	}
	code, out, errOut := run(t, nil, script("fleet_inventory")...)
	if lines := strings.Split(out, "\n"); code != 0 || len(lines) < 2 || !strings.HasPrefix(lines[1], host+",") {
		t.Errorf("fleet_inventory: exit %d, want the row of %s\n%s%s", code, host, out, errOut)
	}
}

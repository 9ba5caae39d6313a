package scripts_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/local"
	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/internal/testenv"
	"github.com/cimsh/cimsh/scripts"
)

var cimsh string // the binary under test, built by TestMain

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cimsh-scripts-test")
	if err != nil {
		panic(err)
	}
	cimsh = filepath.Join(dir, "cimsh")
	build := exec.Command("go", "build", "-o", cimsh, "..")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building cimsh:", err)
		os.Exit(2)
	}
	code := testenv.Run(m.Run)
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs the cimsh binary with args, no terminal and only the given
// environment (plus PATH and HOME), and returns its exit code and output.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(cimsh, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "NO_COLOR=1"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

const password = "fixture-Pa55word"

// remote starts a Windows-shaped WS-Man server with Basic over HTTP and
// returns the arguments that point a script at it.
func remote(t *testing.T, opts wsmantest.Options) (*wsmantest.Server, []string, map[string]string) {
	opts.BasicUsers = map[string]string{"admin": password}
	opts.AllowUnencrypted = true
	srv := wsmantest.NewServer(t, opts)
	args := []string{"--computer", srv.Host(), "--port", strconv.Itoa(srv.Port()), "--user", "admin", "--auth", "basic", "--no-encryption"}
	return srv, args, map[string]string{"CIMSH_PASSWORD": password}
}

func script(name string, args ...string) []string { return append([]string{"-s", name}, args...) }

func TestEveryScriptHasHelpAndDescription(t *testing.T) {
	list := scripts.List(scripts.FS)
	if len(list) < 8 {
		t.Fatalf("%d bundled scripts, want at least 8", len(list))
	}
	for _, s := range list {
		if s.Description == "" || !strings.HasSuffix(s.Description, ".") {
			t.Errorf("%s: first-line description %q", s.Name, s.Description)
		}
		code, out, errOut := run(t, nil, script(s.Name, "--help")...)
		if code != 0 || !strings.Contains(out, "usage: cimsh -s "+s.Name) || !strings.Contains(out, "--computer HOST") {
			t.Errorf("%s --help: exit %d, stdout %q, stderr %q", s.Name, code, out, errOut)
		}
		code, _, errOut = run(t, nil, script(s.Name, "--no-such-option")...)
		if code != 2 || !strings.Contains(errOut, s.Name+": unknown option --no-such-option") {
			t.Errorf("%s with a bad option: exit %d, stderr %q", s.Name, code, errOut)
		}
	}
}

func TestScriptsRunAsPlainFiles(t *testing.T) {
	code, out, errOut := run(t, nil, "disk_space.lua", "--threshold", "100")
	if code != 0 || !strings.Contains(out, "UsedPct") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestOSSummaryLocal(t *testing.T) {
	code, out, errOut := run(t, nil, script("os_summary")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	host, _ := os.Hostname()
	if !strings.Contains(out, "Computer     : "+host) {
		t.Errorf("no hostname %q in:\n%s", host, out)
	}
	if pretty := osReleasePretty(t); pretty != "" && !strings.Contains(out, "OS           : "+pretty) {
		t.Errorf("no PRETTY_NAME %q in:\n%s", pretty, out)
	}
	if !regexp.MustCompile(`Uptime\s+: (\d+d )?(\d+h )?\d+m`).MatchString(out) || !regexp.MustCompile(`Memory\s+: [0-9.]+ [KMGT]B total`).MatchString(out) {
		t.Errorf("uptime or memory missing:\n%s", out)
	}
}

func osReleasePretty(t *testing.T) string {
	b, err := os.ReadFile("/etc/os-release")
	if err != nil {
		return ""
	}
	m := regexp.MustCompile(`(?m)^PRETTY_NAME="?([^"\n]*)"?$`).FindSubmatch(b)
	if m == nil {
		return ""
	}
	return string(m[1])
}

func TestOSSummaryRemote(t *testing.T) {
	_, args, env := remote(t, wsmantest.Options{})
	code, out, errOut := run(t, env, script("os_summary", args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// The fixture machine: the Windows Server 2012 capture, named as the
	// server is, with 4 GB and the fixture's five processes.
	for _, want := range []string{
		"Computer     : WSMANTEST\n",
		"OS           : Microsoft Windows Server 2012 Standard\n",
		"Version      : 6.2.9200 (build 9200)\n",
		"Last boot    : 2013-04-15T16:28:43.488171Z\n",
		"Uptime       : 3h 59m\n",
		"Memory       : 4.0 GB total, 2.1 GB free (48% used)\n",
		"Processes    : 5\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out+errOut, password) {
		t.Fatal("the password was printed")
	}
}

func TestDiskSpaceRemoteThreshold(t *testing.T) {
	_, args, env := remote(t, wsmantest.Options{})
	code, out, errOut := run(t, env, script("disk_space", append(args, "--threshold", "60")...)...)
	if code != 1 || !strings.Contains(errOut, "disk_space: over 60%: C: 70% used") || strings.Contains(errOut, "D:") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !regexp.MustCompile(`C:\s+NTFS\s+30\.0\s+9\.1\s+30\s+70`).MatchString(out) ||
		!regexp.MustCompile(`D:\s+New Volume\s+NTFS\s+50\.0\s+49\.9\s+100\s+0`).MatchString(out) {
		t.Fatalf("table:\n%s", out)
	}
	code, _, errOut = run(t, env, script("disk_space", append(args, "--threshold", "71")...)...)
	if code != 0 {
		t.Fatalf("threshold 71: exit %d, %s", code, errOut)
	}
	code, _, errOut = run(t, env, script("disk_space", "--threshold", "150")...)
	if code != 2 || !strings.Contains(errOut, "disk_space: option --threshold: 150 is out of range (want from 0 to 100)") {
		t.Fatalf("threshold 150: exit %d, %s", code, errOut)
	}
}

func TestDiskSpaceLocal(t *testing.T) {
	code, out, errOut := run(t, nil, script("disk_space", "--threshold", "0")...)
	// Every disk is at or over 0%: exit 1 naming the root file system.
	if code != 1 || !strings.Contains(errOut, "/ ") || !regexp.MustCompile(`(?m)^/\s`).MatchString(out) {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}

func TestTopProcesses(t *testing.T) {
	code, out, errOut := run(t, nil, script("top_processes", "--count", "3")...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 5 || !strings.Contains(lines[0], "WorkingSetMB") {
		t.Fatalf("exit %d, %d lines:\n%s%s", code, len(lines), out, errOut)
	}
	// Sorted by working set, largest first.
	prev := 1e18
	for _, l := range lines[2:] {
		f := strings.Fields(l)
		mb, err := strconv.ParseFloat(f[len(f)-2], 64)
		if err != nil || mb > prev {
			t.Fatalf("not sorted by memory:\n%s", out)
		}
		prev = mb
	}
	_, args, env := remote(t, wsmantest.Options{})
	code, out, errOut = run(t, env, script("top_processes", args...)...)
	if code != 0 || !strings.Contains(out, "PID") {
		t.Fatalf("remote: exit %d\n%s%s", code, out, errOut)
	}
}

func TestStoppedServicesRemote(t *testing.T) {
	srv, args, env := remote(t, wsmantest.Options{})
	// The fixture has one automatic service stopped: MapsBroker.
	code, out, _ := run(t, env, script("stopped_services", append(args, "--fail")...)...)
	if code != 1 || !regexp.MustCompile(`MapsBroker\s+Downloaded Maps Manager\s+Stopped\s+Auto\s+1077`).MatchString(out) ||
		strings.Contains(out, "Spooler") {
		t.Fatalf("before: exit %d\n%s", code, out)
	}
	// Stop the spooler through WS-Man, as an admin would, then look again.
	s, err := cim.NewSession(cim.Config{ComputerName: srv.Host(), Port: srv.Port(), Authentication: cim.AuthBasic,
		Credential: cim.NewCredential("admin", password), Option: cim.SessionOption{NoEncryption: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	svcs, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service", Filter: "Name = 'Spooler'"})
	if err != nil || len(svcs) != 1 {
		t.Fatalf("get spooler: %v %v", svcs, err)
	}
	if _, err := s.InvokeMethod(ctx, cim.MethodCall{Input: svcs[0], Method: "StopService"}); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, env, script("stopped_services", append(args, "--fail")...)...)
	if code != 1 || !regexp.MustCompile(`Spooler\s+Print Spooler\s+Stopped\s+Auto`).MatchString(out) || !strings.Contains(out, "MapsBroker") {
		t.Fatalf("after: exit %d\n%s", code, out)
	}
	// Without --fail the report alone exits 0.
	if code, _, errOut := run(t, env, script("stopped_services", args...)...); code != 0 {
		t.Fatalf("without --fail: exit %d: %s", code, errOut)
	}
}

// The classes the fixture provider lacks are served from this machine's
// provider through the WS-Man test server: the remote output must be the
// local output.
func TestScriptsRemoteMatchLocal(t *testing.T) {
	p, err := local.New()
	if err != nil {
		t.Fatal(err)
	}
	_, args, env := remote(t, wsmantest.Options{Provider: p})
	for _, name := range []string{"network_config", "hardware", "installed_software"} {
		code, want, errOut := run(t, nil, script(name)...)
		if code != 0 {
			t.Fatalf("%s local: exit %d: %s", name, code, errOut)
		}
		code, got, errOut := run(t, env, script(name, args...)...)
		if code != 0 {
			t.Fatalf("%s remote: exit %d: %s", name, code, errOut)
		}
		if got != want {
			t.Errorf("%s: remote output differs from local\nremote:\n%s\nlocal:\n%s", name, got, want)
		}
		if len(strings.TrimSpace(got)) == 0 {
			t.Errorf("%s printed nothing", name)
		}
	}
}

func TestStoppedServicesLocal(t *testing.T) {
	code, out, errOut := run(t, nil, script("stopped_services")...)
	if _, err := os.Stat("/run/systemd/system"); err != nil {
		// Without systemd (CI containers) the service list is empty:
		// that is not "none stopped", it is "cannot tell".
		if code != 2 || out != "" || !strings.Contains(errOut, "stopped_services: cannot tell which automatic services are stopped: this machine lists no services") {
			t.Fatalf("without systemd: exit %d\n%s%s", code, out, errOut)
		}
		return
	}
	if code != 0 || (!regexp.MustCompile(`No automatic services are stopped \(of \d+ services\)\.`).MatchString(out) && !strings.Contains(out, "StartMode")) {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}

// A host that lists no services cannot say which are stopped.
func TestStoppedServicesCannotTell(t *testing.T) {
	p := memprov.New(model.Identity{ProductVendor: "Microsoft Corporation"}, "EMPTY")
	svc := &model.Class{Name: "Win32_Service", Properties: []model.PropertyDecl{
		{Name: "Name", Type: model.TypeString, Key: true}, {Name: "DisplayName", Type: model.TypeString},
		{Name: "State", Type: model.TypeString}, {Name: "StartMode", Type: model.TypeString}, {Name: "ExitCode", Type: model.TypeUint32}}}
	p.Register("root/cimv2", memprov.ClassDef{Class: svc})
	_, args, env := remote(t, wsmantest.Options{Provider: p})
	code, out, errOut := run(t, env, script("stopped_services", append(args, "--fail")...)...)
	if code != 2 || out != "" || !strings.Contains(errOut, "cannot tell which automatic services are stopped: 127.0.0.1 lists no services at all") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}

func TestNetworkConfigLocal(t *testing.T) {
	code, out, errOut := run(t, nil, script("network_config")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	ifaces, _ := net.Interfaces()
	for _, ifc := range ifaces {
		addrs, _ := ifc.Addrs()
		if ifc.Flags&net.FlagLoopback != 0 || ifc.Flags&net.FlagUp == 0 || len(addrs) == 0 {
			continue
		}
		ip, _, _ := net.ParseCIDR(addrs[0].String())
		if !strings.Contains(out, ip.String()) {
			t.Errorf("address %s of %s missing:\n%s", ip, ifc.Name, out)
		}
	}
}

func TestFleetInventory(t *testing.T) {
	srv1, _, env := remote(t, wsmantest.Options{})
	srv2, _, _ := remote(t, wsmantest.Options{ComputerName: "SRV2"})
	dir := t.TempDir()
	hosts := filepath.Join(dir, "hosts.txt")
	// The servers listen on 127.0.0.1 only, so 127.0.0.2 at the --port is
	// a host that is down; the second server is named with its own port.
	// A URL, as New-CimSession users paste it, names its own port too.
	os.WriteFile(hosts, []byte(fmt.Sprintf("# lab\n%s\n\n127.0.0.2  # down\n  localhost:%d\n%s\n", srv1.Host(), srv2.Port(), srv2.URL())), 0o644)
	out := filepath.Join(dir, "inv.csv")
	code, stdout, errOut := run(t, env, script("fleet_inventory", hosts, "--out", out, "--port", strconv.Itoa(srv1.Port()),
		"--user", "admin", "--auth", "basic", "--no-encryption")...)
	if code != 1 || !strings.Contains(errOut, "4 hosts, 1 failed") || stdout != "" {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, errOut)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 5 {
		t.Fatalf("csv: %v %v", rows, err)
	}
	if strings.Join(rows[0], ",") != "Computer,Status,OS,Version,LastBoot,MemoryGB,Manufacturer,Model,Serial" {
		t.Fatalf("header %v", rows[0])
	}
	if rows[1][0] != srv1.Host() || rows[1][1] != "ok" || rows[1][2] != "Microsoft Windows Server 2012 Standard" {
		t.Errorf("row 1: %v", rows[1])
	}
	if rows[2][0] != "127.0.0.2" || !strings.HasPrefix(rows[2][1], "error: ") {
		t.Errorf("row 2: %v", rows[2])
	}
	if rows[3][0] != "localhost" || rows[3][1] != "ok" || rows[3][3] != "6.2.9200" || rows[3][5] != "4.0" {
		t.Errorf("row 3: %v", rows[3])
	}
	if rows[4][0] != "127.0.0.1" || rows[4][1] != "ok" {
		t.Errorf("row 4: %v", rows[4])
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	// Without a host list it inventories this machine, to stdout, named
	// as os_summary names it (the host name, not "localhost").
	code, stdout, errOut = run(t, nil, script("fleet_inventory")...)
	host, _ := os.Hostname()
	if code != 0 || !strings.HasPrefix(stdout, "Computer,Status,") || strings.Count(stdout, "\n") != 2 ||
		!strings.HasPrefix(strings.Split(stdout, "\n")[1], host+",ok,") {
		t.Fatalf("local: exit %d\n%s%s", code, stdout, errOut)
	}
}

// restart_service queries a service with CIM, restarts it with net stop
// and net start through WinRS (the test server's net changes the
// service the CIM queries see), and queries it again.
func TestRestartServiceRemote(t *testing.T) {
	srv, args, env := remote(t, wsmantest.Options{})
	code, out, errOut := run(t, env, script("restart_service", append(args, "Spooler")...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"Before:", "State       : Running", "> net stop Spooler", "The Print Spooler service is stopping.\nThe Print Spooler service was stopped successfully.\n",
		"> net start Spooler", "The Print Spooler service was started successfully.", "After:"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, `\r`) || strings.Contains(out, "\r") {
		t.Errorf("carriage returns in:\n%q", out)
	}
	ops := strings.Join(srv.Operations(), ",")
	if strings.Count(ops, "Command") != 2 || strings.Count(ops, "Delete") != 2 || srv.OpenShells() != 0 {
		t.Errorf("server saw %s", ops)
	}
	// A stopped service is started; the state after is Running.
	s, err := cim.NewSession(cim.Config{ComputerName: srv.Host(), Port: srv.Port(), Authentication: cim.AuthBasic,
		Credential: cim.NewCredential("admin", password), Option: cim.SessionOption{NoEncryption: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.RunCommand(context.Background(), &model.CommandRequest{Command: "net stop W32Time"})
	if err != nil || *res.ExitCode != 2 { // W32Time is stopped already
		t.Fatalf("%v %+v", err, res)
	}
	code, out, errOut = run(t, env, script("restart_service", append(args, "W32Time")...)...)
	if code != 0 || strings.Contains(out, "net stop") || !regexp.MustCompile(`(?s)Before:.*State\s+: Stopped.*After:.*State\s+: Running`).MatchString(out) {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	// Failures: an unknown service, bad usage, a wrong password.
	if code, _, errOut := run(t, env, script("restart_service", append(args, "NoSuchSvc")...)...); code != 1 || !strings.Contains(errOut, "restart_service: no service NoSuchSvc on "+srv.Host()) {
		t.Errorf("unknown service: exit %d, %s", code, errOut)
	}
	if code, _, errOut := run(t, env, script("restart_service", args...)...); code != 2 || !strings.Contains(errOut, "name the service") {
		t.Errorf("no name: exit %d, %s", code, errOut)
	}
	if code, _, errOut := run(t, map[string]string{"CIMSH_PASSWORD": "wrong"}, script("restart_service", append(args, "Spooler")...)...); code != 2 || !strings.Contains(errOut, "credentials rejected") || strings.Contains(errOut, "wrong") {
		t.Errorf("wrong password: exit %d, %s", code, errOut)
	}
}

// A command that fails makes the script fail naming it.
func TestRestartServiceCommandFails(t *testing.T) {
	srv, args, env := remote(t, wsmantest.Options{RunCommand: func(ctx context.Context, p *wsmantest.Process) int {
		io.WriteString(p.Stderr, "System error 5 has occurred.\r\n\r\nAccess is denied.\r\n")
		return 2
	}})
	code, out, errOut := run(t, env, script("restart_service", append(args, "Spooler")...)...)
	if code != 1 || !strings.Contains(errOut, "restart_service: net stop Spooler failed (exit code 2): System error 5 has occurred.\n\nAccess is denied.\n") || strings.Contains(out, "After:") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if srv.OpenShells() != 0 {
		t.Fatal("shell left open")
	}
}

func TestRestartServiceLocal(t *testing.T) {
	code, _, errOut := run(t, nil, script("restart_service", "cimsh-no-such-service")...)
	if code != 1 || !strings.Contains(errOut, "restart_service: no service cimsh-no-such-service on this machine") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// The binary runs commands through masterzen/winrm's shell machinery:
// its Shell, Command, request builders and parsers are linked in (and
// TestRestartServiceRemote drove them). Client.NewShell is inlined, so
// it has no symbol of its own.
func TestMasterzenInBinary(t *testing.T) {
	out, err := exec.Command("go", "tool", "nm", cimsh).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, sym := range []string{
		"github.com/masterzen/winrm.NewClientWithParameters",
		"github.com/masterzen/winrm.(*Shell).ExecuteWithContext",
		"github.com/masterzen/winrm.(*Shell).Close",
		"github.com/masterzen/winrm.(*Command).Close",
		"github.com/masterzen/winrm.fetchOutput",
		"github.com/masterzen/winrm.ParseSlurpOutputErrResponse",
		"github.com/masterzen/winrm.NewSendInputRequest",
		"github.com/masterzen/winrm/soap.NewMessage",
	} {
		if !regexp.MustCompile(`(?m) T ` + regexp.QuoteMeta(sym) + `$`).Match(out) {
			t.Errorf("%s is not in the binary", sym)
		}
	}
}

// A command running when cimsh is told to stop (SIGTERM) is terminated
// and its shell deleted before the process exits.
func TestRunStoppedAtExit(t *testing.T) {
	receives := make(chan struct{}, 16)
	srv, _, _ := remote(t, wsmantest.Options{
		Logf: func(_ string, args ...any) {
			if args[0] == "Receive" {
				receives <- struct{}{}
			}
		},
		RunCommand: func(ctx context.Context, p *wsmantest.Process) int {
			<-ctx.Done()
			return 1
		}})
	cmd := exec.Command(cimsh, "-e", fmt.Sprintf(`local s = cim.new_session{computer_name = %q, port = %d, authentication = "basic",
		credential = cim.credential("admin"), session_option = cim.new_session_option{no_encryption = true}}
		print(s:run("ping -t 127.0.0.1"))`, srv.Host(), srv.Port()))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "CIMSH_PASSWORD=" + password}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-receives // the command runs and the server holds a Receive
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v, stderr %s", err, stderr.String())
	}
	if srv.OpenShells() != 0 || count(srv, "Signal") != 1 || count(srv, "Delete") != 1 {
		t.Fatalf("open shells %d; server saw %v", srv.OpenShells(), srv.Operations())
	}
}

func count(s *wsmantest.Server, op string) int {
	n := 0
	for _, l := range s.Requests() {
		if l.Operation == op {
			n++
		}
	}
	return n
}

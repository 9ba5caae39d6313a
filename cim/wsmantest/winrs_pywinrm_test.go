package wsmantest_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

// pywinrmRun runs commands through pywinrm's Session.run_cmd and run_ps
// (open_shell, run_command, get_command_output's Receive loop,
// cleanup_command's Signal, close_shell's Delete) and prints what it got
// as JSON.
const pywinrmRun = `
import base64, json, os, sys
import winrm
endpoint, transport = sys.argv[1:3]
s = winrm.Session(endpoint, auth=(os.environ["WSMT_USER"], os.environ["WSMT_PASSWORD"]), transport=transport,
                  message_encryption="auto" if transport == "ntlm" else "never", server_cert_validation="ignore",
                  operation_timeout_sec=2, read_timeout_sec=10)
out = []
for kind, cmd, args in [("cmd", "echo", ["hello", "world"]), ("cmd", "echo oops 1>&2 & exit /b 3", []),
                        ("cmd", "ping -n 3 127.0.0.1", []), ("cmd", "nosuchcommand", []),
                        ("ps", "Write-Output 'from ps'; Write-Error 'it <broke> _x'", [])]:
    if kind == "cmd":
        r = s.run_cmd(cmd, args)
        err = r.std_err.decode("utf-8")
    else:
        # run_ps's own way (pywinrm 0.3.0's run_ps passes bytes where its
        # CLIXML cleaner wants str on Python 3)
        r = s.run_cmd("powershell -encodedcommand " + base64.b64encode(cmd.encode("utf_16_le")).decode("ascii"))
        err = s._clean_error_msg(r.std_err.decode("utf-8"))
    out.append({"stdout": r.std_out.decode("utf-8"), "stderr": err, "code": r.status_code})
print(json.dumps(out))
`

// pywinrm, an independent client, runs commands on the test server's
// WinRS: output split across Receives, stderr, exit codes, PowerShell's
// CLIXML error stream (which pywinrm decodes), and no shell left open.
func TestPywinrmRunsCommands(t *testing.T) {
	requirePywinrm(t)
	for _, tc := range []struct {
		transport string
		opts      wsmantest.Options
	}{
		{"basic", wsmantest.Options{BasicUsers: map[string]string{"alice": "Py-Pa55word"}, AllowUnencrypted: true}},
		{"ntlm", wsmantest.Options{NTLMUsers: []ntlmserver.User{{Name: "alice", Password: "Py-Pa55word"}}}},
	} {
		t.Run(tc.transport, func(t *testing.T) {
			s := wsmantest.NewServer(t, tc.opts)
			out := runPywinrm(t, s, pywinrmRun, tc.transport)
			var res []struct {
				Stdout, Stderr string
				Code           int
			}
			if err := json.Unmarshal([]byte(out[strings.LastIndex(out, "\n[")+1:]), &res); err != nil {
				t.Fatalf("pywinrm output: %s", out)
			}
			want := []struct {
				stdout, stderr string
				code           int
			}{
				{"hello world\r\n", "", 0},
				{"", "oops\r\n", 3},
				{strings.Repeat("Reply from 127.0.0.1: bytes=32 time<1ms TTL=128\r\n", 3), "", 0},
				{"", "'nosuchcommand' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", 9009},
				// pywinrm turns only _x000D__x000A_ back into a line
				// break and strips the text: "_x" stays escaped.
				{"from ps\r\n", "it <broke> _x005F_x\n    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException\n    + FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException", 1},
			}
			if len(res) != len(want) {
				t.Fatalf("got %d results: %s", len(res), out)
			}
			for i, w := range want {
				if res[i].Stdout != w.stdout || res[i].Stderr != w.stderr || res[i].Code != w.code {
					t.Errorf("command %d: got %q %q %d, want %q %q %d", i, res[i].Stdout, res[i].Stderr, res[i].Code, w.stdout, w.stderr, w.code)
				}
			}
			// ping writes a line a second, each its own Receive response:
			// pywinrm's Receive loop went round several times.
			receives := 0
			for _, l := range s.Requests() {
				if l.Operation == "Receive" {
					receives++
				}
			}
			if receives < 5+2 {
				t.Errorf("only %d Receives for 5 commands, one with 3 responses", receives)
			}
			if n := s.OpenShells(); n != 0 || s.ShellsCreated() != 5 {
				t.Errorf("open shells %d, created %d", n, s.ShellsCreated())
			}
			ops := strings.Join(s.Operations(), ",")
			if !strings.HasPrefix(ops, "Create,Command,Receive") || strings.Count(ops, "Signal") != 5 || strings.Count(ops, "Delete") != 5 {
				t.Errorf("server saw %s", ops)
			}
		})
	}
}

// A Receive with nothing to say is held for OperationTimeout and then
// answered w:TimedOut with code 2150858793, which pywinrm retries
// silently: a command quiet for longer than the timeout still completes.
func TestPywinrmRetriesReceiveTimeout(t *testing.T) {
	requirePywinrm(t)
	s := wsmantest.NewServer(t, wsmantest.Options{BasicUsers: map[string]string{"alice": "Py-Pa55word"}, AllowUnencrypted: true,
		RunCommand: func(ctx context.Context, p *wsmantest.Process) int {
			select {
			case <-time.After(2500 * time.Millisecond):
			case <-ctx.Done():
				return 1
			}
			io.WriteString(p.Stdout, "late\r\n")
			return 7
		}})
	out := runPywinrm(t, s, `
import json, os, sys
import winrm
s = winrm.Session(sys.argv[1], auth=(os.environ["WSMT_USER"], os.environ["WSMT_PASSWORD"]), transport="basic",
                  operation_timeout_sec=1, read_timeout_sec=5)
r = s.run_cmd("slow")
print(json.dumps({"stdout": r.std_out.decode(), "code": r.status_code}))
`, "basic")
	if !strings.Contains(out, `{"stdout": "late\r\n", "code": 7}`) {
		t.Fatalf("pywinrm: %s", out)
	}
	timedOut := 0
	for _, l := range s.Requests() {
		if l.Operation == "Receive" && l.Fault == "w:TimedOut" {
			timedOut++
		}
	}
	if timedOut < 1 {
		t.Fatalf("no Receive timed out: %v", s.Operations())
	}
}

// runPywinrm runs a pywinrm script against s and returns its output.
func runPywinrm(t *testing.T, s *wsmantest.Server, script, transport string) string {
	t.Helper()
	// ntlm-auth needs MD4, which OpenSSL 3 only has in its legacy provider.
	conf := filepath.Join(t.TempDir(), "openssl.cnf")
	if err := os.WriteFile(conf, []byte("openssl_conf = init\n[init]\nproviders = prov\n[prov]\ndefault = on\nlegacy = on\n[on]\nactivate = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, debianPython, "-c", script, s.URL(), transport)
	cmd.Env = append(os.Environ(), "WSMT_USER=alice", "WSMT_PASSWORD=Py-Pa55word", "OPENSSL_CONF="+conf, "NO_PROXY=*", "no_proxy=*")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pywinrm: %v\n%s", err, out)
	}
	return string(out)
}

//go:build unix

package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyTerm is cimsh-fixture running on a pseudo-terminal.
type ptyTerm struct {
	t    *testing.T
	cmd  *exec.Cmd
	ptmx *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	done chan error
}

func startTerm(t *testing.T, args ...string) *ptyTerm {
	t.Helper()
	return startTermCmd(t, "cimsh-fixture", args...)
}

// startTermCmd runs name (cimsh or cimsh-fixture) on a pseudo-terminal
// and waits for the REPL's prompt.
func startTermCmd(t *testing.T, name string, args ...string) *ptyTerm {
	t.Helper()
	tm := spawnTerm(t, nil, name, args...)
	tm.waitFor("> ", 5*time.Second)
	return tm
}

// spawnTerm runs name on a pseudo-terminal with extra environment
// variables.
func spawnTerm(t *testing.T, env []string, name string, args ...string) *ptyTerm {
	t.Helper()
	cmd := exec.Command(name, args...)
	dir := t.TempDir()
	cmd.Env = append(os.Environ(), "TERM=xterm", "NO_COLOR=1",
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "XDG_STATE_HOME="+filepath.Join(dir, "state"))
	cmd.Env = append(cmd.Env, env...)
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatalf("pty: %v", err)
	}
	tm := &ptyTerm{t: t, cmd: cmd, ptmx: ptmx, done: make(chan error, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			tm.mu.Lock()
			tm.out.Write(buf[:n])
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() { tm.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		ptmx.Close()
	})
	return tm
}

func (tm *ptyTerm) send(s string) {
	tm.t.Helper()
	if _, err := tm.ptmx.WriteString(s); err != nil {
		tm.t.Fatalf("write: %v", err)
	}
}

// mark returns the current output length, so waitFor can look only at
// what comes after it.
func (tm *ptyTerm) mark() int {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.out.Len()
}

func (tm *ptyTerm) since(m int) string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.out.String()[m:]
}

// waitFor waits until want appears in the output after the last mark.
func (tm *ptyTerm) waitForAfter(m int, want string, d time.Duration) time.Duration {
	tm.t.Helper()
	start := time.Now()
	for time.Since(start) < d {
		if strings.Contains(tm.since(m), want) {
			return time.Since(start)
		}
		time.Sleep(5 * time.Millisecond)
	}
	tm.t.Fatalf("no %q in output after %v:\n%q", want, d, tm.since(m))
	return 0
}

func (tm *ptyTerm) waitFor(want string, d time.Duration) time.Duration {
	return tm.waitForAfter(0, want, d)
}

func (tm *ptyTerm) exit(d time.Duration) error {
	tm.t.Helper()
	select {
	case err := <-tm.done:
		return err
	case <-time.After(d):
		tm.t.Fatalf("cimsh did not exit within %v; output:\n%q", d, tm.since(0))
	}
	return nil
}

// TestTerminalKeys drives the REPL on a pseudo-terminal: Tab completes
// option keys (s:get_instance{cla -> class_name=) and class names from
// the session's cache, Ctrl-C on a line clears it, Ctrl-C during a slow
// operation cancels it quickly and leaves the session usable, and
// Ctrl-D on an empty line exits 0.
func TestTerminalKeys(t *testing.T) {
	tm := startTerm(t)

	m := tm.mark()
	tm.send("s = cim.new_session(); print(\"ok\" .. \"-ready\")\r")
	tm.waitForAfter(m, "ok-ready", 5*time.Second)

	// Tab on an option key inside the table of a known method.
	m = tm.mark()
	tm.send("s:get_instance{cla\t")
	tm.waitForAfter(m, "class_name=", 5*time.Second)
	// Ctrl-C clears the line; the next line runs alone.
	tm.send("\x03")
	m = tm.mark()
	tm.send("1+41\r")
	tm.waitForAfter(m, "42", 5*time.Second)

	// Class names come from the session's cache once it has them.
	m = tm.mark()
	tm.send(`x = s:get_class("Win32_Service"); print("cached" .. "!")` + "\r")
	tm.waitForAfter(m, "cached!", 5*time.Second)
	m = tm.mark()
	tm.send(`s:get_instance("Win32_Se` + "\t")
	tm.waitForAfter(m, `Win32_Service`, 5*time.Second)
	tm.send("\x03")

	// Ctrl-C once the line of a slow operation runs (it says so, just
	// before the operation) cancels it: uncancelled, the operation takes
	// luatest.SlowDelay (30 s), far past these generous bounds.
	m = tm.mark()
	tm.send(`io.write("slow" .. "-start\n"); s:get_instance("Cimsh_Slow")` + "\r")
	tm.waitForAfter(m, "slow-start", 10*time.Second)
	sent := time.Now()
	tm.send("\x03")
	tm.waitForAfter(m, "interrupted", 20*time.Second)
	d := time.Since(sent)
	t.Logf("Ctrl-C to \"interrupted\": %v", d)
	if d > 15*time.Second {
		t.Errorf("Ctrl-C took %v to cancel the operation", d)
	}
	// The session is still usable.
	m = tm.mark()
	tm.send("#s:get_instance(\"Win32_Service\") * 111\r")
	tm.waitForAfter(m, "333", 5*time.Second)

	// A continuation line gets the second prompt and completes keys too.
	m = tm.mark()
	tm.send("t = s:get_instance{\r")
	tm.waitForAfter(m, ">> ", 5*time.Second)
	m = tm.mark()
	tm.send("names\t")
	tm.waitForAfter(m, "namespace=", 5*time.Second)
	m = tm.mark()
	tm.send("\x03")
	// The primary prompt again ("\r> ", not the continuation's "\r>> "):
	// readline reads the next key.
	tm.waitForAfter(m, "^C\r\n", 5*time.Second)
	m += strings.Index(tm.since(m), "^C\r\n")
	tm.waitForAfter(m, "\r> ", 5*time.Second)

	// Ctrl-D on an empty line exits 0.
	tm.send("\x04")
	if err := tm.exit(5 * time.Second); err != nil {
		t.Fatalf("exit: %v; output:\n%q", err, tm.since(0))
	}
}

// TestPasswordPromptInREPL checks that credential(user) prompts through
// readline without echo and that the password never shows.
func TestPasswordPromptInREPL(t *testing.T) {
	tm := startTerm(t)
	m := tm.mark()
	tm.send(`c = cim.credential("admin")` + "\r")
	tm.waitForAfter(m, "Password for admin: ", 5*time.Second)
	tm.send("s3cr3t-pw\r")
	tm.waitForAfter(m, "> ", 5*time.Second)
	m = tm.mark()
	tm.send("c, c.has_password\r")
	tm.waitForAfter(m, "Credential(admin)\ttrue", 5*time.Second)
	tm.send("\x04")
	tm.exit(5 * time.Second)
	if strings.Contains(tm.since(0), "s3cr3t-pw") {
		t.Errorf("the password was echoed:\n%q", tm.since(0))
	}
}

// TestSignalInScript sends SIGINT to a script blocked in a slow
// operation: cimsh releases what is open and exits 130 at once.
func TestSignalInScript(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			sc := startScript(t, "cimsh-fixture", `
				local s = cim.new_session()
				for inst in s:instances("Cimsh_Item") do break end -- left open
				io.write("ready\n")
				s:get_instance("Cimsh_Slow")
				print("not reached")`)
			// Signalled once the script says it is about to wait (it
			// may not have begun): either way cimsh cancels the chunk.
			// The operation would take luatest.SlowDelay (30 s): a
			// generous bound still tells it apart.
			start := time.Now()
			sc.signalAndWait(sig)
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("took %v to exit after %v", d, sig)
			}
			if got := sc.stderr.String(); got != "cimsh: interrupted\n" {
				t.Errorf("stderr = %q", got)
			}
		})
	}
}

// script is cimsh running a -e script that writes "ready\n" once it is
// where a test wants to signal it.
type script struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdout io.Reader
	stderr bytes.Buffer
}

// startScript runs name -e code and waits for its "ready\n".
func startScript(t *testing.T, name, code string) *script {
	t.Helper()
	sc := &script{t: t, cmd: exec.Command(name, "-e", code)}
	sc.cmd.Stderr = &sc.stderr
	stdout, err := sc.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	sc.stdout = stdout
	if err := sc.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sc.cmd.Process.Kill() })
	buf := make([]byte, 6)
	if _, err := io.ReadFull(stdout, buf); err != nil || string(buf) != "ready\n" {
		t.Fatalf("read %q, %v; stderr: %s", buf, err, sc.stderr.String())
	}
	return sc
}

// signalAndWait sends sig and checks cimsh exits 130 without running
// the rest of the script (which prints "not reached").
func (sc *script) signalAndWait(sig syscall.Signal) {
	sc.t.Helper()
	sc.cmd.Process.Signal(sig)
	rest, _ := io.ReadAll(sc.stdout)
	err := sc.cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		sc.t.Fatalf("exit: %v (want code 130); stderr: %s", err, sc.stderr.String())
	}
	if strings.Contains(string(rest), "not reached") {
		sc.t.Error("the script went on after the signal")
	}
}

// TestTerminalSIGTERMIdle checks that SIGTERM ends an idle REPL at once
// with exit code 130.
func TestTerminalSIGTERMIdle(t *testing.T) {
	tm := startTerm(t)
	m := tm.mark()
	tm.send("s = cim.new_session(); it = s:instances(\"Cimsh_Item\"); print(\"ok\" .. \"-ready\")\r")
	tm.waitForAfter(m, "ok-ready", 5*time.Second)
	// Back in readline: the prompt after the output.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		out := tm.since(m)
		if i := strings.Index(out, "ok-ready\r\n"); i >= 0 && strings.Contains(out[i:], "> ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no prompt after the output: %q", tm.since(m))
		}
	}
	start := time.Now()
	tm.cmd.Process.Signal(syscall.SIGTERM)
	err := tm.exit(5 * time.Second)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want code 130", err)
	}
	// An idle REPL that ignored SIGTERM would wait forever (tm.exit
	// fails); this only says how far from "at once" it was.
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("took %v", d)
	}
}

//go:build unix

package main

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest"
)

// TestTerminalCtrlCSlowServer presses Ctrl-C during a streaming loop
// over real HTTP against a slow WS-Man server (700 ms a reply, the
// Release's too, one instance a batch): the prompt is back within half
// a second, the server's enumeration context is released all the same,
// and the session answers the next line.
func TestTerminalCtrlCSlowServer(t *testing.T) {
	srv := wsmantest.NewServer(t, wsmantest.Options{BasicUsers: map[string]string{"administrator": "Basic-Pa55"},
		AllowUnencrypted: true, MaxBatch: 1, Latency: 700 * time.Millisecond})
	tm := startTermCmd(t, "cimsh")
	m := tm.mark()
	tm.send(fmt.Sprintf(`s = cim.new_session{computer_name = %q, port = %d, authentication = "basic", `+
		`credential = cim.credential("administrator", "Basic-Pa55"), session_option = cim.new_session_option{no_encryption = true}}; print("ok" .. "-ready")`+"\r",
		srv.Host(), srv.Port()))
	tm.waitForAfter(m, "ok-ready", 5*time.Second)

	m = tm.mark()
	tm.send(`for p in s:instances("Win32_Process", {batch_size = 1}) do io.write("#") end` + "\r")
	tm.waitForAfter(m, "##", 10*time.Second) // Enumerate done, Pulls under way
	time.Sleep(200 * time.Millisecond)
	sent := time.Now()
	tm.send("\x03")
	tm.waitForAfter(m, "interrupted", 5*time.Second)
	d := time.Since(sent)
	t.Logf("Ctrl-C to \"interrupted\" against a 700 ms server: %v", d)
	if d > 500*time.Millisecond {
		t.Errorf("Ctrl-C took %v (want < 0.5 s)", d)
	}
	deadline := time.Now().Add(5 * time.Second)
	for srv.Counters().Enumerations != 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := srv.Counters().Enumerations; n != 0 {
		t.Errorf("%d enumeration contexts open on the server after Ctrl-C", n)
	}
	m = tm.mark()
	tm.send(`#s:get_instance("Win32_OperatingSystem") * 7` + "\r")
	tm.waitForAfter(m, "\n7\r\n", 10*time.Second) // the result, not the echoed line
	tm.send("\x04")
	start := time.Now()
	if err := tm.exit(2 * time.Second); err != nil { // was: hung until a key was pressed
		t.Fatalf("exit: %v", err)
	}
	t.Logf("Ctrl-D to exit: %v", time.Since(start))
}

// TestSignalReleasesServerEnumerations sends SIGINT and SIGTERM to a
// script with an enumeration left open (break) and another in a slow
// Pull on a real server: cimsh exits 130 and nothing stays open on the
// server.
func TestSignalReleasesServerEnumerations(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			srv := wsmantest.NewServer(t, wsmantest.Options{BasicUsers: map[string]string{"administrator": "Basic-Pa55"},
				AllowUnencrypted: true, MaxBatch: 1, Latency: 300 * time.Millisecond})
			sc := startScript(t, "cimsh", fmt.Sprintf(`
				local s = cim.new_session{computer_name = %q, port = %d, authentication = "basic",
					credential = cim.credential("administrator", "Basic-Pa55"), session_option = cim.new_session_option{no_encryption = true}}
				for p in s:instances("Win32_Process", {batch_size = 1}) do break end -- left open
				io.write("ready\n")
				for p in s:instances("Win32_Service", {batch_size = 1}) do end
				print("not reached")`, srv.Host(), srv.Port()))
			// In the second enumeration: its Enumerate is on the server.
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
				n := 0
				for _, o := range srv.Operations() {
					if o == "Enumerate" {
						n++
					}
				}
				if n == 2 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no second Enumerate on the server: %v", srv.Operations())
				}
			}
			if n := srv.Counters().Enumerations; n < 1 {
				t.Fatalf("%d enumerations open before the signal", n)
			}
			sc.signalAndWait(sig)
			if n := srv.Counters().Enumerations; n != 0 {
				t.Errorf("%d enumeration contexts left open on the server", n)
			}
		})
	}
}

//go:build unix

package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest"
)

// pullHolder, an http handler wrapper for wsmantest Options.Auth, lets
// the first pass Pulls through, then holds every Pull and Release until
// let is closed (or 30 s pass, which it notes), and tells arrived of each
// request it holds.
type pullHolder struct {
	pass     int64
	pulls    atomic.Int64
	hold     atomic.Bool
	arrived  chan string
	let      chan struct{}
	expired  atomic.Bool
	letGoOne sync.Once
	// releaseGaveUp: the client hung up a held Release before let (a
	// client that waited for it would, after its 5 s ReleaseTimeout).
	releaseGaveUp atomic.Bool
}

func newPullHolder(pass int64) *pullHolder {
	return &pullHolder{pass: pass, arrived: make(chan string, 64), let: make(chan struct{})}
}

func (h *pullHolder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		op := ""
		for _, o := range []string{"Pull", "Release"} {
			if bytes.Contains(body, []byte("/enumeration/"+o+"<")) {
				op = o
			}
		}
		if op == "Pull" && h.pulls.Add(1) > h.pass {
			h.hold.Store(true)
		}
		if op == "" || !h.hold.Load() {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case h.arrived <- op:
		default:
		}
		select {
		case <-h.let:
		case <-time.After(30 * time.Second):
			h.expired.Store(true)
		case <-r.Context().Done():
			select {
			case <-h.let:
			default:
				if op == "Release" {
					h.releaseGaveUp.Store(true)
				}
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (h *pullHolder) letGo() { h.letGoOne.Do(func() { close(h.let) }) }

// TestTerminalCtrlCSlowServer presses Ctrl-C during a streaming loop
// over real HTTP while the WS-Man server holds the loop's Pull (and would
// hold the Release too): the prompt is back while the server still holds
// them, the server's enumeration context is released all the same once
// it answers, and the session answers the next line. Events, not timers:
// Ctrl-C goes once the held Pull is on the server.
func TestTerminalCtrlCSlowServer(t *testing.T) {
	h := newPullHolder(1) // the loop's first Pull answers, the next is held
	defer h.letGo()
	srv := wsmantest.NewServer(t, wsmantest.Options{BasicUsers: map[string]string{"administrator": "Basic-Pa55"},
		AllowUnencrypted: true, MaxBatch: 1, Auth: h.wrap})
	tm := startTermCmd(t, "cimsh")
	m := tm.mark()
	tm.send(fmt.Sprintf(`s = cim.new_session{computer_name = %q, port = %d, authentication = "basic", `+
		`credential = cim.credential("administrator", "Basic-Pa55"), session_option = cim.new_session_option{no_encryption = true}}; print("ok" .. "-ready")`+"\r",
		srv.Host(), srv.Port()))
	tm.waitForAfter(m, "ok-ready", 5*time.Second)

	m = tm.mark()
	tm.send(`for p in s:instances("Win32_Process", {batch_size = 1}) do io.write("<" .. ">") end` + "\r")
	select {
	case op := <-h.arrived:
		if op != "Pull" {
			t.Fatalf("held a %s first, want a Pull", op)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no second Pull reached the server: %v", srv.Operations())
	}
	tm.waitForAfter(m, "<>", 10*time.Second) // the loop streams what came (not the echoed line)
	tm.send("\x03")
	// The server holds the Pull (and the Release) until h.letGo: the
	// prompt must not wait for them.
	tm.waitForAfter(m, "interrupted", 20*time.Second)
	if h.expired.Load() || h.releaseGaveUp.Load() {
		t.Fatalf("\"interrupted\" came only after a held request ended (let go after 30 s: %v; the client gave up the Release: %v)",
			h.expired.Load(), h.releaseGaveUp.Load())
	}
	h.letGo()
	if h.releaseGaveUp.Load() {
		t.Fatal("the client gave up the Release the server held")
	}
	for deadline := time.Now().Add(30 * time.Second); srv.Counters().Enumerations != 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if n := srv.Counters().Enumerations; n != 0 {
		t.Errorf("%d enumeration contexts open on the server after Ctrl-C: %v", n, srv.Operations())
	}
	m = tm.mark()
	tm.send(`#s:get_instance("Win32_OperatingSystem") * 7` + "\r")
	tm.waitForAfter(m, "\n7\r\n", 10*time.Second) // the result, not the echoed line
	tm.send("\x04")
	start := time.Now()
	if err := tm.exit(10 * time.Second); err != nil { // was: hung until a key was pressed
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

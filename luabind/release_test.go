package luabind

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest"
	lua "github.com/yuin/gopher-lua"
)

// TestInterruptDoesNotWaitForRelease interrupts an enumeration in the
// middle of a Pull the server holds, and the server holds the Release
// too: the chunk must end while the Release is still unanswered (Ctrl-C
// does not wait for it), and the server's context must still be released
// once the server answers (in the background, waited for by
// OpenEnumerations and CloseAll). Events, not timers: the interrupt goes
// once the Pull is on the server.
func TestInterruptDoesNotWaitForRelease(t *testing.T) {
	for name, code := range map[string]string{
		"instances":    `for svc in s:instances("Win32_Service", {batch_size = 1}) do end`,
		"get_instance": `r, err = s:get_instance{class_name = "Win32_Service", operation_timeout_sec = 30}`,
	} {
		t.Run(name, func(t *testing.T) {
			h := newHolder("Pull", "Release")
			e, srv := newWSManEnv(t, wsmantest.Options{MaxBatch: 1, Auth: h.wrap})
			released := false
			letGo := func() {
				if !released {
					released = true
					close(h.release)
				}
			}
			defer letGo()
			cancel := e.m.BeginChunk(context.Background())
			defer cancel()
			go func() {
				for {
					select {
					case op := <-h.arrived:
						if op == "Pull" {
							e.m.Interrupt()
							return
						}
					case <-time.After(30 * time.Second):
						return
					}
				}
			}()
			e.L.DoString(code)
			e.m.EndChunk()
			if h.letGoByTimer() {
				t.Error("the interrupted chunk waited until the server let its Release go")
			}
			letGo()
			if n := e.m.OpenEnumerations(); n != 0 {
				t.Errorf("%d enumerations open in the session", n)
			}
			if n := srv.Counters().Enumerations; n != 0 {
				t.Errorf("%d enumeration contexts left open on the server", n)
			}
			e.ok(`local l = assert(s:get_instance("Win32_OperatingSystem")); assert(#l == 1)`)
		})
	}
}

// TestAwaitPanicReachesCaller checks that a panic in an operation run
// off the Lua goroutine comes back as a Lua error, not a crash.
func TestAwaitPanicReachesCaller(t *testing.T) {
	e := newEnv(t)
	e.L.SetGlobal("boom", e.L.NewFunction(func(L *lua.LState) int {
		e.m.await(e.m.ctx(), func() { panic("provider bug") }, nil)
		return 0
	}))
	if msg := e.fails(`boom()`); !strings.Contains(msg, "provider bug") {
		t.Errorf("error %q", msg)
	}
	e.m.background(func() { panic("ignored") })
	e.m.waitPending()
}

// Operations run on workers kept between them (spawn): a run of
// operations one after another uses one goroutine, not one each, and a
// panic in one is raised where await was called and leaves the worker
// to run the next.
func TestAwaitReusesWorkers(t *testing.T) {
	m := &Module{} // what await uses of a Module: its workers
	goroutine := func() string {
		var buf [64]byte
		line, _, _ := strings.Cut(string(buf[:runtime.Stack(buf[:], false)]), "[")
		return line // "goroutine N "
	}
	seen := map[string]bool{}
	for i := range 50 {
		var g string
		if i == 10 {
			func() {
				defer func() {
					if r := recover(); r != "boom" {
						t.Errorf("await's panic: %v", r)
					}
				}()
				m.await(context.Background(), func() { panic("boom") }, nil)
			}()
		}
		if !m.await(context.Background(), func() { g = goroutine() }, nil) {
			t.Fatal("await returned before its function")
		}
		seen[g] = true
	}
	if len(seen) != 1 {
		t.Errorf("50 operations one after another ran on %d goroutines", len(seen))
	}
}

// A worker whose wait for more work runs out as an operation takes it
// from the idle list still runs that operation.
func TestAwaitWorkerTimingOutRunsItsJob(t *testing.T) {
	m := &Module{}
	ws := &m.workers
	ws.idleFor = time.Nanosecond
	ran := make(chan struct{})
	var once sync.Once
	ws.timedOut = func() {
		// The moment the race is lost: an operation takes this worker
		// from the idle list before it leaves it.
		once.Do(func() { m.spawn(func() {}, func() { close(ran) }) })
	}
	if !m.await(context.Background(), func() {}, nil) {
		t.Fatal("await returned before its function")
	}
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("the operation handed to a worker as its wait ran out never ran")
	}
}

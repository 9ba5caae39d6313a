package luabind

import (
	"context"
	"strings"
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

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
// middle of a Pull on a slow server (every reply, the Release's too,
// takes 600 ms): the chunk must end within the half second Ctrl-C
// promises, and the server's context must still be released (in the
// background, waited for by OpenEnumerations and CloseAll).
func TestInterruptDoesNotWaitForRelease(t *testing.T) {
	const latency = 600 * time.Millisecond
	for name, code := range map[string]string{
		"instances":    `for svc in s:instances("Win32_Service", {batch_size = 1}) do end`,
		"get_instance": `r, err = s:get_instance{class_name = "Win32_Service", operation_timeout_sec = 30}`,
	} {
		t.Run(name, func(t *testing.T) {
			e, srv := newWSManEnv(t, wsmantest.Options{MaxBatch: 1, Latency: latency})
			cancel := e.m.BeginChunk(context.Background())
			defer cancel()
			interrupted := make(chan time.Time, 1)
			go func() {
				time.Sleep(latency + latency/2) // Enumerate done, first Pull in flight
				interrupted <- time.Now()
				e.m.Interrupt()
			}()
			e.L.DoString(code)
			e.m.EndChunk()
			d := time.Since(<-interrupted)
			t.Logf("chunk ended %v after the interrupt", d)
			if d > 500*time.Millisecond {
				t.Errorf("the chunk ended %v after the interrupt (want < 0.5 s)", d)
			}
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

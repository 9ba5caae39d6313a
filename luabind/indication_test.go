package luabind

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"
)

const svcChanges = `SELECT * FROM __InstanceModificationEvent WITHIN 0.02 WHERE TargetInstance ISA 'Win32_Service'`

// TestRegisterIndicationEvent checks Register-CimIndicationEvent: the
// action runs for each event in sub:wait, sub:events iterates, the
// subscription lives across chunks until sub:close, max_trigger_count
// ends it, and s:close closes it.
func TestRegisterIndicationEvent(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		s = cim.new_session()
		seen = {}
		sub = assert(s:register_indication_event{query = "` + svcChanges + `", source_identifier = "svc",
			action = function(ev) seen[#seen + 1] = ev.TargetInstance.Name .. ":" .. ev.TargetInstance.State; return false end})
		assert(tostring(sub) == "Subscription(svc, open, 0 events)", tostring(sub))
	`)
	e.ok(`bits = s:get_instance{class_name = "Win32_Service", filter = "Name = 'BITS'"}[1]; assert(bits:invoke("StopService").ReturnValue == 0)`)
	e.ok(`
		assert(sub:wait(5) == 1 and seen[1] == "BITS:Stopped", tostring(seen[1]))
		assert(sub:wait(0.1) == 0 and sub.count == 1)
		assert(bits:invoke("StartService").ReturnValue == 0)
		local n = 0
		for ev in sub:events(5) do
			assert(ev.__CLASS == "__InstanceModificationEvent" and ev.TargetInstance.State == "Running")
			n = n + 1
			break
		end
		assert(n == 1 and sub.count == 2 and not sub.ended)
		sub:close()
		assert(sub.ended and sub:wait(0) == 0)

		once = assert(cim.register_indication_event{cim_session = s, query = "` + svcChanges + `", max_trigger_count = 1})
		assert(bits:invoke("StopService").ReturnValue == 0)
		local got = 0
		for ev in once:events(5) do got = got + 1 end
		assert(got == 1 and once.ended, "max_trigger_count ends the subscription")

		s2 = cim.new_session{computer_name = "h2"}
		open = assert(s2:register_indication_event("` + svcChanges + `"))
		s2:close()
		assert(open.ended, "closing the session closes its subscriptions")
	`)
	for code, want := range map[string]string{
		`s:register_indication_event{}`:                                            "query or class_name is required",
		`s:register_indication_event{query = "x", action = 1}`:                     "action must be a function",
		`s:register_indication_event{query = "x", max_trigger_count = 0}`:          "max_trigger_count must be positive",
		`assert(s:register_indication_event("` + svcChanges + `")):wait()`:         "sub:wait: the subscription has no action",
		`cim.register_indication_event{query = "x", cim_session = {s, s2}}`:        "a subscription runs on one session",
		`local x = assert(s:register_indication_event("` + svcChanges + `")).nope`: `subscription has no field or method "nope"`,
	} {
		if msg := e.fails(code); !strings.Contains(msg, want) {
			t.Errorf("%s: %q does not contain %q", code, msg, want)
		}
	}
	e.ok(`local sub, err = s:register_indication_event("SELECT * FROM Nope"); assert(sub == nil and err.category ~= nil, tostring(err))`)
}

// TestIndicationWaitInterrupted checks that Ctrl-C ends a wait that has
// no timeout at once, raising, and leaves the subscription open. The
// interrupt goes once the wait is parked in the subscription's Next (no
// event comes: nothing changes the services), not after a timer.
func TestIndicationWaitInterrupted(t *testing.T) {
	e := newEnv(t)
	e.ok(`s = cim.new_session(); sub = assert(s:register_indication_event{query = "` + svcChanges + `", action = function() end})`)
	cancel := e.m.BeginChunk(context.Background())
	defer cancel()
	go func() {
		waitParked(t, "cim.(*Subscription).Next(")
		e.m.Interrupt()
	}()
	done := make(chan error, 1)
	go func() { done <- e.L.DoString(`sub:wait()`) }()
	// The wait has no end of its own: a generous bound still tells it
	// apart.
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("an interrupted wait did not raise")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Ctrl-C did not end the wait")
	}
	e.m.EndChunk()
	e.ok(`assert(not sub.ended, "the subscription stays registered"); sub:close()`)
}

// waitParked waits (10 s at most) until a goroutine is parked in a
// select or channel operation inside the function frame names: the
// event of a wait that nothing outside the process can see.
func waitParked(t *testing.T, frame string) {
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			head, _, _ := strings.Cut(g, "\n")
			if (strings.Contains(head, "[select") || strings.Contains(head, "[chan receive")) && strings.Contains(g, frame) {
				return
			}
		}
	}
	t.Errorf("no goroutine parked in %s after 10 s", frame)
}

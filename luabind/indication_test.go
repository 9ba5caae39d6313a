package luabind

import (
	"context"
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
// no timeout at once, raising, and leaves the subscription open.
func TestIndicationWaitInterrupted(t *testing.T) {
	e := newEnv(t)
	e.ok(`s = cim.new_session(); sub = assert(s:register_indication_event{query = "` + svcChanges + `", action = function() end})`)
	cancel := e.m.BeginChunk(context.Background())
	defer cancel()
	go func() {
		time.Sleep(100 * time.Millisecond)
		e.m.Interrupt()
	}()
	start := time.Now()
	err := e.L.DoString(`sub:wait()`)
	e.m.EndChunk()
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("wait: %v after %v", err, time.Since(start))
	}
	e.ok(`assert(not sub.ended, "the subscription stays registered"); sub:close()`)
}

package luabind

import (
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/wsmantest"
)

// TestWSManOMIAbandonedIteratorReleased: on OMI an enumeration left
// open keeps the provider of its class busy, so every later request for
// the class waits (PROTOCOL.md). A Lua loop that breaks out of
// s:instances leaves its enumeration open until the chunk ends; the
// next chunk's queries of the same class then run, none of them left
// waiting for that enumeration until their timeout.
func TestWSManOMIAbandonedIteratorReleased(t *testing.T) {
	e, srv := newWSManEnv(t, wsmantest.Options{Dialect: wsmantest.OMI, MaxBatch: 2})
	// One service a page: the pages pulled ahead of the loop do not
	// reach the end of the eight, so the broken loop leaves it open.
	e.ok(`
		for svc in s:instances("Win32_Service", {batch_size = 1}) do break end
		local n = 0
		for svc in s:instances("Win32_Process", {batch_size = 2}) do
			n = n + 1
			if n == 3 then break end
		end`)
	e.ok(`
		local quick = cim.new_session{computer_name = host, port = port, authentication = "basic",
			credential = cim.credential("administrator", "Basic-Pa55"), operation_timeout_sec = 10,
			session_option = cim.new_session_option{no_encryption = true}}
		local svcs = assert(quick:get_instance("Win32_Service"))
		assert(#svcs == 8, #svcs)
		local procs = assert(s:get_instance{class_name = "Win32_Process", filter = "ProcessId = 4"})
		assert(#procs == 1, #procs)`)
	if n := srv.Counters().Enumerations; n != 0 {
		t.Errorf("%d enumeration contexts open after both chunks", n)
	}
	// The abandoned Win32_Service enumeration is released before the
	// next chunk's query of the class (the Win32_Process loop ran to
	// EndOfSequence on its prefetched Pulls: nothing to release).
	released, requeried := 0, 0
	for _, l := range srv.Requests() {
		// (The Pull in flight when a loop broke and the Release that
		// closing sends go out together: whichever the server takes
		// second may find the context gone, InvalidEnumerationContext.
		// A Pull of the abandoned enumeration still in flight when it is
		// closed is cut short by the client: the server logs the
		// provider's cancellation as a fault.)
		cutShort := l.Operation == "Pull" && strings.HasSuffix(l.ResourceURI, "/Win32_Service") && released == 0 && l.Fault == "w:InternalError"
		benign := (l.Operation == "Release" || l.Operation == "Pull") && l.Fault == "n:InvalidEnumerationContext" || cutShort
		if l.Fault != "" && !benign || l.BlockedBy != "" || l.DeadContext {
			t.Errorf("%s of %s: fault %q, blocked by %q, dead context %v", l.Operation, l.ResourceURI, l.Fault, l.BlockedBy, l.DeadContext)
		}
		switch {
		case l.Operation == "Release" && strings.HasSuffix(l.ResourceURI, "/Win32_Service"):
			released = l.Seq
		case l.Operation == "Enumerate" && strings.HasSuffix(l.ResourceURI, "/Win32_Service"):
			requeried = l.Seq
		}
	}
	if released == 0 || released > requeried {
		t.Errorf("the abandoned enumeration was released at #%d, the class queried again at #%d: %v", released, requeried, srv.Operations())
	}
}

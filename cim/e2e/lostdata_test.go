package e2e

import (
	"errors"
	"testing"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// Requests whose connection drops after the server acted on them, at the
// worst moment: on a reused keep-alive connection (the transport's resend
// path), after the server handed out what the reply carried.

// dropModes are the two ways a reply is lost: no byte of it, or half.
var dropModes = []struct {
	name    string
	partial bool
}{{"no-reply", false}, {"partial-reply", true}}

// logged returns the first logged request of operation op, and its index.
func logged(srv *wsmantest.Server, op string) (wsmantest.LoggedRequest, int) {
	for i, l := range srv.Requests() {
		if l.Operation == op {
			return l, i
		}
	}
	return wsmantest.LoggedRequest{}, -1
}

// A Pull is never sent twice: the batch the server handed to the lost
// reply would be skipped silently (3 instances asked, 2 returned, no
// error). The enumeration fails with category connection, returns no
// partial list, and its context is released on a fresh connection.
func TestPullNeverResent(t *testing.T) {
	for _, mode := range dropModes {
		t.Run(mode.name, func(t *testing.T) {
			dialects(t, func(t *testing.T, d wsmantest.Dialect) {
				srv := basicServer(t, d, wsmantest.Options{MaxBatch: 1})
				s := basicSession(t, srv)
				ctx := testCtx(t)
				srv.InjectFault(wsmantest.MatchOperation("Pull"),
					wsmantest.FaultSpec{AfterServing: true, Close: true, PartialReply: mode.partial})
				got, err := s.GetInstances(ctx, threeProcesses)
				f := mustFault(t, "an enumeration whose Pull reply was lost", err)
				t.Logf("lost Pull: %v (server saw %v)", err, srv.Operations())
				if got != nil {
					t.Errorf("a failed enumeration returned a list of %d instances", len(got))
				}
				if f.Category != model.CategoryConnection || !errors.Is(err, model.ErrConnection) {
					t.Errorf("category %q, want connection", f.Category)
				}
				enum, _ := logged(srv, "Enumerate")
				pull, pi := logged(srv, "Pull")
				if pi < 0 || pull.RemoteAddr != enum.RemoteAddr {
					t.Fatalf("the Pull did not reuse the Enumerate's connection (%s, %s): the test misses the resend path", pull.RemoteAddr, enum.RemoteAddr)
				}
				if n := count(srv, "Pull"); n != 1 {
					t.Fatalf("the server saw %d Pulls, want 1 (never resent): %v", n, srv.Operations())
				}
				rel, ri := logged(srv, "Release")
				if ri < pi || rel.EnumerationContext != pull.EnumerationContext || rel.RemoteAddr == pull.RemoteAddr {
					t.Errorf("want a Release of context %q on a fresh connection after the Pull; got %q from %s (log %v)",
						pull.EnumerationContext, rel.EnumerationContext, rel.RemoteAddr, srv.Operations())
				}
				if n := srv.Counters().Enumerations; n != 0 {
					t.Errorf("%d enumeration contexts left open on the server", n)
				}

				// Streaming: the iteration stops with the error after the
				// instances it did get.
				srv.ResetLog()
				srv.InjectFault(wsmantest.MatchOperation("Pull"),
					wsmantest.FaultSpec{AfterServing: true, Close: true, PartialReply: mode.partial})
				en, err := s.Enumerate(ctx, threeProcesses)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for en.Next(ctx) {
					n++
				}
				if f, ok := model.AsFault(en.Err()); !ok || f.Category != model.CategoryConnection || n != 1 {
					t.Errorf("streaming: %d instances then %v, want 1 then a connection error", n, en.Err())
				}

				// The session goes on working.
				if got, err := s.GetInstances(ctx, threeProcesses); err != nil || len(got) != 3 {
					t.Fatalf("afterwards: %d instances, %v", len(got), err)
				}
			})
		})
	}
}

// An Enumerate is never sent twice either: a second one would open a
// second context on the server while the first stays open, unreleasable.
func TestEnumerateNeverResent(t *testing.T) {
	for _, mode := range dropModes {
		t.Run(mode.name, func(t *testing.T) {
			dialects(t, func(t *testing.T, d wsmantest.Dialect) {
				srv := basicServer(t, d, wsmantest.Options{MaxBatch: 1})
				s := basicSession(t, srv)
				ctx := testCtx(t)
				if _, err := s.Test(ctx); err != nil { // a keep-alive connection to reuse
					t.Fatal(err)
				}
				srv.InjectFault(wsmantest.MatchOperation("Enumerate"),
					wsmantest.FaultSpec{AfterServing: true, Close: true, PartialReply: mode.partial})
				got, err := s.GetInstances(ctx, threeProcesses)
				f := mustFault(t, "an enumeration whose Enumerate reply was lost", err)
				t.Logf("lost Enumerate: %v", err)
				if got != nil || f.Category != model.CategoryConnection {
					t.Errorf("%d instances, category %q; want none and connection", len(got), f.Category)
				}
				id, _ := logged(srv, "Identify")
				enum, _ := logged(srv, "Enumerate")
				if enum.RemoteAddr != id.RemoteAddr {
					t.Fatalf("the Enumerate did not reuse the connection (%s, %s)", enum.RemoteAddr, id.RemoteAddr)
				}
				if n := count(srv, "Enumerate"); n != 1 {
					t.Fatalf("the server saw %d Enumerates, want 1: %v", n, srv.Operations())
				}
			})
		})
	}
}

// A Get changes nothing on the server: over a reused connection that
// drops after the server answered, it is sent again, transparently.
func TestGetResentAfterDrop(t *testing.T) {
	for _, mode := range dropModes {
		t.Run(mode.name, func(t *testing.T) {
			dialects(t, func(t *testing.T, d wsmantest.Dialect) {
				srv := basicServer(t, d, wsmantest.Options{})
				s := basicSession(t, srv)
				ctx := testCtx(t)
				svc := ref("Win32_Service", "root/cimv2", "Name", "Spooler")
				if _, err := s.GetInstance(ctx, svc, cim.Options{}); err != nil { // warm: connection and schema
					t.Fatal(err)
				}
				srv.ResetLog()
				srv.InjectFault(wsmantest.MatchOperation("Get"),
					wsmantest.FaultSpec{AfterServing: true, Close: true, PartialReply: mode.partial})
				inst, err := s.GetInstance(ctx, svc, cim.Options{})
				if err != nil || text(inst, "Name") != "Spooler" {
					t.Fatalf("a Get whose reply was lost was not resent: %v %v", text(inst, "Name"), err)
				}
				reqs := srv.Requests()
				if len(reqs) != 2 || reqs[0].Operation != "Get" || reqs[1].Operation != "Get" || reqs[0].RemoteAddr == reqs[1].RemoteAddr {
					t.Fatalf("want the Get twice, the second on a fresh connection: %v", srv.Operations())
				}
			})
		})
	}
}

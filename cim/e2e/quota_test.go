package e2e

import (
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// A server that allows one open enumeration per user (old Windows allow
// 15, OMI blocks on a leaked one) keeps serving a client that releases
// what it abandons: by Close, after a failed Pull, and after GetInstances
// ends early.
func TestAbandonedEnumerationsDoNotLeak(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{MaxEnumerations: 1})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		q := cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: 2}

		for i := 0; i < 5; i++ {
			en, err := s.Enumerate(ctx, q)
			if err != nil {
				t.Fatalf("enumeration #%d: %v", i, err)
			}
			if !en.Next(ctx) {
				t.Fatalf("Next #%d: %v", i, en.Err())
			}
			en.Close()
		}

		// The quota is real: a second open enumeration is refused. (Of
		// another class: on OMI, one of the same class would wait for the
		// first, whose provider is busy. One instance a page, so that
		// the pages pulled ahead do not reach the end of the first.)
		pulls := count(srv, "Pull")
		first, err := s.Enumerate(ctx, cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		// Its pipeline fills (PagesAhead Pulls) and stops: no Pull of it
		// is in flight when it is closed, which would reach the server
		// after the client gave it up and take the fault injected below.
		if !waitFor(30*time.Second, func() bool { return count(srv, "Pull")-pulls >= wsman.PagesAhead() }) {
			t.Fatalf("%d Pulls ahead of an idle reader, want %d", count(srv, "Pull")-pulls, wsman.PagesAhead())
		}
		_, err = s.Enumerate(ctx, cim.InstanceQuery{ClassName: "Win32_Process", BatchSize: 2})
		f := mustFault(t, "a second open enumeration", err)
		t.Logf("over quota (%s): %v", f.Category, err)
		if f.Category != model.CategoryQuota {
			t.Errorf("over quota: category %s", f.Category)
		}
		first.Close()

		// A Pull that fails: the context is released all the same.
		srv.InjectFault(wsmantest.MatchOperation("Pull"), wsmantest.FaultInternalError)
		if _, err := s.GetInstances(ctx, q); err == nil {
			t.Fatal("the injected Pull fault was not reported")
		}
		if got, err := s.GetInstances(ctx, q); err != nil || len(got) != 8 {
			t.Fatalf("after a failed Pull: %d services, %v (the context leaked?)", len(got), err)
		}
		if c := srv.Counters(); c.Enumerations != 0 {
			t.Errorf("%d contexts open", c.Enumerations)
		}
	})
}

package e2e

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// OMI's busy provider (PROTOCOL.md): while an enumeration of a class is
// open, OMI's provider host for the class serves nothing else. The test
// server's OMI dialect models it, so a client that asks for a schema
// between an Enumerate and its end waits until the request times out.

// numbers is how many XYZ_Number instances the enumeration has:
// 25 pages under OMI's 256,000-byte cap.
const numbers = 10000

// numbersProvider serves root/test XYZ_Number (derived from the abstract
// XYZ_Base) with numbers instances.
func numbersProvider(numbers int) *memprov.Provider {
	p := memprov.New(model.Identity{ProductVendor: "Microsoft", ProductVersion: "OMI 1.9.1"}, "OMISRV")
	p.Register("root/test", memprov.ClassDef{Class: &model.Class{Name: "XYZ_Base",
		Properties: []model.PropertyDecl{{Name: "Number", Type: model.TypeUint32, Key: true}}}})
	list := make([]*model.Instance, numbers)
	for i := range list {
		inst := model.NewInstance("XYZ_Number", "root/test")
		inst.SetKey("Number", model.Uint(model.TypeUint32, uint64(i)))
		inst.Set("Square", model.Uint(model.TypeUint64, uint64(i)*uint64(i)))
		inst.Set("Name", model.String("number "+strconv.Itoa(i)))
		list[i] = inst
	}
	p.Register("root/test", memprov.ClassDef{
		Class: &model.Class{Name: "XYZ_Number", SuperClass: "XYZ_Base", Properties: []model.PropertyDecl{
			{Name: "Square", Type: model.TypeUint64}, {Name: "Name", Type: model.TypeString}}},
		List: func(context.Context) ([]*model.Instance, error) { return list, nil },
	})
	return p
}

// omiNumbers is an OMI-dialect server of numbersProvider(n) and a session
// to it whose operation timeout is short: a deadlock fails by timeout.
func omiNumbers(t *testing.T, n int) (*wsmantest.Server, *cim.Session) {
	t.Helper()
	srv := basicServer(t, wsmantest.OMI, wsmantest.Options{Provider: numbersProvider(n)})
	cfg := config(srv, cim.AuthBasic, cim.NewCredential(basicUser, basicPassword), cim.SessionOption{NoEncryption: true})
	cfg.OperationTimeout = 2 * time.Second
	return srv, open(t, cfg)
}

// longCtx bounds a test that moves thousands of instances (slow under
// the race detector on a shared machine); each request still has the
// session's short operation timeout.
func longCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// onlyPulls checks the log of one enumeration: nothing waited for a busy
// provider, and between the Enumerate and the reply carrying
// EndOfSequence the client sent only Pulls (and Releases), at least
// minPulls of them.
func onlyPulls(t *testing.T, srv *wsmantest.Server, minPulls int) []wsmantest.LoggedRequest {
	t.Helper()
	reqs := srv.Requests()
	start, pulls := -1, 0
	for i, l := range reqs {
		if l.BlockedBy != "" {
			t.Errorf("request %d (%s) waited for the busy provider of enumeration %s", i, l.Operation, l.BlockedBy)
		}
		if l.Operation == "Enumerate" && start < 0 {
			start = i
		}
		if start < 0 || i == start {
			continue
		}
		switch l.Operation {
		case "Pull":
			pulls++
		case "Release":
		default:
			t.Fatalf("a %s (%s) between the Enumerate and EndOfSequence: %v", l.Operation, l.ResourceURI, srv.Operations())
		}
		if l.EndOfSequence {
			if pulls < minPulls {
				t.Fatalf("%d Pulls, want a multi-page enumeration (%d or more)", pulls, minPulls)
			}
			return reqs[i+1:]
		}
	}
	t.Fatalf("no EndOfSequence after the Enumerate: %v", srv.Operations())
	return nil
}

// The reproduction: streaming 10,000 instances of one class on
// OMI. The schema is asked for before the Enumerate, so the enumeration
// completes, typed, with only Pulls in between.
func TestOMIBusyProviderStreaming(t *testing.T) {
	srv, s := omiNumbers(t, numbers)
	ctx := longCtx(t)
	en, err := s.Enumerate(ctx, cim.InstanceQuery{ClassName: "XYZ_Number", Namespace: "root/test"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for en.Next(ctx) {
		inst := en.Instance()
		if v, _ := inst.Get("Square"); v.Type() != model.TypeUint64 {
			t.Fatalf("instance %d: Square is %v, want uint64 (typed by the schema)", n, v.Type())
		}
		n++
	}
	if err := en.Err(); err != nil || n != numbers {
		t.Fatalf("%d instances, %v (server saw %v)", n, err, srv.Operations())
	}
	if ops := srv.Operations(); ops[0] != "Get" || ops[1] != "Enumerate" {
		t.Errorf("want the schema Get before the Enumerate: %v", ops)
	}
	onlyPulls(t, srv, 2)
	if c := srv.Counters().Enumerations; c != 0 {
		t.Errorf("%d contexts open", c)
	}
}

// A query of a base class returns instances of a subclass whose schema is
// not known yet: they are decoded without a schema, and the subclass's
// schema is fetched after the enumeration ended, for later queries.
func TestOMIBusyProviderSubclasses(t *testing.T) {
	const n = 2000 // 5 pages
	srv, s := omiNumbers(t, n)
	ctx := longCtx(t)
	q := cim.InstanceQuery{Query: "SELECT * FROM XYZ_Base", Namespace: "root/test"}
	got, err := s.GetInstances(ctx, q)
	if err != nil || len(got) != n {
		t.Fatalf("%d instances, %v (server saw %v)", len(got), err, srv.Operations())
	}
	if got[0].ClassName != "XYZ_Number" {
		t.Fatalf("class %s", got[0].ClassName)
	}
	after := onlyPulls(t, srv, 2)
	if len(after) != 1 || after[0].Operation != "Get" || after[0].Selectors == nil {
		t.Fatalf("want one schema Get after the end: %v", srv.Operations())
	}
	if name, _ := after[0].Selector("ClassName"); name != "XYZ_Number" {
		t.Fatalf("the Get after the end asked for %q", name)
	}

	srv.ResetLog()
	got, err = s.GetInstances(ctx, q)
	if err != nil || len(got) != n {
		t.Fatalf("second query: %d instances, %v", len(got), err)
	}
	if v, _ := got[7].Get("Square"); v.Type() != model.TypeUint64 || v.Text() != "49" {
		t.Fatalf("second query: Square %v %q, want uint64 49 (typed from the schema fetched after the first)", v.Type(), v.Text())
	}
	if after := onlyPulls(t, srv, 2); len(after) != 0 {
		t.Fatalf("requests after the second query's end: %v", srv.Operations())
	}
}

package e2e

import (
	"testing"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// OMI's quirks (PROTOCOL.md, "Server quirks a client must tolerate")
// that the OMI dialect models and the session must get past.

// OMI sends an EnumerationContext beside EndOfSequence; it is dead, and
// the client neither pulls nor releases it: not when the first page
// ends the enumeration, not when a Pull does, not when the enumeration
// is closed after its end, not when the session closes.
func TestOMIDeadContextNeverUsed(t *testing.T) {
	srv := basicServer(t, wsmantest.OMI, wsmantest.Options{})
	s := basicSession(t, srv)
	ctx := testCtx(t)
	for _, batch := range []int{0, 3} { // one page; three Pulls
		got, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: batch})
		if err != nil || len(got) != 8 {
			t.Fatalf("batch %d: %d services, %v", batch, len(got), err)
		}
	}
	// Streamed: the whole result on the first page, then closed; and
	// pulled to the end, then closed twice.
	for _, batch := range []int{8, 3} {
		en, err := s.Enumerate(ctx, cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: batch})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for en.Next(ctx) {
			n++
			if batch == 8 {
				break
			}
		}
		if err := en.Err(); err != nil || n == 0 {
			t.Fatalf("batch %d: %d services, %v", batch, n, err)
		}
		en.Close()
		en.Close()
	}
	s.Close()
	ends := 0
	for _, l := range srv.Requests() {
		if l.EndOfSequence {
			ends++
		}
		if l.DeadContext {
			t.Errorf("request #%d (%s) named the dead context %s that came with EndOfSequence", l.Seq, l.Operation, l.EnumerationContext)
		}
	}
	if ends != 4 {
		t.Errorf("%d replies carried EndOfSequence (and a dead context), want 4: %v", ends, srv.Operations())
	}
	if n := count(srv, "Release"); n != 0 {
		t.Errorf("%d Releases after enumerations that ended", n)
	}
}

// OMI names an Invoke's output <p:Method>, <p:Method_OUTPUT> or
// <p:Class_OUTPUT> depending on the provider, under the request's own
// Action: out parameters arrive whatever the name.
func TestOMIInvokeOutputNames(t *testing.T) {
	for _, o := range []wsmantest.OMIOutput{wsmantest.OMIOutputMethod, wsmantest.OMIOutputMethodOUTPUT, wsmantest.OMIOutputClassOUTPUT} {
		srv := basicServer(t, wsmantest.OMI, wsmantest.Options{OMIInvokeOutput: o})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		out, err := s.InvokeMethod(ctx, cim.MethodCall{ClassName: "Win32_Process", Method: "Create",
			Arguments: []model.Property{{Name: "CommandLine", Value: model.String("notepad.exe")}}})
		if err != nil || text(out, "ReturnValue") != "0" || text(out, "ProcessId") != "4000" {
			t.Fatalf("output name %d: Create gave %v, %v", o, out, err)
		}
		own, err := s.InvokeMethod(ctx, cim.MethodCall{Input: ref("Win32_Process", "root/cimv2", "Handle", "4000"), Method: "GetOwner"})
		if err != nil || text(own, "User") != "SYSTEM" || text(own, "ReturnValue") != "0" {
			t.Fatalf("output name %d: GetOwner gave %v, %v", o, own, err)
		}
	}
}

// OMI cannot parse indentation inside Create and Put bodies and
// association filters (an empty HTTP 500): the session's requests carry
// none, so all of these pass on the OMI dialect.
func TestOMIRequestsNotIndented(t *testing.T) {
	srv := basicServer(t, wsmantest.OMI, wsmantest.Options{})
	s := basicSession(t, srv)
	ctx := testCtx(t)
	inst := model.NewInstance("Cimsh_ValueKinds", "root/cimv2")
	inst.SetKey("Id", model.String("omi-indent"))
	inst.Set("Str", model.String("  leading and\n  inner spaces  "))
	inst.Set("Strings", model.Array(model.TypeString, []model.Value{model.String(" a"), model.String("b ")}))
	inner := model.NewInstance("Cimsh_Inner", "root/cimv2")
	inner.Set("Label", model.String(" inner "))
	inst.Set("Inner", model.Embedded(inner))
	if _, err := s.NewInstance(ctx, inst, cim.Options{}); err != nil {
		t.Fatalf("NewInstance: %v", err)
	}
	got, err := s.GetInstance(ctx, ref("Cimsh_ValueKinds", "root/cimv2", "Id", "omi-indent"), cim.Options{})
	if err != nil || text(got, "Str") != "  leading and\n  inner spaces  " {
		t.Fatalf("Get after Create: %q %v", text(got, "Str"), err)
	}
	got.Set("Str", model.String("\n"))
	if _, err := s.SetInstance(ctx, got, []string{"Str"}, cim.Options{}); err != nil {
		t.Fatalf("SetInstance: %v", err)
	}
	assoc, err := s.GetAssociatedInstances(ctx, cim.AssociatedQuery{Input: ref("Win32_Service", "root/cimv2", "Name", "RpcSs"),
		Association: "Win32_DependentService", ResultClassName: "Win32_Service", Role: "Antecedent"})
	if err != nil || len(assoc) == 0 {
		t.Fatalf("GetAssociatedInstances: %d, %v", len(assoc), err)
	}
	for _, l := range srv.Requests() {
		if l.Refused != "" || l.Status != 200 {
			t.Errorf("%s: HTTP %d, refused for %q", l.Operation, l.Status, l.Refused)
		}
	}
	for _, op := range []string{"Create", "Put", "Enumerate"} {
		if count(srv, op) == 0 {
			t.Errorf("no %s reached the server: %v", op, srv.Operations())
		}
	}
	back, err := s.GetInstance(ctx, got, cim.Options{})
	if err != nil || text(back, "Str") != "\n" || text(back, "Inner") == "<missing>" {
		t.Errorf("after Put: Str %q Inner %s, %v", text(back, "Str"), text(back, "Inner"), err)
	}
}

package e2e

import (
	"testing"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// schemaGet matches the CIM-XML schema Get of one class.
func schemaGet(class string) func(*wsmantest.LoggedRequest) bool {
	return func(l *wsmantest.LoggedRequest) bool {
		name, _ := l.Selector("ClassName")
		return l.Operation == "Get" && name == class
	}
}

// schemaGets counts the schema Gets of class in the log.
func schemaGets(srv *wsmantest.Server, class string) int {
	n, match := 0, schemaGet(class)
	for _, l := range srv.Requests() {
		if match(&l) {
			n++
		}
	}
	return n
}

// processID returns the type of the first instance's ProcessId.
func processIDType(t *testing.T, list []*model.Instance) model.Type {
	t.Helper()
	if len(list) == 0 {
		t.Fatal("no instances")
	}
	v, ok := list[0].Get("ProcessId")
	if !ok {
		t.Fatal("no ProcessId")
	}
	return v.Type()
}

// A schema Get that failed for a reason that may pass (a timeout, a
// reset connection, a 5xx) is not remembered: the query goes on untyped,
// and the next use asks again and is typed. Get-CimClass reports the
// failure, then succeeds.
func TestSchemaTransientFailureNotRemembered(t *testing.T) {
	failures := []struct {
		name string
		spec wsmantest.FaultSpec
		cat  model.Category
	}{
		{"timeout", wsmantest.FaultTimedOut, model.CategoryTimeout},
		{"server-error", wsmantest.FaultInternalError, model.CategoryFailed},
		// Twice: the transport sends a Get again once, on a fresh connection.
		{"reset", wsmantest.FaultSpec{Close: true, Times: 2}, model.CategoryConnection},
	}
	for _, fl := range failures {
		t.Run(fl.name, func(t *testing.T) {
			dialects(t, func(t *testing.T, d wsmantest.Dialect) {
				srv := basicServer(t, d, wsmantest.Options{})
				s := basicSession(t, srv)
				ctx := testCtx(t)
				if _, err := s.Test(ctx); err != nil { // a keep-alive connection
					t.Fatal(err)
				}
				q := cim.InstanceQuery{ClassName: "Win32_Service"}
				srv.InjectFault(schemaGet("Win32_Service"), fl.spec)
				got, err := s.GetInstances(ctx, q)
				if err != nil {
					t.Fatalf("a query whose schema failed: %v", err)
				}
				if ty := processIDType(t, got); ty != model.TypeUnknown {
					t.Fatalf("ProcessId %v without a schema", ty)
				}
				srv.ResetLog()
				if got, err = s.GetInstances(ctx, q); err != nil {
					t.Fatal(err)
				}
				if ty := processIDType(t, got); ty != model.TypeUint32 || schemaGets(srv, "Win32_Service") != 1 {
					t.Fatalf("the next query: ProcessId %v after %d schema Gets (%v); want the schema asked again and uint32",
						ty, schemaGets(srv, "Win32_Service"), srv.Operations())
				}

				srv.InjectFault(schemaGet("Win32_Process"), fl.spec)
				_, err = s.GetClass(ctx, "root/cimv2", "Win32_Process")
				if f := mustFault(t, "Get-CimClass whose Get failed", err); f.Category != fl.cat {
					t.Errorf("category %s, want %s: %v", f.Category, fl.cat, err)
				}
				cls, err := s.GetClass(ctx, "root/cimv2", "Win32_Process")
				if err != nil || cls.Property("ProcessId") == nil {
					t.Fatalf("Get-CimClass after a failure that may pass: %v", err)
				}
			})
		})
	}
}

// A definitive refusal (access denied) is remembered for the session: it
// is asked for once, and each caller gets its own copy of the error.
func TestSchemaRefusalRemembered(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		srv.InjectFault(schemaGet("Win32_Service"), wsmantest.FaultSpec{Subcode: "w:AccessDenied", Times: -1})
		q := cim.InstanceQuery{ClassName: "Win32_Service"}
		for i := 0; i < 2; i++ {
			got, err := s.GetInstances(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if ty := processIDType(t, got); ty != model.TypeUnknown {
				t.Fatalf("ProcessId %v", ty)
			}
		}
		e1, e2 := func() error { _, err := s.GetClass(ctx, "root/cimv2", "Win32_Service"); return err }(),
			func() error { _, err := s.GetClass(ctx, "root/cimv2", "Win32_Service"); return err }()
		f1, f2 := mustFault(t, "refused schema", e1), mustFault(t, "refused schema", e2)
		if f1.Category != model.CategoryAccessDenied || f2.Category != model.CategoryAccessDenied || f1 == f2 {
			t.Errorf("refusals %v (%p), %v (%p): want access_denied twice, distinct values", e1, f1, e2, f2)
		}
		if n := schemaGets(srv, "Win32_Service"); n != 1 {
			t.Fatalf("the refused schema was asked for %d times: %v", n, srv.Operations())
		}
	})
}

package wsman_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// badValue rewrites the text of every property element named prop.
func badValue(prop, text string) func(*wsmantest.LoggedRequest, *wsmantest.Reply) {
	const wrapped = `<[\w-]+:(?:Datetime|Interval|Date|Time)>[^<]*</[\w-]+:(?:Datetime|Interval|Date|Time)>`
	re := regexp.MustCompile(`(<[\w-]+:` + prop + `(?: [^>]*)?>)(?:` + wrapped + `|[^<]*)(</)`)
	return func(_ *wsmantest.LoggedRequest, r *wsmantest.Reply) {
		r.Body = re.ReplaceAll(r.Body, []byte("${1}"+text+"${2}"))
	}
}

// instanceOp matches requests for instances (not the class schema).
func instanceOp(op string) func(*wsmantest.LoggedRequest) bool {
	return func(l *wsmantest.LoggedRequest) bool {
		return l.IsOperation(op) && !strings.Contains(l.ResourceURI, "cim-xml")
	}
}

// wantValueFault checks err is a protocol fault naming class, property,
// value and type.
func wantValueFault(t *testing.T, err error, names ...string) {
	t.Helper()
	f, ok := model.AsFault(err)
	if !ok || f.Category != model.CategoryProtocol {
		t.Fatalf("got %v, want a protocol fault", err)
	}
	for _, n := range names {
		if !strings.Contains(f.Error(), n) {
			t.Errorf("%q does not name %s", f.Error(), n)
		}
	}
	if strings.Contains(f.Summary(), "wsman:") {
		t.Errorf("summary %q carries the package name", f.Summary())
	}
}

// TestE2EValuesAreChecked: over real HTTP, a value that does not fit the
// type its class schema declares fails the Get or the enumeration (with
// its context released) instead of becoming a string.
func TestE2EValuesAreChecked(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		ctx := context.Background()
		srv, c := newE2E(t, d, wsmantest.Options{MaxBatch: 2}, wsman.Options{})
		winrm := &model.GetRequest{Path: &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "WinRM"}}}}
		if _, err := c.Get(ctx, winrm); err != nil { // the schema is cached from here on
			t.Fatal(err)
		}
		for _, bad := range []struct{ prop, text, typ string }{
			{"ProcessId", "-1", "uint32"},
			{"ProcessId", "4294967296", "uint32"},
			{"Started", "maybe", "boolean"},
			{"ExitCode", "twelve", "uint32"},
		} {
			srv.RewriteReplies(instanceOp("Get"), 1, badValue(bad.prop, bad.text))
			inst, err := c.Get(ctx, winrm)
			if inst != nil {
				t.Errorf("%s %q taken as %v", bad.prop, bad.text, inst.PropertyList())
			}
			wantValueFault(t, err, "Win32_Service", bad.prop, `"`+bad.text+`"`, bad.typ)
		}

		// A datetime that is not one.
		srv.RewriteReplies(instanceOp("Enumerate"), 1, badValue("LastBootUpTime", "last tuesday"))
		e, err := c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_OperatingSystem"})
		if err == nil {
			e.Close()
		}
		wantValueFault(t, err, "Win32_OperatingSystem", "LastBootUpTime", `"last tuesday"`, "datetime")

		// In a later page: the enumeration ends with the error, and the
		// server's context is released.
		srv.RewriteReplies(instanceOp("Pull"), 1, badValue("ProcessId", "-1"))
		e, err = c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service", BatchSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for e.Next(ctx) {
			n++
		}
		wantValueFault(t, e.Err(), "Win32_Service", "ProcessId", `"-1"`, "uint32")
		e.Close()
		if n != 2 {
			t.Errorf("%d instances before the bad page, want the first page's 2", n)
		}
		if got := srv.Counters().Enumerations; got != 0 {
			t.Errorf("%d enumeration contexts left open", got)
		}
		// A method's output parameters are checked by the method's
		// declaration.
		srv.RewriteReplies(wsmantest.MatchOperation("Invoke"), 1, badValue("ReturnValue", "-7"))
		_, err = c.Invoke(ctx, &model.InvokeRequest{Target: winrm.Path, Method: "StopService"})
		wantValueFault(t, err, "ReturnValue", `"-7"`, "uint32")

		// The session goes on.
		if _, err := c.Get(ctx, winrm); err != nil {
			t.Fatal(err)
		}
	})
}

package wsmantest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsman/transport"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// End-to-end tests: cim/wsman's client over cim/wsman/transport against
// the test server on loopback.

var basicUsers = map[string]string{"administrator": "Basic-Pa55"}

func newClient(t *testing.T, s *wsmantest.Server, opts wsman.Options) (*wsman.Client, *transport.Client) {
	t.Helper()
	tr, err := transport.New(transport.Config{Host: s.Host(), Port: s.Port(), Auth: transport.AuthBasic, NoEncryption: true,
		User: "administrator", Password: "Basic-Pa55"})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Endpoint == "" {
		opts.Endpoint = s.URL()
	}
	c := wsman.NewClient(tr, opts)
	t.Cleanup(func() { c.Close() })
	return c, tr
}

func collect(t *testing.T, ctx context.Context, c model.Provider, req *model.EnumerateRequest) []*model.Instance {
	t.Helper()
	e, err := c.Enumerate(ctx, req)
	if err != nil {
		t.Fatalf("Enumerate: %v", err)
	}
	defer e.Close()
	var out []*model.Instance
	for e.Next(ctx) {
		out = append(out, e.Instance())
	}
	if err := e.Err(); err != nil {
		t.Fatalf("enumeration: %v", err)
	}
	return out
}

func dialects(t *testing.T, fn func(t *testing.T, d wsmantest.Dialect)) {
	for _, d := range []wsmantest.Dialect{wsmantest.Windows, wsmantest.OMI} {
		t.Run(d.String(), func(t *testing.T) { fn(t, d) })
	}
}

// A three-instance enumeration costs exactly one HTTP request once the
// schema is known (Basic needs no handshake).
func TestE2EThreeInstancesOneRequest(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		s := wsmantest.NewServer(t, wsmantest.Options{Dialect: d, BasicUsers: basicUsers, AllowUnencrypted: true})
		c, _ := newClient(t, s, wsman.Options{NoSchema: true})
		ctx := context.Background()
		got := collect(t, ctx, c, &model.EnumerateRequest{Query: "SELECT * FROM Win32_Process WHERE ProcessId > 0 AND ProcessId < 2000"})
		if len(got) != 3 {
			t.Fatalf("%d processes", len(got))
		}
		if n := s.Counters().Requests; n != 1 {
			t.Fatalf("%d HTTP requests for a 3-instance enumeration, want 1 (%v)", n, s.Operations())
		}
		if s.Counters().Enumerations != 0 {
			t.Fatal("an enumeration context stayed open")
		}
	})
}

func TestE2EOperations(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		s := wsmantest.NewServer(t, wsmantest.Options{Dialect: d, BasicUsers: basicUsers, AllowUnencrypted: true})
		c, _ := newClient(t, s, wsman.Options{BatchSize: 2})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()

		id, err := c.Identify(ctx)
		if err != nil || id.ProtocolVersion != "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" || id.ProductVendor == "" {
			t.Fatalf("Identify: %+v %v", id, err)
		}

		// Paging with Pull: 8 services in batches of 2.
		svcs := collect(t, ctx, c, &model.EnumerateRequest{ClassName: "Win32_Service"})
		if len(svcs) != 8 {
			t.Fatalf("%d services", len(svcs))
		}
		pulls := 0
		for _, op := range s.Operations() {
			if op == "Pull" {
				pulls++
			}
		}
		if pulls != 3 {
			t.Fatalf("%d Pulls for 8 items in batches of 2 (%v)", pulls, s.Operations())
		}
		if v, _ := svcs[0].Get("Started"); v.Type() != model.TypeBoolean {
			t.Fatalf("Started typed %s", v.Type())
		}

		// Get, typed by the schema.
		osi, err := c.Get(ctx, &model.GetRequest{Path: &model.Reference{ClassName: "Win32_LogicalDisk", Namespace: "root/cimv2",
			Selectors: []model.Selector{{Name: "DeviceID", Value: "C:"}}}})
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if v, _ := osi.Get("Size"); v.Text() != "32210153472" || v.Type() != model.TypeUint64 {
			t.Fatalf("Size %v (%s)", v, v.Type())
		}

		// Static method with out parameters.
		out, err := c.Invoke(ctx, &model.InvokeRequest{ClassName: "Win32_Process", Method: "Create",
			In: []model.Property{{Name: "CommandLine", Value: model.String("notepad.exe")}}})
		if err != nil {
			t.Fatalf("Invoke Create: %v", err)
		}
		if v, _ := out.Get("ProcessId"); v.Text() != "4000" {
			t.Fatalf("ProcessId %v", v)
		}
		if v, _ := out.Get("ReturnValue"); v.Text() != "0" {
			t.Fatalf("ReturnValue %v", v)
		}
		// Out arrays from a static method in root/default.
		out, err = c.Invoke(ctx, &model.InvokeRequest{Common: model.Common{Namespace: "root/default"}, ClassName: "StdRegProv", Method: "EnumKey",
			In: []model.Property{{Name: "hDefKey", Value: model.Uint(model.TypeUint32, 0x80000002)}, {Name: "sSubKeyName", Value: model.String(`SOFTWARE\Microsoft`)}}})
		if err != nil {
			t.Fatalf("EnumKey: %v", err)
		}
		if v, _ := out.Get("sNames"); !v.IsArray() || v.Len() != 2 || v.Elems()[1].Text() != "Windows NT" {
			t.Fatalf("sNames %v", v)
		}
		// Instance method changes state.
		w32 := &model.Reference{ClassName: "Win32_Service", Namespace: "root/cimv2", Selectors: []model.Selector{{Name: "Name", Value: "W32Time"}}}
		if out, err = c.Invoke(ctx, &model.InvokeRequest{ClassName: "Win32_Service", Target: w32, Method: "StartService"}); err != nil {
			t.Fatalf("StartService: %v", err)
		}
		got, err := c.Get(ctx, &model.GetRequest{Path: w32})
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := got.Get("State"); v.Text() != "Running" {
			t.Fatalf("State after StartService %v", v)
		}

		// Associations.
		deps := collect(t, ctx, c, &model.EnumerateRequest{Associated: &model.AssociationFilter{
			Source:           &model.Reference{ClassName: "Win32_Service", Namespace: "root/cimv2", Selectors: []model.Selector{{Name: "Name", Value: "RpcSs"}}},
			AssociationClass: "Win32_DependentService", ResultClass: "Win32_Service"}})
		if len(deps) != 4 {
			t.Fatalf("%d services associated with RpcSs", len(deps))
		}

		// Class schema and listing.
		cl, err := c.GetClass(ctx, &model.GetClassRequest{ClassName: "Win32_Process"})
		if err != nil || cl.Method("Create") == nil || !cl.Method("Create").Static || cl.Property("Handle") == nil || !cl.Property("Handle").Key {
			t.Fatalf("GetClass: %+v %v", cl, err)
		}
		classes, err := c.EnumerateClasses(ctx, &model.EnumerateClassesRequest{Common: model.Common{Namespace: "root/default"}})
		if err != nil || len(classes) != 1 || classes[0].Name != "StdRegProv" {
			t.Fatalf("EnumerateClasses: %v %v", classes, err)
		}
	})
}

// Every value kind survives Get -> Modify -> Get, and Create/Delete work.
func TestE2EValueRoundTrip(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		s := wsmantest.NewServer(t, wsmantest.Options{Dialect: d, BasicUsers: basicUsers, AllowUnencrypted: true})
		c, _ := newClient(t, s, wsman.Options{})
		ctx := context.Background()
		path := &model.Reference{ClassName: "Cimsh_ValueKinds", Namespace: "root/cimv2", Selectors: []model.Selector{{Name: "Id", Value: "all"}}}
		first, err := c.Get(ctx, &model.GetRequest{Path: path})
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		want := wsmantest.KindsValues()
		for _, p := range want.All() {
			if p.Name == "EmptyArray" {
				continue
			}
			v, _ := first.Get(p.Name)
			if !model.Equal(v, p.Value) {
				t.Errorf("%s: got %v (%s), want %v (%s)", p.Name, v, v.Type(), p.Value, p.Value.Type())
			}
		}
		if _, err := c.Modify(ctx, &model.ModifyRequest{Instance: first}); err != nil {
			t.Fatalf("Modify: %v", err)
		}
		second, err := c.Get(ctx, &model.GetRequest{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range first.All() {
			v, _ := second.Get(p.Name)
			if !model.Equal(v, p.Value) {
				t.Errorf("after Modify %s: got %v, want %v", p.Name, v, p.Value)
			}
		}
		inst := model.NewInstance("Cimsh_ValueKinds", "root/cimv2")
		inst.SetKey("Id", model.String("e2e"))
		inst.Set("S64", model.Sint(model.TypeSint64, -9223372036854775808))
		if _, err := c.Create(ctx, &model.CreateRequest{Instance: inst}); err != nil {
			t.Fatalf("Create: %v", err)
		}
		del := &model.Reference{ClassName: "Cimsh_ValueKinds", Namespace: "root/cimv2", Selectors: []model.Selector{{Name: "Id", Value: "e2e"}}}
		if err := c.Delete(ctx, &model.DeleteRequest{Path: del}); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := c.Get(ctx, &model.GetRequest{Path: del}); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("Get after Delete: %v", err)
		}
	})
}

func TestE2EFaults(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		s := wsmantest.NewServer(t, wsmantest.Options{Dialect: d, BasicUsers: basicUsers, AllowUnencrypted: true, ComputerName: "SRV1"})
		c, _ := newClient(t, s, wsman.Options{NoSchema: true})
		ctx := context.Background()
		_, err := c.Get(ctx, &model.GetRequest{Path: &model.Reference{ClassName: "Win32_Nope", Namespace: "root/cimv2",
			Selectors: []model.Selector{{Name: "Name", Value: "x"}}}})
		if !errors.Is(err, model.ErrInvalidClass) {
			t.Errorf("unknown class: %v", err)
		}
		_, err = c.Get(ctx, &model.GetRequest{Path: &model.Reference{ClassName: "Win32_Service", Namespace: "root/cimv2",
			Selectors: []model.Selector{{Name: "Name", Value: "nope"}}}})
		if !errors.Is(err, model.ErrNotFound) {
			t.Errorf("no such instance: %v", err)
		}
		if e, err := c.Enumerate(ctx, &model.EnumerateRequest{Query: "SELECT FROM WHERE"}); err == nil {
			e.Next(ctx)
			err = e.Err()
			e.Close()
			if !errors.Is(err, model.ErrInvalidQuery) {
				t.Errorf("bad WQL: %v", err)
			}
		} else if !errors.Is(err, model.ErrInvalidQuery) {
			t.Errorf("bad WQL: %v", err)
		}
		s.InjectFault(nil, wsmantest.FaultAccessDenied)
		if _, err := c.Identify(ctx); !errors.Is(err, model.ErrAccessDenied) {
			t.Errorf("AccessDenied: %v", err)
		}
		// A Pull that times out on the server is retried.
		c2, _ := newClient(t, s, wsman.Options{NoSchema: true, BatchSize: 3})
		s.InjectFault(wsmantest.MatchOperation("Pull"), wsmantest.FaultTimedOut)
		if got := collect(t, ctx, c2, &model.EnumerateRequest{ClassName: "Win32_Service"}); len(got) != 8 {
			t.Errorf("after a TimedOut Pull: %d services", len(got))
		}
		// An abandoned enumeration is released.
		e, err := c2.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service"})
		if err != nil {
			t.Fatal(err)
		}
		e.Next(ctx)
		e.Close()
		if n := s.Counters().Enumerations; n != 0 {
			t.Errorf("%d enumerations open after Close", n)
		}
	})
}

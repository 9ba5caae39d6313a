package wsman_test

import (
	"context"
	"errors"
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsman/transport"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// newE2E starts the project's test server in a dialect and returns a
// client over the real transport (Basic, AllowUnencrypted on loopback).
func newE2E(t *testing.T, d wsmantest.Dialect, so wsmantest.Options, co wsman.Options) (*wsmantest.Server, *wsman.Client) {
	t.Helper()
	so.Dialect = d
	so.BasicUsers = map[string]string{"tester": "S3cret!pw"}
	so.AllowUnencrypted = true
	srv := wsmantest.NewServer(t, so)
	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(u.Port())
	tr, err := transport.New(transport.Config{Host: u.Hostname(), Port: port, Prefix: u.Path, Auth: transport.AuthBasic,
		User: "tester", Password: "S3cret!pw", NoEncryption: true})
	if err != nil {
		t.Fatal(err)
	}
	co.Endpoint = srv.URL()
	co.ComputerName = u.Hostname()
	c := wsman.NewClient(tr, co)
	t.Cleanup(func() { c.Close() })
	return srv, c
}

func dialects(t *testing.T, f func(t *testing.T, d wsmantest.Dialect)) {
	for _, d := range []wsmantest.Dialect{wsmantest.Windows, wsmantest.OMI} {
		t.Run(d.String(), func(t *testing.T) { f(t, d) })
	}
}

func all(t *testing.T) func(model.Enumerator, error) []*model.Instance {
	return func(e model.Enumerator, err error) []*model.Instance { t.Helper(); return collectAll(t, e, err) }
}

func collectAll(t *testing.T, e model.Enumerator, err error) []*model.Instance {
	t.Helper()
	if err != nil {
		t.Fatalf("Enumerate: %v", err)
	}
	defer e.Close()
	var out []*model.Instance
	for e.Next(context.Background()) {
		out = append(out, e.Instance())
	}
	if err := e.Err(); err != nil {
		t.Fatalf("enumeration: %v", err)
	}
	return out
}

func get(t *testing.T, inst *model.Instance, name string) model.Value {
	t.Helper()
	v, ok := inst.Get(name)
	if !ok {
		t.Fatalf("%s has no %s (has %v)", inst.ClassName, name, inst.Names())
	}
	return v
}

// putGetsBack Puts inst at path, Gets it again and requires what comes
// back to equal inst; it returns what came back.
func putGetsBack(ctx context.Context, t *testing.T, c *wsman.Client, path *model.Reference, inst *model.Instance) *model.Instance {
	t.Helper()
	if _, err := c.Modify(ctx, &model.ModifyRequest{Instance: inst}); err != nil {
		t.Fatal(err)
	}
	again, err := c.Get(ctx, &model.GetRequest{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if !again.Equal(inst) {
		t.Errorf("after Put:\n%v\nwant\n%v", again.PropertyList(), inst.PropertyList())
	}
	return again
}

func TestE2EIdentifyAndEnumerate(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		ctx := context.Background()
		srv, c := newE2E(t, d, wsmantest.Options{}, wsman.Options{})
		id, err := c.Identify(ctx)
		if err != nil || id.ProtocolVersion != wsman.NsWSMan || id.ProductVendor == "" {
			t.Fatalf("Identify: %+v %v", id, err)
		}
		svcs := all(t)(c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service"}))
		if len(svcs) < 3 {
			t.Fatalf("%d services", len(svcs))
		}
		winrm := findByName(svcs, "WinRM")
		if winrm == nil {
			t.Fatalf("no WinRM service")
		}
		if pid := get(t, winrm, "ProcessId"); pid.Type() != model.TypeUint32 {
			t.Errorf("ProcessId typed %v", pid.Type())
		}
		if !winrm.IsKey("Name") || winrm.Path().String() != `Win32_Service.Name="WinRM"` {
			t.Errorf("path = %s", winrm.Path())
		}
		// Second enumeration: the schema is cached, one request.
		srv.ResetLog()
		all(t)(c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service"}))
		if ops := srv.Operations(); len(ops) != 1 {
			t.Errorf("cached-schema enumeration made requests %v, want one", ops)
		}
		os := all(t)(c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_OperatingSystem"}))
		if len(os) != 1 {
			t.Fatalf("%d OS", len(os))
		}
		if v := get(t, os[0], "LastBootUpTime"); v.Type() != model.TypeDatetime {
			t.Errorf("LastBootUpTime %v typed %v", v, v.Type())
		}
		if v := get(t, os[0], "MUILanguages"); !v.IsArray() {
			t.Errorf("MUILanguages %v not an array", v)
		}
	})
}

func findByName(list []*model.Instance, name string) *model.Instance {
	for _, i := range list {
		if v, ok := i.Get("Name"); ok && strings.EqualFold(v.Text(), name) {
			return i
		}
	}
	return nil
}

func TestE2EValueKindsRoundTrip(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		ctx := context.Background()
		_, c := newE2E(t, d, wsmantest.Options{}, wsman.Options{})
		path := &model.Reference{ClassName: "Cimsh_ValueKinds", Selectors: []model.Selector{{Name: "Id", Value: "all"}}}
		got, err := c.Get(ctx, &model.GetRequest{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		want := wsmantest.KindsValues()
		for _, p := range want.All() {
			v, ok := got.Get(p.Name)
			if p.Value.IsArray() && p.Value.Len() == 0 && !p.Value.IsNull() {
				continue // WinRM leaves empty arrays out
			}
			if !ok || !model.Equal(v, p.Value) {
				t.Errorf("%s = %v (%v array=%v), want %v (%v)", p.Name, v, v.Type(), v.IsArray(), p.Value, p.Value.Type())
			}
		}
		// Put it back unchanged, then Get again: uint64 max and sint64
		// min survive byte for byte.
		again := putGetsBack(ctx, t, c, path, got)
		if u, _ := get(t, again, "U64").AsUint(); u != math.MaxUint64 {
			t.Errorf("U64 = %v", get(t, again, "U64"))
		}
		if i, _ := get(t, again, "S64").AsInt(); i != math.MinInt64 {
			t.Errorf("S64 = %v", get(t, again, "S64"))
		}
		ctl, err := c.Get(ctx, &model.GetRequest{Path: &model.Reference{ClassName: "Cimsh_ValueKinds", Selectors: []model.Selector{{Name: "Id", Value: "control"}}}})
		if err != nil {
			t.Fatal(err)
		}
		s := get(t, ctl, "Str").Text()
		if d == wsmantest.OMI && s != "bell\x07 escape\x1b end" {
			t.Errorf("OMI control characters: %q", s)
		}
		if d == wsmantest.Windows && s != "bell? escape? end" {
			t.Errorf("Windows control characters: %q", s)
		}
	})
}

func TestE2EQueriesAndAssociations(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		ctx := context.Background()
		_, c := newE2E(t, d, wsmantest.Options{}, wsman.Options{})
		frag := all(t)(c.Enumerate(ctx, &model.EnumerateRequest{Query: "SELECT Name, State FROM Win32_Service WHERE Name = 'WinRM'"}))
		if len(frag) != 1 || get(t, frag[0], "Name").Text() != "WinRM" || frag[0].ClassName != "Win32_Service" {
			t.Fatalf("query = %v", frag)
		}
		keys := all(t)(c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service", KeyOnly: true}))
		if len(keys) < 3 || keys[0].Ref == nil || keys[0].Len() != 1 || !keys[0].IsKeyAt(0) {
			t.Fatalf("key-only = %v", keys)
		}
		src := &model.Reference{ClassName: "Win32_Service", Namespace: "root/cimv2", Selectors: []model.Selector{{Name: "Name", Value: "WinRM"}}}
		assoc := all(t)(c.Enumerate(ctx, &model.EnumerateRequest{Associated: &model.AssociationFilter{Source: src, AssociationClass: "Win32_DependentService"}}))
		if len(assoc) == 0 {
			t.Fatalf("no associated instances")
		}
		for _, a := range assoc {
			if a.ClassName != "Win32_Service" {
				t.Errorf("associated %s", a)
			}
		}
		refs := all(t)(c.Enumerate(ctx, &model.EnumerateRequest{Associated: &model.AssociationFilter{Source: src, References: true, ResultClass: "Win32_DependentService"}}))
		if len(refs) == 0 || refs[0].ClassName != "Win32_DependentService" {
			t.Fatalf("references = %v", refs)
		}
		if _, ok := get(t, refs[0], "Antecedent").AsReference(); !ok {
			t.Errorf("Antecedent = %v", get(t, refs[0], "Antecedent"))
		}
		// An association instance's keys are references: its path has
		// selectors holding EPRs, and a Get by it finds it again.
		again, err := c.Get(ctx, &model.GetRequest{Path: refs[0].Path()})
		if err != nil {
			t.Fatalf("Get by reference keys %s: %v", refs[0].Path(), err)
		}
		if !again.Equal(refs[0]) {
			t.Errorf("Get by reference keys = %v, want %v", again.PropertyList(), refs[0].PropertyList())
		}
	})
}

func TestE2EMethods(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		ctx := context.Background()
		srv, c := newE2E(t, d, wsmantest.Options{}, wsman.Options{})
		out, err := c.Invoke(ctx, &model.InvokeRequest{ClassName: "Win32_Process", Method: "Create",
			In: []model.Property{{Name: "CommandLine", Value: model.String("notepad.exe")}}})
		if err != nil {
			t.Fatal(err)
		}
		if rv := get(t, out, "ReturnValue"); rv.Text() != "0" || rv.Type() != model.TypeUint32 {
			t.Errorf("ReturnValue = %v (%v)", rv, rv.Type())
		}
		pid, ok := get(t, out, "ProcessId").AsUint()
		if !ok || pid == 0 {
			t.Fatalf("ProcessId = %v", get(t, out, "ProcessId"))
		}
		srv.ResetLog()
		svc := &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "Spooler"}}}
		if _, err := c.Invoke(ctx, &model.InvokeRequest{Target: svc, Method: "StopService"}); err != nil {
			t.Fatal(err)
		}
		inst, err := c.Get(ctx, &model.GetRequest{Path: svc})
		if err != nil {
			t.Fatal(err)
		}
		if st := get(t, inst, "State").Text(); st != "Stopped" {
			t.Errorf("State after StopService = %q", st)
		}
		for _, l := range srv.Requests() {
			if l.IsOperation("Invoke") {
				if v, _ := l.Selector("Name"); v != "Spooler" {
					t.Errorf("Invoke sent selector Name=%q", v)
				}
			}
		}
		// StdRegProv in root/default: out parameters and out arrays.
		reg := model.Common{Namespace: "root/default"}
		hklm := model.Uint(model.TypeUint32, 0x80000002)
		if _, err := c.Invoke(ctx, &model.InvokeRequest{Common: reg, ClassName: "StdRegProv", Method: "SetStringValue", In: []model.Property{
			{Name: "hDefKey", Value: hklm}, {Name: "sSubKeyName", Value: model.String(`SOFTWARE\cimsh`)},
			{Name: "sValueName", Value: model.String("v")}, {Name: "sValue", Value: model.String("x & <y>")}}}); err != nil {
			t.Fatal(err)
		}
		got, err := c.Invoke(ctx, &model.InvokeRequest{Common: reg, ClassName: "StdRegProv", Method: "GetStringValue", In: []model.Property{
			{Name: "hDefKey", Value: hklm}, {Name: "sSubKeyName", Value: model.String(`SOFTWARE\cimsh`)}, {Name: "sValueName", Value: model.String("v")}}})
		if err != nil {
			t.Fatal(err)
		}
		if s := get(t, got, "sValue").Text(); s != "x & <y>" {
			t.Errorf("sValue = %q", s)
		}
		keys, err := c.Invoke(ctx, &model.InvokeRequest{Common: reg, ClassName: "StdRegProv", Method: "EnumKey", In: []model.Property{
			{Name: "hDefKey", Value: hklm}, {Name: "sSubKeyName", Value: model.String("SOFTWARE")}}})
		if err != nil {
			t.Fatal(err)
		}
		if names := get(t, keys, "sNames"); !names.IsArray() || names.Len() == 0 {
			t.Errorf("sNames = %v", names)
		}
	})
}

func TestE2ECreateDeleteAndClasses(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		ctx := context.Background()
		_, c := newE2E(t, d, wsmantest.Options{}, wsman.Options{})
		inst := model.NewInstance("Cimsh_ValueKinds", "root/cimv2")
		inst.SetKey("Id", model.String("new & <one>"))
		inst.Set("U64", model.Uint(model.TypeUint64, 18446744073709551615))
		created, err := c.Create(ctx, &model.CreateRequest{Instance: inst})
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := created.Get("Id"); v.Text() != "new & <one>" {
			t.Errorf("created Id = %v", v)
		}
		back, err := c.Get(ctx, &model.GetRequest{Path: created.Path()})
		if err != nil {
			t.Fatal(err)
		}
		if u, _ := get(t, back, "U64").AsUint(); u != math.MaxUint64 {
			t.Errorf("U64 = %v", get(t, back, "U64"))
		}
		if err := c.Delete(ctx, &model.DeleteRequest{Path: created.Path()}); err != nil {
			t.Fatal(err)
		}
		_, err = c.Get(ctx, &model.GetRequest{Path: created.Path()})
		if !errors.Is(err, model.ErrNotFound) {
			t.Errorf("Get after Delete: %v", err)
		}
		cl, err := c.GetClass(ctx, &model.GetClassRequest{ClassName: "Win32_Process"})
		if err != nil {
			t.Fatal(err)
		}
		m := cl.Method("Create")
		if m == nil || !m.Static || m.Parameter("ProcessId") == nil || !m.Parameter("ProcessId").Out {
			t.Errorf("Win32_Process.Create = %+v", m)
		}
		classes, err := c.EnumerateClasses(ctx, &model.EnumerateClassesRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if len(classes) < 5 {
			t.Errorf("%d classes", len(classes))
		}
	})
}

func TestE2EPagingReleaseAndFaults(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		ctx := context.Background()
		srv, c := newE2E(t, d, wsmantest.Options{MaxBatch: 2}, wsman.Options{BatchSize: 2})
		svcs := all(t)(c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service"}))
		if len(svcs) < 3 {
			t.Fatalf("%d services", len(svcs))
		}
		if n := srv.Counters().Enumerations; n != 0 {
			t.Errorf("%d contexts left open after a full enumeration", n)
		}
		// Abandoned after one instance: released on Close. (One instance
		// a page: the pages pulled ahead do not reach the end of the
		// eight.)
		e, err := c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service", BatchSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		e.Next(ctx)
		if n := srv.Counters().Enumerations; n != 1 {
			t.Errorf("%d contexts open mid-enumeration", n)
		}
		e.Close()
		if n := srv.Counters().Enumerations; n != 0 {
			t.Errorf("%d contexts open after Close", n)
		}
		// A Pull that times out on the server is retried.
		e, err = c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service"})
		if err != nil {
			t.Fatal(err)
		}
		srv.InjectFault(wsmantest.MatchOperation("Pull"), wsmantest.FaultTimedOut)
		n := 0
		for e.Next(ctx) {
			n++
		}
		if e.Err() != nil || n != len(svcs) {
			t.Errorf("after TimedOut: n=%d err=%v", n, e.Err())
		}
		e.Close()
		// An expired context is reported as such (one page ahead of the
		// consumer: a deeper pipeline could have pulled every page before
		// the expiry).
		wsman.SetAheadPages(c, 1)
		e, _ = c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service"})
		srv.ExpireEnumerations()
		for e.Next(ctx) {
		}
		e.Close()
		if f, ok := model.AsFault(e.Err()); !ok || !strings.HasSuffix(f.Subcode, "InvalidEnumerationContext") {
			t.Errorf("expired context: %v", e.Err())
		}
		_, err = c.Get(ctx, &model.GetRequest{Path: &model.Reference{ClassName: "Win32_NoSuchClass", Selectors: []model.Selector{{Name: "K", Value: "1"}}}})
		if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryInvalidClass || f.HTTPStatus != 500 {
			t.Errorf("no such class: %v", err)
		}
		_, err = all2(c.Enumerate(ctx, &model.EnumerateRequest{Common: model.Common{Namespace: "root/nosuch"}, ClassName: "Win32_Service"}))
		if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryInvalidNamespace {
			t.Errorf("no such namespace: %v", err)
		}
		_, err = all2(c.Enumerate(ctx, &model.EnumerateRequest{Query: "SELEKT * FROM"}))
		if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryInvalidQuery {
			t.Errorf("bad WQL: %v", err)
		}
	})
}

func all2(e model.Enumerator, err error) ([]*model.Instance, error) {
	if err != nil {
		return nil, err
	}
	defer e.Close()
	var out []*model.Instance
	for e.Next(context.Background()) {
		out = append(out, e.Instance())
	}
	return out, e.Err()
}

func TestE2ECancelReleases(t *testing.T) {
	srv, c := newE2E(t, wsmantest.OMI, wsmantest.Options{MaxBatch: 1}, wsman.Options{BatchSize: 1})
	ctx, cancel := context.WithCancel(context.Background())
	e, err := c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service"})
	if err != nil {
		t.Fatal(err)
	}
	e.Next(ctx)
	cancel()
	if e.Next(ctx) {
		t.Fatal("Next after cancel")
	}
	deadline := time.Now().Add(5 * time.Second)
	for srv.Counters().Enumerations != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := srv.Counters().Enumerations; n != 0 {
		t.Errorf("%d contexts left open after cancellation", n)
	}
	if f, ok := model.AsFault(e.Err()); !ok || f.Category != model.CategoryCanceled {
		t.Errorf("err = %v", e.Err())
	}
}

// One client used from many goroutines: schema cache, enumerations and
// transport shared (run with -race). Each enumeration fits in its
// Enumerate response: concurrent Pulls trip a data race inside wsmantest
// (expireLocked reads enumeration.lastUsed without its lock), reported to
// its author.
func TestE2EConcurrentUse(t *testing.T) {
	_, c := newE2E(t, wsmantest.Windows, wsmantest.Options{}, wsman.Options{})
	ctx := context.Background()
	errs := make(chan error, 16)
	for g := 0; g < 8; g++ {
		go func() {
			e, err := c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service"})
			if err != nil {
				errs <- err
				return
			}
			n := 0
			for e.Next(ctx) {
				n++
			}
			e.Close()
			if e.Err() != nil || n < 3 {
				errs <- errors.Join(e.Err(), errors.New("short enumeration"))
				return
			}
			_, err = c.Get(ctx, &model.GetRequest{Path: &model.Reference{ClassName: "Win32_LogicalDisk", Selectors: []model.Selector{{Name: "DeviceID", Value: "C:"}}}})
			errs <- err
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// The WMI resource URI form (namespace in the path) works as well.
func TestE2EWMIForm(t *testing.T) {
	ctx := context.Background()
	_, c := newE2E(t, wsmantest.Windows, wsmantest.Options{}, wsman.Options{URIForm: wsman.FormWMI})
	disks := all(t)(c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_LogicalDisk"}))
	if len(disks) != 2 {
		t.Fatalf("%d disks", len(disks))
	}
	if u, ok := get(t, disks[0], "Size").AsUint(); !ok || u == 0 {
		t.Errorf("Size = %v", get(t, disks[0], "Size"))
	}
	reg := model.Common{Namespace: "root/default"}
	out, err := c.Invoke(ctx, &model.InvokeRequest{Common: reg, ClassName: "StdRegProv", Method: "EnumKey", In: []model.Property{
		{Name: "hDefKey", Value: model.Uint(model.TypeUint32, 0x80000002)}, {Name: "sSubKeyName", Value: model.String("SOFTWARE")}}})
	if err != nil {
		t.Fatal(err)
	}
	if rv, _ := out.Get("ReturnValue"); rv.Text() != "0" {
		t.Errorf("ReturnValue = %v", rv)
	}
}

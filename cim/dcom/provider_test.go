package dcom_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/dcom"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
	"github.com/cimsh/cimsh/cim/dcomtest"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

const user, password = "wmiuser", "Dc0m-Pass!"

func start(t *testing.T) *dcomtest.Server {
	if testing.Verbose() {
		return startLog(t)
	}
	t.Helper()
	s, err := dcomtest.Start(dcomtest.Options{Users: []ntlmserver.User{{Name: user, Password: password}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func provider(t *testing.T, s *dcomtest.Server, level uint8) *dcom.Provider {
	t.Helper()
	host, _, _ := net.SplitHostPort(s.Addr())
	p, err := dcom.New(dcom.Config{Host: host, Port: s.Port(), User: user, Password: password, Level: level, ComputerName: "DCOMTEST"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func drain(t *testing.T, c context.Context, e model.Enumerator, err error) []*model.Instance {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var out []*model.Instance
	for e.Next(c) {
		out = append(out, e.Instance())
	}
	if err := e.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSameInstances: over DCOM, at both authentication levels, every
// class of the fixture's root/cimv2 gives the instances the fixture
// holds, with the same property names, values and CIM types.
func TestSameInstances(t *testing.T) {
	s := start(t)
	want := wsmantest.FixtureProvider("DCOMTEST")
	c := ctx(t)
	classes, err := want.EnumerateClasses(c, &model.EnumerateClassesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, level := range []uint8{rpc.LevelIntegrity, rpc.LevelPrivacy} {
		p := provider(t, s, level)
		compared := 0
		for _, cl := range classes {
			we, err := want.Enumerate(c, &model.EnumerateRequest{ClassName: cl.Name})
			if err != nil {
				continue // abstract or method-only classes
			}
			wi := drain(t, c, we, nil)
			ge, err := p.Enumerate(c, &model.EnumerateRequest{ClassName: cl.Name})
			gi := drain(t, c, ge, err)
			if len(gi) != len(wi) {
				t.Fatalf("%s: %d instances over DCOM, %d in the fixture", cl.Name, len(gi), len(wi))
			}
			for i := range wi {
				if gi[i].ClassName != wi[i].ClassName || gi[i].ComputerName != "DCOMTEST" || gi[i].Namespace != "root/cimv2" {
					t.Errorf("%s[%d]: %s %s %s", cl.Name, i, gi[i].ClassName, gi[i].ComputerName, gi[i].Namespace)
				}
				for _, wp := range wi[i].All() {
					g, ok := gi[i].Get(wp.Name)
					if !ok || !model.Equal(g, wp.Value) {
						t.Errorf("%s[%d].%s: %v (%s), want %v (%s)", cl.Name, i, wp.Name, g, g.Type(), wp.Value, wp.Value.Type())
					}
					compared++
				}
			}
		}
		if compared < 100 {
			t.Fatalf("only %d values compared", compared)
		}
	}
}

// TestOperations: query with a property list, get by key, instance and
// static methods, class schema, associators, create/modify/delete, at
// both authentication levels (every WMI call arriving at that level).
func TestOperations(t *testing.T) {
	for _, level := range []uint8{rpc.LevelIntegrity, rpc.LevelPrivacy} {
		t.Run(map[uint8]string{rpc.LevelIntegrity: "integrity", rpc.LevelPrivacy: "privacy"}[level], func(t *testing.T) {
			s := start(t)
			operations(t, provider(t, s, level))
			if lv := s.Levels(); len(lv) != 1 || lv[level] < 10 {
				t.Fatalf("WMI calls by authentication level: %v, want all %d at level %d", lv, lv[level], level)
			}
		})
	}
}

func operations(t *testing.T, p *dcom.Provider) {
	c := ctx(t)
	e, err := p.Enumerate(c, &model.EnumerateRequest{Query: "SELECT Name, State FROM Win32_Service WHERE StartMode = 'Auto'"})
	got := drain(t, c, e, err)
	if len(got) == 0 || got[0].Len() != 2 {
		t.Fatalf("query: %v", got)
	}
	ref := &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "Spooler"}}}
	svc, err := p.Get(c, &model.GetRequest{Path: ref})
	if err != nil || svc.NameAt(0) == "" {
		t.Fatalf("get: %v %v", svc, err)
	}
	if v, _ := svc.Get("State"); v.Text() != "Running" {
		t.Fatalf("Spooler state %v", v)
	}
	out, err := p.Invoke(c, &model.InvokeRequest{ClassName: "Win32_Service", Target: ref, Method: "StopService"})
	if err != nil {
		t.Fatal(err)
	}
	if rv, _ := out.Get("ReturnValue"); rv.Text() != "0" || rv.Type() != model.TypeUint32 {
		t.Fatalf("StopService: %v", out)
	}
	svc, _ = p.Get(c, &model.GetRequest{Path: ref})
	if v, _ := svc.Get("State"); v.Text() != "Stopped" {
		t.Fatalf("after StopService: %v", v)
	}
	out, err = p.Invoke(c, &model.InvokeRequest{ClassName: "Win32_Process", Method: "Create",
		In: []model.Property{{Name: "CommandLine", Value: model.String("notepad.exe")}}})
	if err != nil {
		t.Fatal(err)
	}
	if pid, _ := out.Get("ProcessId"); pid.IsNull() {
		t.Fatalf("Create: %v", out)
	}
	cl, err := p.GetClass(c, &model.GetClassRequest{ClassName: "Win32_Service"})
	if err != nil || cl.Method("StopService") == nil || cl.Property("Name") == nil || !cl.Property("Name").Key {
		t.Fatalf("class %+v %v", cl, err)
	}
	e, err = p.Enumerate(c, &model.EnumerateRequest{Associated: &model.AssociationFilter{Source: &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "WinRM"}}}}})
	if assoc := drain(t, c, e, err); len(assoc) == 0 {
		t.Fatal("no associators of WinRM")
	}
	if _, err := p.Invoke(c, &model.InvokeRequest{ClassName: "Win32_Service", Method: "Nope"}); !errors.Is(err, model.ErrMethodMissing) {
		t.Fatalf("unknown method: %v", err)
	}
	kinds := wsmantest.KindsValues()
	kinds.Set("Id", model.String("new"))
	created, err := p.Create(c, &model.CreateRequest{Instance: kinds})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := created.Get("U64"); v.Text() != "18446744073709551615" {
		t.Fatalf("created %v", created)
	}
	created.Set("Str", model.String("changed"))
	mod, err := p.Modify(c, &model.ModifyRequest{Instance: created})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := mod.Get("Str"); v.Text() != "changed" {
		t.Fatalf("modified %v", v)
	}
	if err := p.Delete(c, &model.DeleteRequest{Path: created.Path()}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Get(c, &model.GetRequest{Path: created.Path()}); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

// TestFaults: WMI HRESULTs map to the WS-Man categories and CIM status
// codes; transport failures read as one line.
func TestFaults(t *testing.T) {
	s := start(t)
	p := provider(t, s, rpc.LevelIntegrity)
	c := ctx(t)
	_, err := p.Enumerate(c, &model.EnumerateRequest{ClassName: "Nope_Class"})
	f, ok := model.AsFault(err)
	if !ok || f.Category != model.CategoryInvalidClass || f.CIMStatus != model.CIMInvalidClass || f.ErrorCode != 0x80041010 || f.ComputerName != "DCOMTEST" ||
		!strings.Contains(err.Error(), `class "Nope_Class" does not exist in root/cimv2 (WBEM_E_INVALID_CLASS)`) {
		t.Fatalf("unknown class: %#v", err)
	}
	_, err = p.Enumerate(c, &model.EnumerateRequest{Common: model.Common{Namespace: "root/nope"}, ClassName: "X"})
	if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryInvalidNamespace {
		t.Fatalf("unknown namespace: %v", err)
	}
	_, err = p.Enumerate(c, &model.EnumerateRequest{Query: "SELEKT nonsense"})
	if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryInvalidQuery {
		t.Fatalf("bad query: %v", err)
	}

	host, _, _ := net.SplitHostPort(s.Addr())
	bad, _ := dcom.New(dcom.Config{Host: host, Port: s.Port(), User: user, Password: "wrong"})
	defer bad.Close()
	_, err = bad.Enumerate(c, &model.EnumerateRequest{ClassName: "Win32_Service"})
	if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryAccessDenied || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("wrong password: %v", err)
	}

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	refused, _ := dcom.New(dcom.Config{Host: "127.0.0.1", Port: port, User: user, Password: password})
	_, err = refused.Enumerate(c, &model.EnumerateRequest{ClassName: "Win32_Service"})
	if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryUnreachable || !strings.Contains(err.Error(), "connect to 127.0.0.1:") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("refused: %v", err)
	}
}

// TestAbandonedAndDropped: an enumeration abandoned early is released on
// the server; a server that drops the connection mid-enumeration gives an
// error, and the next operation reconnects.
func TestAbandonedAndDropped(t *testing.T) {
	s := start(t)
	p := provider(t, s, rpc.LevelPrivacy)
	c := ctx(t)
	base := -1
	for i := 0; i < 2; i++ {
		e, err := p.Enumerate(c, &model.EnumerateRequest{ClassName: "Win32_Service", BatchSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !e.Next(c) {
			t.Fatal(e.Err())
		}
		if base < 0 {
			base = s.Objects() - 1 // login, services, and this enumerator
		}
		e.Close()
		if s.Objects() != base {
			t.Fatalf("%d objects after Close, want %d", s.Objects(), base)
		}
	}
	e, err := p.Enumerate(c, &model.EnumerateRequest{ClassName: "Win32_Service", BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	e.Next(c)
	s.DropConnections()
	for e.Next(c) {
	}
	if f, ok := model.AsFault(e.Err()); !ok || f.Category != model.CategoryUnreachable {
		t.Fatalf("dropped mid-enumeration: %v", e.Err())
	}
	e.Close()
	e2, err := p.Enumerate(c, &model.EnumerateRequest{ClassName: "Win32_Service"})
	if got := drain(t, c, e2, err); len(got) == 0 {
		t.Fatal("no instances after reconnecting")
	}
}

// TestCancelSubscription: an event subscription's Next waits in server
// calls of at most 500 ms, so cancelling the context ends it promptly,
// and closing it unsubscribes.
func TestCancelSubscription(t *testing.T) {
	s := start(t)
	p := provider(t, s, rpc.LevelPrivacy)
	c := ctx(t)
	e, err := p.Subscribe(c, &model.SubscribeRequest{Query: "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Win32_Process'"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cc, cancel := context.WithCancel(c)
	calls0, _, _ := s.Counters()
	go func() {
		// Cancel once the subscription has waited on the server at
		// least twice (two Next calls), whatever the clock says.
		for {
			calls, _, _ := s.Counters()
			if calls >= calls0+2 {
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	if e.Next(cc) {
		t.Fatalf("event without a process: %v", e.Instance())
	}
	if f, ok := model.AsFault(e.Err()); !ok || f.Category != model.CategoryCanceled {
		t.Fatalf("cancelled: %v", e.Err())
	}
	// The process starts once the next Next waits on the server (its call
	// counted), whatever the clock says.
	calls1, _, _ := s.Counters()
	go func() {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if calls, _, _ := s.Counters(); calls > calls1 {
				break
			}
		}
		p.Invoke(context.Background(), &model.InvokeRequest{ClassName: "Win32_Process", Method: "Create",
			In: []model.Property{{Name: "CommandLine", Value: model.String("calc.exe")}}})
	}()
	if !e.Next(c) {
		t.Fatalf("no event after the cancelled wait: %v", e.Err())
	}
	if ti, _ := e.Instance().Get("TargetInstance"); ti.IsNull() {
		t.Fatalf("event %v", e.Instance())
	}
}

// TestCancelClosesConnection: a call cancelled while the server works on
// it returns at once with the category canceled; the connection is
// closed (the server sees it go), and the next operation reconnects.
func TestCancelClosesConnection(t *testing.T) {
	s := start(t)
	p := provider(t, s, rpc.LevelPrivacy)
	c := ctx(t)
	if _, err := p.GetClass(c, &model.GetClassRequest{ClassName: "Win32_Service"}); err != nil {
		t.Fatal(err)
	}
	before := s.Accepted()
	s.SetLatency(time.Hour)
	cc, cancel := context.WithCancel(c)
	calls0, _, _ := s.Counters()
	go func() {
		for {
			if calls, _, _ := s.Counters(); calls > calls0 {
				cancel() // the Get is on the server now
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	_, err := p.Get(cc, &model.GetRequest{Path: &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "WinRM"}}}})
	if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryCanceled {
		t.Fatalf("cancelled Get: %v", err)
	}
	s.SetLatency(0)
	inst, err := p.Get(c, &model.GetRequest{Path: &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "WinRM"}}}})
	if err != nil || inst == nil {
		t.Fatalf("after reconnecting: %v", err)
	}
	if s.Accepted() <= before {
		t.Fatal("the next operation did not reconnect")
	}
}

// TestKeyOnly: key_only asks for the key properties only.
func TestKeyOnly(t *testing.T) {
	s := start(t)
	p := provider(t, s, rpc.LevelPrivacy)
	c := ctx(t)
	e, err := p.Enumerate(c, &model.EnumerateRequest{ClassName: "Win32_Service", KeyOnly: true})
	got := drain(t, c, e, err)
	if len(got) == 0 || got[0].Len() != 1 || got[0].NameAt(0) != "Name" || !got[0].IsKeyAt(0) {
		t.Fatalf("key only: %v", got)
	}
}

// TestObjectsForgotten: when the server has released the session's
// objects (Windows does after missed pings), the next operation logs in
// again on a new connection and succeeds.
func TestObjectsForgotten(t *testing.T) {
	s := start(t)
	p := provider(t, s, rpc.LevelPrivacy)
	c := ctx(t)
	ref := &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "WinRM"}}}
	if _, err := p.Get(c, &model.GetRequest{Path: ref}); err != nil {
		t.Fatal(err)
	}
	before := s.Accepted()
	s.ForgetObjects()
	if _, err := p.Get(c, &model.GetRequest{Path: ref}); err != nil {
		t.Fatalf("after the server forgot the objects: %v", err)
	}
	if s.Accepted() <= before {
		t.Fatal("no new connection after the objects were forgotten")
	}
}

// TestPing: the objects a session holds are added to a ping set on the
// OXID resolver, then kept alive with SimplePing.
func TestPing(t *testing.T) {
	s := start(t)
	host, _, _ := net.SplitHostPort(s.Addr())
	p, err := dcom.New(dcom.Config{Host: host, Port: s.Port(), User: user, Password: password, PingInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c := ctx(t)
	if _, err := p.GetClass(c, &model.GetClassRequest{ClassName: "Win32_Service"}); err != nil {
		t.Fatal(err)
	}
	for {
		live, simple := s.Pinged()
		if live == 2 && simple > 0 { // the login and the root/cimv2 services
			break
		}
		select {
		case <-c.Done():
			t.Fatalf("%d live objects pinged, %d SimplePings", live, simple)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

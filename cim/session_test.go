package cim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
)

// countingProvider wraps a provider and counts what reaches it, to prove
// what a session does and does not send.
type countingProvider struct {
	model.Provider
	enumerates, invokes, classes atomic.Int64
	lastInvoke                   *model.InvokeRequest
	closedEnums                  atomic.Int64
	closed                       atomic.Bool
}

func (c *countingProvider) Enumerate(ctx context.Context, req *model.EnumerateRequest) (model.Enumerator, error) {
	c.enumerates.Add(1)
	e, err := c.Provider.Enumerate(ctx, req)
	if err != nil {
		return nil, err
	}
	return &closeCounting{Enumerator: e, n: &c.closedEnums}, nil
}

func (c *countingProvider) Invoke(ctx context.Context, req *model.InvokeRequest) (*model.Instance, error) {
	c.invokes.Add(1)
	c.lastInvoke = req
	return c.Provider.Invoke(ctx, req)
}

func (c *countingProvider) GetClass(ctx context.Context, req *model.GetClassRequest) (*model.Class, error) {
	c.classes.Add(1)
	return c.Provider.GetClass(ctx, req)
}

func (c *countingProvider) Close() error { c.closed.Store(true); return nil }

type closeCounting struct {
	model.Enumerator
	n    *atomic.Int64
	once sync.Once
}

func (e *closeCounting) Close() error {
	e.once.Do(func() { e.n.Add(1) })
	return e.Enumerator.Close()
}

func fixture(t *testing.T) *countingProvider {
	t.Helper()
	p := memprov.New(model.Identity{ProductVendor: "test"}, "host1")
	p.Register("root/cimv2", memprov.ClassDef{
		Class: &model.Class{Name: "Test_Item", Properties: []model.PropertyDecl{
			{Name: "Id", Type: model.TypeUint32, Key: true},
			{Name: "Label", Type: model.TypeString},
		}, Methods: []model.Method{{
			Name: "Scale", ReturnType: model.TypeUint32, Static: true,
			Parameters: []model.Parameter{
				{Name: "Factor", Type: model.TypeUint16, In: true},
				{Name: "Value", Type: model.TypeSint64, In: true},
				{Name: "Result", Type: model.TypeSint64, Out: true},
			},
		}}},
		List: func(ctx context.Context) ([]*model.Instance, error) {
			var out []*model.Instance
			for i := 1; i <= 5; i++ {
				inst := model.NewInstance("Test_Item", "root/cimv2")
				inst.Set("Id", model.Uint(model.TypeUint32, uint64(i)))
				inst.Set("Label", model.String(fmt.Sprintf("item %d", i)))
				out = append(out, inst)
			}
			return out, nil
		},
		Methods: map[string]memprov.MethodFunc{
			"Scale": func(ctx context.Context, _ *model.Instance, in *model.Instance) (*model.Instance, error) {
				f, _ := in.Get("Factor")
				v, _ := in.Get("Value")
				fu, _ := f.AsUint()
				vi, _ := v.AsInt()
				out := model.NewInstance("__PARAMETERS", "")
				out.Set("Result", model.Sint(model.TypeSint64, vi*int64(fu)))
				out.Set("ReturnValue", model.Uint(model.TypeUint32, 0))
				return out, nil
			},
		},
	})
	return &countingProvider{Provider: p}
}

func TestNewSessionOpensNothing(t *testing.T) {
	// A session to an address nothing listens on is created without error:
	// no lookup, no dial.
	s, err := NewSession(Config{ComputerName: "host.invalid", Authentication: AuthNegotiate, Credential: NewCredential("u", "p")})
	if err != nil {
		t.Fatal(err)
	}
	if s.Connected() {
		t.Fatal("a new session reports itself connected")
	}
	if s.Port() != 5985 || s.Protocol() != "WSMAN" || s.ComputerName() != "host.invalid" {
		t.Fatalf("session fields: port %d protocol %s computer %s", s.Port(), s.Protocol(), s.ComputerName())
	}
	if len(s.InstanceID()) != 36 || !strings.HasPrefix(s.Name(), "CimSession") {
		t.Fatalf("instance id %q name %q", s.InstanceID(), s.Name())
	}
	s2, err := NewSession(Config{Option: SessionOption{UseSSL: true}, ComputerName: "h", Credential: NewCredential("u", "p")})
	if err != nil {
		t.Fatal(err)
	}
	if s2.ID() <= s.ID() || s2.Port() != 5986 {
		t.Fatalf("ids %d, %d; ssl port %d", s.ID(), s2.ID(), s2.Port())
	}
}

// A DCOM session's computer_name takes HOST:PORT and [IPV6]:PORT as a
// WS-Man session's does, the port being the endpoint mapper's (it was
// looked up in DNS whole: "lookup 127.0.0.1:13500: no such host").
func TestDCOMComputerNameWithPort(t *testing.T) {
	for _, tc := range []struct {
		name, host string
		port       int
	}{{"127.0.0.1:13500", "127.0.0.1", 13500}, {"[::1]:24158", "::1", 24158}, {"ws042", "ws042", 135}} {
		s, err := NewSession(Config{ComputerName: tc.name, Option: SessionOption{Protocol: "dcom"}, Credential: NewCredential("u", "p")})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if s.ComputerName() != tc.host || s.Port() != tc.port || s.Protocol() != "DCOM" {
			t.Errorf("%s: computer %q port %d protocol %s", tc.name, s.ComputerName(), s.Port(), s.Protocol())
		}
		s.Close()
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Option: SessionOption{Protocol: "dcom"}, Authentication: "basic"}, "authentication basic is not available with protocol DCOM"},
		{Config{Option: SessionOption{Protocol: "dcom", UseSSL: true}}, "use_ssl is a WS-Man option; protocol DCOM does not take it"},
		{Config{Option: SessionOption{Protocol: "dcom"}, ComputerName: "http://h:5985/wsman"}, `computer_name "http://h:5985/wsman" is a WS-Man URL; protocol DCOM takes HOST or HOST:PORT`},
		{Config{Option: SessionOption{Protocol: "dcom"}, ComputerName: "h:135", Port: 24158}, `computer_name "h:135" gives port 135, but port is 24158`},
		{Config{Option: SessionOption{Protocol: "dcom"}, ComputerName: "h", Authentication: "ntlm"}, "authentication ntlm over DCOM needs a credential"},
		{Config{Option: SessionOption{Impersonation: "identify"}}, "impersonation is a DCOM option"},
		{Config{Option: SessionOption{Protocol: "dcom", PacketPrivacy: new(bool), PacketIntegrity: new(bool)}}, "packet integrity at least"},
		{Config{Option: SessionOption{Protocol: "smoke"}}, `unknown protocol "smoke"`},
		{Config{Authentication: "credssp"}, "CredSSP authentication is not supported"},
		{Config{Authentication: "digest"}, `unknown authentication "digest"`},
		{Config{Port: 70000}, "port 70000 is out of range"},
		{Config{Option: SessionOption{ResourceURIForm: "cimxml"}}, `unknown resource URI form "cimxml"`},
	} {
		_, err := NewSession(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

func TestCredentialNeverPrintsPassword(t *testing.T) {
	c := NewCredential(`DOM\alice`, "s3cr3t-pw")
	for _, s := range []string{c.String(), fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c)} {
		if strings.Contains(s, "s3cr3t") {
			t.Fatalf("password printed: %s", s)
		}
	}
	s, _ := NewSessionWithProvider(Config{ComputerName: "h", Credential: c}, nil)
	if strings.Contains(fmt.Sprintf("%+v %#v", s.Config(), s.Config()), "s3cr3t") {
		t.Fatal("password printed through the session config")
	}
	if d, u := c.SplitUser(); d != "DOM" || u != "alice" {
		t.Fatalf("split %q %q", d, u)
	}
}

func TestEnumerateFilterAndClose(t *testing.T) {
	p := fixture(t)
	s, _ := NewSessionWithProvider(Config{ComputerName: "host1"}, p)
	ctx := context.Background()
	list, err := s.GetInstances(ctx, InstanceQuery{ClassName: "Test_Item", Filter: "Id > 3"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ComputerName != "host1" {
		t.Fatalf("got %d instances %v", len(list), list)
	}
	if v, _ := list[1].Get("label"); v.Text() != "item 5" {
		t.Fatalf("label %v", v)
	}
	// An abandoned enumeration is released by Close on the session.
	en, err := s.Enumerate(ctx, InstanceQuery{ClassName: "Test_Item"})
	if err != nil {
		t.Fatal(err)
	}
	if !en.Next(ctx) || s.OpenEnumerations() != 1 {
		t.Fatalf("open enumerations %d", s.OpenEnumerations())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s.OpenEnumerations() != 0 || p.closedEnums.Load() != 2 || !p.closed.Load() {
		t.Fatalf("after close: open %d, released %d, provider closed %v", s.OpenEnumerations(), p.closedEnums.Load(), p.closed.Load())
	}
	if _, err := s.GetInstances(ctx, InstanceQuery{ClassName: "Test_Item"}); !errors.Is(err, ErrSessionClosed) {
		t.Fatalf("operation after close: %v", err)
	}
}

func TestQueryValidation(t *testing.T) {
	s, _ := NewSessionWithProvider(Config{}, fixture(t))
	ctx := context.Background()
	for _, q := range []InstanceQuery{
		{},
		{ClassName: "Bad Class", Filter: "x=1"},
		{ClassName: "Test_Item", Filter: "Id=1", Property: []string{"a;b"}},
		{Query: "SELECT * FROM Test_Item", ClassName: "Test_Item"},
	} {
		if _, err := s.GetInstances(ctx, q); err == nil {
			t.Errorf("%+v: no error", q)
		}
	}
	_, err := s.GetInstances(ctx, InstanceQuery{ClassName: "No_Such"})
	if !errors.Is(err, model.ErrInvalidClass) {
		t.Fatalf("unknown class: %v", err)
	}
	if f, _ := model.AsFault(err); f.ComputerName != "localhost" {
		t.Fatalf("fault computer %q", f.ComputerName)
	}
}

func TestInvokeTypesArgumentsFromSchema(t *testing.T) {
	p := fixture(t)
	s, _ := NewSessionWithProvider(Config{}, p)
	ctx := context.Background()
	out, err := s.InvokeMethod(ctx, MethodCall{ClassName: "Test_Item", Method: "scale", Arguments: []model.Property{
		{Name: "value", Value: model.Sint(model.TypeSint64, -7)},
		{Name: "FACTOR", Value: model.String("6")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := out.Get("Result"); r.Text() != "-42" {
		t.Fatalf("result %v", r)
	}
	in := p.lastInvoke.In
	if len(in) != 2 || in[0].Name != "Factor" || in[0].Value.Type() != model.TypeUint16 || in[1].Name != "Value" {
		t.Fatalf("arguments not typed and ordered by the schema: %+v", in)
	}
	// The schema is fetched once and cached.
	s.InvokeMethod(ctx, MethodCall{ClassName: "Test_Item", Method: "Scale"})
	if p.classes.Load() != 1 {
		t.Fatalf("GetClass called %d times", p.classes.Load())
	}
	if names := s.CachedClassNames("root\\cimv2"); len(names) != 1 || names[0] != "Test_Item" {
		t.Fatalf("cached names %v", names)
	}
	_, err = s.InvokeMethod(ctx, MethodCall{ClassName: "Test_Item", Method: "Scale", Arguments: []model.Property{{Name: "Nope", Value: model.String("1")}}})
	if err == nil || !strings.Contains(err.Error(), `no parameter "Nope"`) {
		t.Fatalf("unknown argument: %v", err)
	}
	_, err = s.InvokeMethod(ctx, MethodCall{ClassName: "Test_Item", Method: "Scale", Arguments: []model.Property{{Name: "Factor", Value: model.String("70000")}}})
	if err == nil || !strings.Contains(err.Error(), "Factor") {
		t.Fatalf("out-of-range argument: %v", err)
	}
}

func TestEachThrottles(t *testing.T) {
	var sessions []*Session
	for i := 0; i < 10; i++ {
		s, _ := NewSessionWithProvider(Config{ComputerName: fmt.Sprintf("h%d", i)}, nil)
		sessions = append(sessions, s)
	}
	var running, peak atomic.Int64
	// Each call waits until three wait together (or no more are to
	// come): a throttle that let fewer run at once would stall them.
	var (
		mu               sync.Mutex
		waiting, arrived int
		open             = make(chan struct{})
		stalled          atomic.Bool
	)
	errs := Each(context.Background(), sessions, 3, func(ctx context.Context, s *Session) error {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		mu.Lock()
		waiting++
		arrived++
		wave := open
		if waiting == 3 || arrived == len(sessions) {
			close(open)
			open, waiting = make(chan struct{}), 0
		}
		mu.Unlock()
		select {
		case <-wave:
		case <-time.After(10 * time.Second):
			stalled.Store(true)
		}
		// Not synchronisation: holding the slot a little longer gives an
		// unthrottled Each the time to start a fourth call while three
		// run (no event tells that a fourth would have started).
		time.Sleep(20 * time.Millisecond)
		running.Add(-1)
		if s.ComputerName() == "h4" {
			return errors.New("boom")
		}
		return nil
	})
	if peak.Load() != 3 || stalled.Load() {
		t.Fatalf("peak concurrency %d, want 3 (calls stalled waiting for three together: %v)", peak.Load(), stalled.Load())
	}
	for i, err := range errs {
		if (err != nil) != (i == 4) {
			t.Fatalf("errs[%d] = %v", i, err)
		}
	}
}

func TestNegotiateWithoutCredentialUsesKerberos(t *testing.T) {
	cfg := Config{ComputerName: "srv01.corp.example", Authentication: AuthDefault}
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	if tc := transportConfig(&cfg); tc.Auth != "kerberos" {
		t.Fatalf("default auth without a credential: %s", tc.Auth)
	}
	cfg.Credential = NewCredential(`CORP\bob`, "pw")
	if tc := transportConfig(&cfg); tc.Auth != "default" || tc.User != "bob" || tc.Domain != "CORP" {
		t.Fatalf("default auth with a credential: %s %s %s", tc.Auth, tc.User, tc.Domain)
	}
	if _, err := NewSession(Config{ComputerName: "srv01", Authentication: AuthBasic, Credential: NewCredential("u", "p")}); err == nil ||
		!strings.Contains(err.Error(), "basic authentication over plain HTTP") {
		t.Fatalf("basic over HTTP: %v", err)
	}
}

// deadlineProvider records the deadline and timeout an operation gets.
type deadlineProvider struct {
	model.Provider
	left    time.Duration
	timeout time.Duration
}

func (d *deadlineProvider) Identify(ctx context.Context) (*model.Identity, error) {
	dl, _ := ctx.Deadline()
	d.left = time.Until(dl)
	return &model.Identity{}, nil
}

func (d *deadlineProvider) Get(ctx context.Context, req *model.GetRequest) (*model.Instance, error) {
	dl, _ := ctx.Deadline()
	d.left, d.timeout = time.Until(dl), req.OperationTimeout
	return model.NewInstance("X", ""), nil
}

func TestOperationTimeoutAndClientDeadline(t *testing.T) {
	p := &deadlineProvider{}
	s, _ := NewSessionWithProvider(Config{ComputerName: "h", OperationTimeout: 30 * time.Second}, p)
	ctx := context.Background()
	// The server is told 30 s; the client waits longer, for its fault.
	if _, err := s.GetInstance(ctx, model.NewInstance("X", ""), Options{}); err != nil {
		t.Fatal(err)
	}
	if p.timeout != 30*time.Second || p.left <= 30*time.Second || p.left > 30*time.Second+deadlineGrace {
		t.Fatalf("server timeout %v, client deadline in %v", p.timeout, p.left)
	}
	// A per-operation timeout overrides the session's.
	s.GetInstance(ctx, model.NewInstance("X", ""), Options{OperationTimeout: 5 * time.Second})
	if p.timeout != 5*time.Second || p.left > 5*time.Second+deadlineGrace {
		t.Fatalf("per-operation: server timeout %v, client deadline in %v", p.timeout, p.left)
	}
	// Without any timeout the client default applies.
	s2, _ := NewSessionWithProvider(Config{}, p)
	s2.Test(ctx)
	if p.left <= DefaultOperationTimeout-time.Second || p.left > DefaultOperationTimeout {
		t.Fatalf("default deadline in %v", p.left)
	}
}

package cim

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/internal/testenv"
)

// items is a mutable class for subscription tests.
type items struct {
	mu   sync.Mutex
	list []*model.Instance
}

func (it *items) add(id int, label string) {
	inst := model.NewInstance("Test_Thing", "")
	inst.Set("Id", model.Uint(model.TypeUint32, uint64(id)))
	inst.Set("Label", model.String(label))
	it.mu.Lock()
	it.list = append(it.list, inst)
	it.mu.Unlock()
}

func (it *items) listFn(context.Context) ([]*model.Instance, error) {
	it.mu.Lock()
	defer it.mu.Unlock()
	return append([]*model.Instance(nil), it.list...), nil
}

// subscriberProvider counts the subscriptions closed under it, and
// tells nextCalled (when set) each time a subscription's Next is called.
type subscriberProvider struct {
	*memprov.Provider
	closedSubs atomic.Int64
	nextCalled chan struct{}
}

func (p *subscriberProvider) Subscribe(ctx context.Context, req *model.SubscribeRequest) (model.Enumerator, error) {
	e, err := p.Provider.Subscribe(ctx, req)
	if err != nil {
		return nil, err
	}
	cc := &closeCounting{Enumerator: e, n: &p.closedSubs}
	if p.nextCalled != nil {
		return &nextSignalling{closeCounting: cc, called: p.nextCalled}, nil
	}
	return cc, nil
}

// nextSignalling tells called when Next starts waiting in the provider.
type nextSignalling struct {
	*closeCounting
	called chan struct{}
}

func (e *nextSignalling) Next(ctx context.Context) bool {
	select {
	case e.called <- struct{}{}:
	default:
	}
	return e.closeCounting.Next(ctx)
}

func thingSession(t *testing.T) (*Session, *items, *subscriberProvider) {
	t.Helper()
	it := &items{}
	it.add(1, "one")
	mp := memprov.New(model.Identity{ProductVendor: "test"}, "host1")
	mp.Register("root/cimv2", memprov.ClassDef{Class: &model.Class{Name: "Test_Thing", Properties: []model.PropertyDecl{
		{Name: "Id", Type: model.TypeUint32, Key: true}, {Name: "Label", Type: model.TypeString}}}, List: it.listFn})
	p := &subscriberProvider{Provider: mp}
	s, err := NewSessionWithProvider(Config{}, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, it, p
}

const thingCreation = "SELECT * FROM __InstanceCreationEvent WITHIN 0.02 WHERE TargetInstance ISA 'Test_Thing'"

func waitFor(d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	_ = cancel // released by the timeout; tests are short
	return ctx
}

func TestSubscriptionWaitsSurviveTimeouts(t *testing.T) {
	s, it, p := thingSession(t)
	sub, err := s.Subscribe(context.Background(), model.SubscribeRequest{Query: thingCreation})
	if err != nil {
		t.Fatal(err)
	}
	if s.OpenSubscriptions() != 1 {
		t.Fatalf("OpenSubscriptions = %d, want 1", s.OpenSubscriptions())
	}
	// A wait that times out is not the end.
	if sub.Next(waitFor(60 * time.Millisecond)) {
		t.Fatalf("event before any change: %v", sub.Event())
	}
	if sub.Err() != nil || sub.Ended() {
		t.Fatalf("a timed-out wait ended the subscription: %v", sub.Err())
	}
	it.add(2, "two")
	if !sub.Next(waitFor(30 * time.Second)) {
		t.Fatalf("no event: %v", sub.Err())
	}
	ev := sub.Event()
	ti, _ := ev.Get("TargetInstance")
	inst, _ := ti.AsInstance()
	if ev.ClassName != "__InstanceCreationEvent" || inst == nil || inst.String() != "Test_Thing (Id = 2)" {
		t.Fatalf("event = %s with %v", ev.ClassName, ti)
	}
	if ev.Namespace != "root/cimv2" || ev.ComputerName != "host1" {
		t.Errorf("event stamped %q %q", ev.Namespace, ev.ComputerName)
	}
	it.add(3, "three")
	if !sub.Next(waitFor(30*time.Second)) || sub.Count() != 2 {
		t.Fatalf("second event: %v (count %d)", sub.Err(), sub.Count())
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	if p.closedSubs.Load() != 1 || s.OpenSubscriptions() != 0 || !sub.Ended() {
		t.Errorf("after Close: provider closed %d, open %d", p.closedSubs.Load(), s.OpenSubscriptions())
	}
	if sub.Next(waitFor(10*time.Millisecond)) || sub.Err() != nil {
		t.Errorf("Next after Close: %v", sub.Err())
	}
}

func TestSessionCloseUnsubscribes(t *testing.T) {
	s, _, p := thingSession(t)
	// Polls a minute apart: a Close that waited for one would take far
	// longer than the generous bound below.
	const everyMinute = "SELECT * FROM __InstanceCreationEvent WITHIN 60 WHERE TargetInstance ISA 'Test_Thing'"
	for i := 0; i < 3; i++ {
		if _, err := s.Subscribe(context.Background(), model.SubscribeRequest{Query: everyMinute}); err != nil {
			t.Fatal(err)
		}
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("Session.Close had not returned after 30 s")
	}
	if p.closedSubs.Load() != 3 || s.OpenSubscriptions() != 0 {
		t.Errorf("Session.Close closed %d of 3 subscriptions (%d open)", p.closedSubs.Load(), s.OpenSubscriptions())
	}
	if _, err := s.Subscribe(context.Background(), model.SubscribeRequest{Query: thingCreation}); !errors.Is(err, ErrSessionClosed) {
		t.Errorf("Subscribe on a closed session: %v", err)
	}
}

func TestCloseStopsAWaitingNext(t *testing.T) {
	s, _, p := thingSession(t)
	p.nextCalled = make(chan struct{}, 1)
	sub, err := s.Subscribe(context.Background(), model.SubscribeRequest{Query: thingCreation})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	go func() { done <- sub.Next(context.Background()) }()
	select {
	case <-p.nextCalled: // Next waits in the provider
	case <-time.After(10 * time.Second):
		t.Fatal("Next never reached the provider")
	}
	sub.Close()
	// With no Thing created, Next would wait forever.
	select {
	case got := <-done:
		if got {
			t.Error("Next returned an event after Close")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not release a waiting Next")
	}
}

func TestSubscribeErrors(t *testing.T) {
	s, _, _ := thingSession(t)
	ctx := context.Background()
	if _, err := s.Subscribe(ctx, model.SubscribeRequest{}); err == nil || !strings.Contains(err.Error(), "query or class_name") {
		t.Errorf("empty request: %v", err)
	}
	if _, err := s.Subscribe(ctx, model.SubscribeRequest{ClassName: "a b"}); err == nil || !strings.Contains(err.Error(), "not a valid class name") {
		t.Errorf("bad class: %v", err)
	}
	_, err := s.Subscribe(ctx, model.SubscribeRequest{Query: "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Nope'"})
	if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryInvalidClass || f.ComputerName != "localhost" {
		t.Errorf("unknown class: %#v", err)
	}
	if s.OpenSubscriptions() != 0 {
		t.Errorf("failed subscriptions are open: %d", s.OpenSubscriptions())
	}

	// A provider that is not a Subscriber.
	plain, err := NewSessionWithProvider(Config{}, fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	_, err = plain.Subscribe(ctx, model.SubscribeRequest{Query: thingCreation})
	f, ok := model.AsFault(err)
	if !ok || f.Category != model.CategoryNotSupported || !strings.Contains(f.Error(), "does not support indications") {
		t.Errorf("non-subscriber: %v", err)
	}
	if f == ErrNotSubscriber {
		t.Error("the shared fault was returned (and stamped) instead of a copy")
	}
}

// TestLocalProcessCreationEvent starts a process and receives its
// __InstanceCreationEvent from the local machine provider within
// WITHIN + 1 seconds.
func TestLocalProcessCreationEvent(t *testing.T) {
	if runtime.GOOS == "windows" {
		testenv.Skip(t, "the test starts the Unix sleep command")
	}
	if _, err := exec.LookPath("sleep"); err != nil {
		testenv.Skip(t, "cannot start the sleep command", "not found")
	}
	s, err := NewSession(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sub, err := s.Subscribe(context.Background(), model.SubscribeRequest{
		Query: "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Win32_Process' AND TargetInstance.Name = 'sleep'"})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	pid := fmt.Sprint(cmd.Process.Pid)
	ctx := waitFor(30 * time.Second) // a deadline, not a timing claim: polls WITHIN 1 run late on a loaded machine
	for sub.Next(ctx) {
		ti, _ := sub.Event().Get("TargetInstance")
		inst, ok := ti.AsInstance()
		if !ok {
			t.Fatalf("TargetInstance is %v", ti)
		}
		if h, _ := inst.Get("Handle"); h.Text() == pid {
			t.Logf("event for pid %s after %v", pid, time.Since(started).Round(time.Millisecond))
			if err := sub.Close(); err != nil {
				t.Error(err)
			}
			return
		}
	}
	t.Fatalf("no __InstanceCreationEvent for pid %s within 30 s (err %v)", pid, sub.Err())
}

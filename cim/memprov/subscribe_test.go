package memprov

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// nextEvent waits up to d for an event.
func nextEvent(t *testing.T, e model.Enumerator, d time.Duration) *model.Instance {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if !e.Next(ctx) {
		t.Fatalf("no event within %v: %v", d, e.Err())
	}
	return e.Instance()
}

func subscribe(t *testing.T, p *Provider, query string) model.Enumerator {
	t.Helper()
	e, err := p.Subscribe(context.Background(), &model.SubscribeRequest{Query: query})
	if err != nil {
		t.Fatalf("Subscribe(%s): %v", query, err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func target(t *testing.T, ev *model.Instance, name string) *model.Instance {
	t.Helper()
	v, ok := ev.Get(name)
	if !ok {
		t.Fatalf("%s has no %s: %v", ev.ClassName, name, ev.Names())
	}
	inst, ok := v.AsInstance()
	if !ok {
		t.Fatalf("%s.%s is %s, not an embedded instance", ev.ClassName, name, v.Type())
	}
	return inst
}

func TestSubscribeCreationDeletionModification(t *testing.T) {
	w := newWorld()
	p := w.provider()
	creations := subscribe(t, p, "SELECT * FROM __InstanceCreationEvent WITHIN 0.02 WHERE TargetInstance ISA 'CIM_Process'")
	deletions := subscribe(t, p, "SELECT * FROM __InstanceDeletionEvent WITHIN 0.02 WHERE TargetInstance ISA 'Win32_Process'")
	mods := subscribe(t, p, "SELECT * FROM __InstanceModificationEvent WITHIN 0.02 WHERE TargetInstance ISA 'Win32_Process' AND TargetInstance.WorkingSetSize <> PreviousInstance.WorkingSetSize")

	before := time.Now()
	w.mu.Lock()
	w.addProc(1234, "sleep", "sleep 30", 100)
	delete(w.procs, 800)
	c := w.procs[700].Clone()
	c.Set("WorkingSetSize", model.Uint(model.TypeUint64, 42))
	w.procs[700] = c
	w.mu.Unlock()

	ev := nextEvent(t, creations, 30*time.Second)
	if ev.ClassName != ClassInstanceCreationEvent || ev.ComputerName != "TESTHOST" {
		t.Errorf("event = %s on %q", ev.ClassName, ev.ComputerName)
	}
	ti := target(t, ev, "TargetInstance")
	if ti.ClassName != "Win32_Process" || ti.String() != `Win32_Process (Handle = "1234")` {
		t.Errorf("TargetInstance = %s", ti)
	}
	tc, _ := ev.Get("TIME_CREATED")
	if u, ok := tc.AsUint(); !ok || u < fileTime(before) || u > fileTime(time.Now()) {
		t.Errorf("TIME_CREATED = %v, want a FILETIME of now", tc)
	}

	ev = nextEvent(t, deletions, 30*time.Second)
	if got := target(t, ev, "TargetInstance").String(); ev.ClassName != ClassInstanceDeletionEvent || got != `Win32_Process (Handle = "800")` {
		t.Errorf("deletion = %s of %s", ev.ClassName, got)
	}

	ev = nextEvent(t, mods, 30*time.Second)
	now, prev := target(t, ev, "TargetInstance"), target(t, ev, "PreviousInstance")
	a, _ := now.Get("WorkingSetSize")
	b, _ := prev.Get("WorkingSetSize")
	if ev.ClassName != ClassInstanceModificationEvent || a.Text() != "42" || b.Text() != "1099511627776" {
		t.Errorf("modification = %s %s -> %s", ev.ClassName, b.Text(), a.Text())
	}

	// Nothing else happened: the next wait ends with the ctx.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if creations.Next(ctx) {
		t.Errorf("unexpected event %v", creations.Instance())
	}
	if f, ok := model.AsFault(creations.Err()); !ok || f.Category != model.CategoryTimeout {
		t.Errorf("Err after the deadline = %v, want a timeout fault", creations.Err())
	}
}

func TestSubscribeFiltersAndProjects(t *testing.T) {
	w := newWorld()
	p := w.provider()
	e := subscribe(t, p, "SELECT TargetInstance FROM __InstanceOperationEvent WITHIN 0.02 WHERE TargetInstance ISA 'Win32_Process' AND TargetInstance.Name LIKE 'note%' AND __CLASS <> '__InstanceModificationEvent'")
	w.mu.Lock()
	w.addProc(2000, "calc.exe", "calc", 1)
	w.addProc(2001, "notepad.exe", "notepad", 1)
	w.mu.Unlock()
	ev := nextEvent(t, e, 30*time.Second)
	if got := target(t, ev, "TargetInstance").String(); got != `Win32_Process (Handle = "2001")` {
		t.Errorf("TargetInstance = %s, want notepad's", got)
	}
	if names := ev.Names(); len(names) != 1 {
		t.Errorf("SELECT TargetInstance kept %v", names)
	}
	w.mu.Lock()
	delete(w.procs, 2001)
	w.mu.Unlock()
	ev = nextEvent(t, e, 30*time.Second)
	if ev.ClassName != ClassInstanceDeletionEvent {
		t.Errorf("second event = %s, want the deletion", ev.ClassName)
	}
}

func TestSubscribeErrors(t *testing.T) {
	p := newWorld().provider()
	tests := []struct {
		name, query string
		status      model.CIMStatus
		contains    string
	}{
		{"no within", "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Win32_Process'", model.CIMInvalidQuery, "WITHIN"},
		{"no isa", "SELECT * FROM __InstanceCreationEvent WITHIN 1", model.CIMInvalidQuery, "TargetInstance ISA"},
		{"isa under or", "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Win32_Process' OR TargetInstance.Name = 'x'", model.CIMInvalidQuery, "TargetInstance ISA"},
		{"unknown class", "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Nope'", model.CIMInvalidClass, "Nope"},
		{"not an event", "SELECT * FROM Win32_Process WITHIN 1 WHERE TargetInstance ISA 'Win32_Process'", model.CIMInvalidQuery, "not an event class"},
		{"syntax", "SELECT * FROM", model.CIMInvalidQuery, "wql"},
		{"target typo", "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Win32_Process' AND TargetInstance.Nmae = 'x'", model.CIMInvalidQuery, "has no property Nmae"},
		{"event typo", "SELECT Target FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Win32_Process'", model.CIMInvalidQuery, "has no property Target"},
		{"empty", "", model.CIMInvalidParameter, "needs an event query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := p.Subscribe(context.Background(), &model.SubscribeRequest{Query: tt.query})
			if err == nil {
				e.Close()
			}
			wantFault(t, err, tt.status, tt.contains)
		})
	}
	_, err := p.Subscribe(context.Background(), &model.SubscribeRequest{Query: "x", QueryDialect: "CQL"})
	wantFault(t, err, model.CIMQueryLanguageNotSupported, "CQL")
	_, err = p.Subscribe(context.Background(), &model.SubscribeRequest{Common: model.Common{Namespace: "root/nope"},
		Query: "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Win32_Process'"})
	wantFault(t, err, model.CIMInvalidNamespace, "root/nope")
}

// waitingNext subscribes to q and tells the returned channel each time
// Next starts waiting for a poll.
func waitingNext(t *testing.T, p *Provider, q string) (model.Enumerator, <-chan struct{}) {
	t.Helper()
	e := subscribe(t, p, q)
	waiting := make(chan struct{}, 1)
	e.(*subEnum).waiting = waiting
	return e, waiting
}

// Close and a cancel end a Next waiting for a poll a minute away: the
// test acts once Next waits (no sleep), and the generous bounds are far
// from that minute.
func TestSubscribeCloseAndCancelStopWaiting(t *testing.T) {
	p := newWorld().provider()
	const q = "SELECT * FROM __InstanceCreationEvent WITHIN 60 WHERE TargetInstance ISA 'Win32_Process'"
	mustWait := func(waiting <-chan struct{}) {
		t.Helper()
		select {
		case <-waiting:
		case <-time.After(10 * time.Second):
			t.Fatal("Next never waited for a poll")
		}
	}
	e, waiting := waitingNext(t, p, q)
	done := make(chan bool)
	go func() { done <- e.Next(context.Background()) }()
	mustWait(waiting)
	e.Close()
	select {
	case got := <-done:
		if got {
			t.Errorf("Next after Close returned an event")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close did not stop a waiting Next")
	}

	e, waiting = waitingNext(t, p, q)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { done <- e.Next(ctx) }()
	mustWait(waiting)
	cancel()
	select {
	case got := <-done:
		if got {
			t.Fatal("event from a cancelled wait")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a cancel did not stop a waiting Next")
	}
	if f, ok := model.AsFault(e.Err()); !ok || f.Category != model.CategoryCanceled || !errors.Is(e.Err(), context.Canceled) {
		t.Errorf("Err = %v, want a canceled fault", e.Err())
	}
}

func TestSubscribeClassNameOnly(t *testing.T) {
	p := newWorld().provider()
	_, err := p.Subscribe(context.Background(), &model.SubscribeRequest{ClassName: "__InstanceCreationEvent"})
	wantFault(t, err, model.CIMInvalidQuery, "TargetInstance ISA")
}

package cim

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wql"
)

// Subscription receives the indications of an event query
// (Register-CimIndicationEvent). Events are fetched in the background
// from Subscribe on, one ahead of the caller, so that a wait that ends
// (Next's ctx) does not end the subscription: the next Next waits again.
// Close unsubscribes; the session's Close closes every open subscription.
//
//	sub, err := s.Subscribe(ctx, model.SubscribeRequest{Query: "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Win32_Process'"})
//	for sub.Next(waitCtx) { use(sub.Event()) }
//	if err := sub.Err(); err != nil { ... } // the subscription ended
//	sub.Close()
type Subscription struct {
	s      *Session
	e      model.Enumerator
	ns     string
	events chan *model.Instance
	cancel context.CancelFunc
	pumped chan struct{} // closed when the background fetch ends

	mu     sync.Mutex
	cur    *model.Instance
	err    error // why the subscription ended (nil while open and after Close)
	count  int
	closed bool
}

// ErrNotSubscriber is the fault for a session whose provider cannot
// deliver indications.
var ErrNotSubscriber = &model.Fault{Category: model.CategoryNotSupported, CIMStatus: model.CIMNotSupported,
	Reason: "cim: this session's provider does not support indications (Register-CimIndicationEvent)"}

// Subscribe starts a subscription to the indications req selects. A
// ClassName without a Query subscribes to every indication of that class
// (SELECT * FROM ClassName). ctx bounds the Subscribe call only; the
// subscription lives until Close, the session's Close, or the provider
// ends it.
func (s *Session) Subscribe(ctx context.Context, req model.SubscribeRequest) (*Subscription, error) {
	if req.Query == "" {
		if req.ClassName == "" {
			return nil, fmt.Errorf("cim: subscribe: query or class_name is required")
		}
		if !wql.IsName(req.ClassName) {
			return nil, fmt.Errorf("cim: subscribe: %s is not a valid class name", model.Quote(req.ClassName))
		}
		req.Query = "SELECT * FROM " + req.ClassName
	}
	if req.QueryDialect == "" {
		req.QueryDialect = "WQL"
	}
	req.Namespace = normNamespace(req.Namespace)
	p, err := s.connect()
	if err != nil {
		return nil, err
	}
	sp, ok := p.(model.Subscriber)
	if !ok {
		f := *ErrNotSubscriber
		return nil, s.fault(&f)
	}
	cctx, cancel := s.withTimeout(ctx, &req.Common)
	defer cancel()
	e, err := sp.Subscribe(cctx, &req)
	if err != nil {
		return nil, s.fault(err)
	}
	pctx, stop := context.WithCancel(context.Background())
	sub := &Subscription{s: s, e: e, ns: req.Namespace, events: make(chan *model.Instance),
		cancel: stop, pumped: make(chan struct{})}
	s.mu.Lock()
	closed := s.closed
	if !closed {
		if s.subs == nil {
			s.subs = map[*Subscription]struct{}{}
		}
		s.subs[sub] = struct{}{}
	}
	s.mu.Unlock()
	if closed {
		stop()
		e.Close()
		return nil, s.ClosedError()
	}
	go sub.pump(pctx)
	return sub, nil
}

// pump fetches events until the subscription ends or is closed, handing
// each to Next.
func (sub *Subscription) pump(ctx context.Context) {
	defer close(sub.pumped)
	for sub.e.Next(ctx) {
		ev := sub.e.Instance()
		sub.s.stamp(ev, sub.ns)
		select {
		case sub.events <- ev:
		case <-ctx.Done():
			return
		}
	}
	if ctx.Err() != nil {
		return // Close
	}
	err := sub.e.Err()
	if err == nil {
		err = &model.Fault{Category: model.CategoryFailed, Reason: "cim: the provider ended the subscription"}
	}
	sub.mu.Lock()
	sub.err = sub.s.fault(err)
	sub.mu.Unlock()
	sub.e.Close() // no-op for most providers: the end already released it
}

// Next waits for the next event until ctx ends. It returns false when
// ctx ends (the subscription stays open: Next may be called again) or
// when the subscription has ended (Err says why; nil after Close).
func (sub *Subscription) Next(ctx context.Context) bool {
	sub.mu.Lock()
	closed := sub.closed
	sub.cur = nil
	sub.mu.Unlock()
	if closed {
		return false
	}
	select {
	case ev := <-sub.events:
		sub.mu.Lock()
		sub.cur = ev
		sub.count++
		sub.mu.Unlock()
		return true
	case <-sub.pumped:
		sub.unregister()
		return false
	case <-ctx.Done():
		return false
	}
}

// Event returns the event Next returned: an instance of the indication
// class (__InstanceCreationEvent with TargetInstance, for example).
func (sub *Subscription) Event() *model.Instance {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.cur
}

// Err returns the error that ended the subscription, or nil while it is
// open (a wait that ended with its ctx is not an error) and after Close.
func (sub *Subscription) Err() error {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.err
}

// Ended reports whether the subscription is over (closed, or ended by
// the provider).
func (sub *Subscription) Ended() bool {
	sub.mu.Lock()
	closed := sub.closed
	sub.mu.Unlock()
	if closed {
		return true
	}
	select {
	case <-sub.pumped:
		return true
	default:
		return false
	}
}

// Count returns how many events Next has returned.
func (sub *Subscription) Count() int {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.count
}

// Close unsubscribes: a waiting fetch is cancelled at once and the
// provider told (WS-Man Unsubscribe, with its own short deadline). It is
// safe to call more than once and from any goroutine.
func (sub *Subscription) Close() error {
	sub.mu.Lock()
	if sub.closed {
		sub.mu.Unlock()
		return nil
	}
	sub.closed = true
	sub.mu.Unlock()
	sub.cancel()
	<-sub.pumped
	sub.unregister()
	err := sub.e.Close()
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

// unregister drops the subscription from its session's open set.
func (sub *Subscription) unregister() {
	sub.s.mu.Lock()
	delete(sub.s.subs, sub)
	sub.s.mu.Unlock()
}

// OpenSubscriptions returns how many subscriptions are open.
func (s *Session) OpenSubscriptions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.subs)
}

// closeSubscriptions closes every open subscription (Session.Close).
func (s *Session) closeSubscriptions() {
	s.mu.Lock()
	subs := make([]*Subscription, 0, len(s.subs))
	for sub := range s.subs {
		subs = append(subs, sub)
	}
	s.mu.Unlock()
	for _, sub := range subs {
		sub.Close()
	}
}

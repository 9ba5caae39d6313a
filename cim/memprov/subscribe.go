package memprov

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wql"
)

// The intrinsic event classes memprov raises, as WMI names them.
const (
	ClassInstanceCreationEvent     = "__InstanceCreationEvent"
	ClassInstanceDeletionEvent     = "__InstanceDeletionEvent"
	ClassInstanceModificationEvent = "__InstanceModificationEvent"
	ClassInstanceOperationEvent    = "__InstanceOperationEvent" // the base of the three
)

// MinPollInterval bounds WITHIN from below, so that a query cannot make
// the provider list a class in a tight loop.
const MinPollInterval = 10 * time.Millisecond

var _ model.Subscriber = (*Provider)(nil)

// Subscribe serves intrinsic event queries the way WMI serves them for
// classes without an event provider: by polling.
//
//	SELECT * FROM __InstanceCreationEvent WITHIN 2
//	  WHERE TargetInstance ISA 'Win32_Process' AND TargetInstance.Name = 'sleep'
//
// The class named by TargetInstance ISA (with its subclasses) is listed
// when Subscribe is called and again every WITHIN seconds; instances are
// compared by key with the previous listing. A new key raises
// __InstanceCreationEvent, a vanished one __InstanceDeletionEvent, a
// changed one __InstanceModificationEvent (with PreviousInstance), and
// __InstanceOperationEvent selects all three. Each event carries
// TargetInstance and TIME_CREATED (100 ns intervals since 1601, UTC) and
// must satisfy the whole WHERE clause. As in WMI, WITHIN and the ISA
// clause are required, and a change that comes and goes between two
// polls is not seen.
//
// The enumerator's Next waits for the next event until its ctx ends,
// which ends the subscription (Err says why); Close ends it at once,
// also from another goroutine.
func (p *Provider) Subscribe(ctx context.Context, req *model.SubscribeRequest) (model.Enumerator, error) {
	if req == nil {
		return nil, model.NewFault(model.CIMInvalidParameter, "memprov: nil subscribe request")
	}
	if err := ctxFault(ctx); err != nil {
		return nil, err
	}
	if !isWQL(req.QueryDialect) {
		return nil, model.NewFault(model.CIMQueryLanguageNotSupported, "memprov: query dialect %s is not supported (use WQL)", model.Quote(req.QueryDialect))
	}
	text := req.Query
	if text == "" && req.ClassName != "" {
		text = "SELECT * FROM " + req.ClassName
	}
	if text == "" {
		return nil, model.NewFault(model.CIMInvalidParameter, "memprov: Subscribe needs an event query or an indication class name")
	}
	q, err := wql.Parse(text)
	if err != nil {
		return nil, invalidQuery(err)
	}
	kinds, err := eventKinds(q)
	if err != nil {
		return nil, err
	}
	target, err := targetClass(q)
	if err != nil {
		return nil, err
	}
	if q.Within <= 0 {
		return nil, model.NewFault(model.CIMInvalidQuery,
			"memprov: %s needs WITHIN n, the polling interval in seconds (WMI requires it for classes without an event provider): %s", model.Clip(q.ClassName), model.Clip(text))
	}
	n, err := p.namespace(req.Namespace)
	if err != nil {
		return nil, err
	}
	e, err := p.class(n, target)
	if err != nil {
		return nil, err
	}
	if err := checkEventProperties(q, p.schema(n, e)); err != nil {
		return nil, err
	}
	q.IsA = func(class, base string) bool { return p.isA(n, class, base) }
	interval := time.Duration(q.Within * float64(time.Second))
	if interval < MinPollInterval {
		interval = MinPollInterval
	}
	s := &subEnum{p: p, n: n, e: e, q: q, kinds: kinds, interval: interval, stop: make(chan struct{})}
	if q.Properties != nil {
		s.names = make([]string, len(q.Properties))
		for i, name := range q.Properties {
			s.names[i], _, _ = strings.Cut(name, ".")
		}
	}
	// The first listing is the baseline: only what changes after
	// Subscribe raises events.
	if s.last, err = s.snapshot(ctx); err != nil {
		return nil, err
	}
	s.polled = time.Now()
	return s, nil
}

// eventKind is a bit set of the intrinsic events a query selects.
type eventKind uint8

const (
	kindCreation eventKind = 1 << iota
	kindDeletion
	kindModification
)

func eventKinds(q *wql.Query) (eventKind, error) {
	if q.Associators != nil {
		return 0, model.NewFault(model.CIMInvalidQuery, "memprov: an association query is not an event query")
	}
	switch strings.ToLower(q.ClassName) {
	case strings.ToLower(ClassInstanceCreationEvent):
		return kindCreation, nil
	case strings.ToLower(ClassInstanceDeletionEvent):
		return kindDeletion, nil
	case strings.ToLower(ClassInstanceModificationEvent):
		return kindModification, nil
	case strings.ToLower(ClassInstanceOperationEvent):
		return kindCreation | kindDeletion | kindModification, nil
	}
	// WMI answers WBEM_E_NOT_EVENT_CLASS; in CIM terms the query is
	// invalid (WS-Man: CannotProcessFilter).
	return 0, model.NewFault(model.CIMInvalidQuery,
		"memprov: %s is not an event class this provider raises (it raises __InstanceCreationEvent, __InstanceDeletionEvent, __InstanceModificationEvent and __InstanceOperationEvent)", model.Clip(q.ClassName))
}

// targetClass finds the class of TargetInstance ISA 'Class', which must
// hold for every event the query selects (a top-level conjunct).
func targetClass(q *wql.Query) (string, error) {
	var class string
	var find func(e wql.Expr)
	find = func(e wql.Expr) {
		switch x := e.(type) {
		case *wql.Binary:
			if x.Op == "AND" {
				find(x.Left)
				find(x.Right)
			}
		case *wql.IsA:
			if class == "" && strings.EqualFold(x.Property, "TargetInstance") {
				class = x.Class
			}
		}
	}
	find(q.Where)
	if class == "" {
		return "", model.NewFault(model.CIMInvalidQuery,
			"memprov: an intrinsic event query needs WHERE TargetInstance ISA 'Class' (ANDed with any other condition): %s", model.Clip(q.String()))
	}
	return class, nil
}

// eventProperties are the properties of the intrinsic event classes.
var eventProperties = []string{"TargetInstance", "PreviousInstance", "TIME_CREATED", "SECURITY_DESCRIPTOR"}

// checkEventProperties rejects a property the events do not have, or a
// TargetInstance.X (PreviousInstance.X) the target class does not
// declare, as WMI rejects such a query instead of never matching it.
func checkEventProperties(q *wql.Query, target *model.Class) error {
	names := append(append([]string(nil), q.Properties...), q.WhereProperties()...)
	for _, name := range names {
		head, rest, dotted := strings.Cut(name, ".")
		if strings.HasPrefix(head, "__") || name == "*" {
			continue
		}
		if !containsFold(eventProperties, head) {
			return model.NewFault(model.CIMInvalidQuery, "memprov: event class %s has no property %s (it has %s)", model.Clip(q.ClassName), model.Clip(head), strings.Join(eventProperties, ", "))
		}
		if !dotted || (!strings.EqualFold(head, "TargetInstance") && !strings.EqualFold(head, "PreviousInstance")) {
			continue
		}
		prop, _, _ := strings.Cut(rest, ".")
		if !strings.HasPrefix(prop, "__") && len(target.Properties) > 0 && target.Property(prop) == nil {
			return model.NewFault(model.CIMInvalidQuery, "memprov: class %s has no property %s (in %s)", target.Name, model.Clip(prop), model.Clip(name))
		}
	}
	return nil
}

// subEnum is one polling subscription.
type subEnum struct {
	p        *Provider
	n        *namespace
	e        *entry
	q        *wql.Query
	names    []string // projected properties (nil: all)
	kinds    eventKind
	interval time.Duration

	// Next's state: one caller at a time, as for every Enumerator.
	last   listing
	polled time.Time
	queue  []*model.Instance
	cur    *model.Instance
	err    error

	stop     chan struct{}
	stopOnce sync.Once

	// waiting, when set (by tests), is told each time Next starts
	// waiting for the next poll: the event a test of Close or a cancel
	// during that wait acts on.
	waiting chan<- struct{}
}

// listing is one poll's instances by identity, in listing order.
type listing struct {
	by    map[string]*model.Instance
	order []string
}

// snapshot lists the target class deeply.
func (s *subEnum) snapshot(ctx context.Context) (listing, error) {
	insts, err := s.p.listDeep(ctx, s.n, s.e, false)
	if err != nil {
		return listing{}, err
	}
	l := listing{by: make(map[string]*model.Instance, len(insts)), order: make([]string, 0, len(insts))}
	for _, inst := range insts {
		id := identity(inst)
		if _, dup := l.by[id]; !dup {
			l.order = append(l.order, id)
		}
		l.by[id] = inst
	}
	return l, nil
}

// identity is an instance's key for diffing: its class and keys, or its
// whole content when its class declares no key.
func identity(inst *model.Instance) string {
	if len(inst.Keys()) > 0 {
		return strings.ToLower(inst.ClassName) + "|" + inst.Path().String()
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(inst.ClassName))
	for _, pr := range inst.All() {
		b.WriteString("|")
		b.WriteString(pr.Name)
		b.WriteString("=")
		b.WriteString(pr.Value.String())
	}
	return b.String()
}

// Next waits for the next event.
func (s *subEnum) Next(ctx context.Context) bool {
	s.cur = nil
	for {
		select {
		case <-s.stop:
			return false
		default:
		}
		if s.err != nil {
			return false
		}
		if len(s.queue) > 0 {
			s.cur = s.queue[0]
			s.queue[0] = nil
			s.queue = s.queue[1:]
			return true
		}
		wait := time.Until(s.polled.Add(s.interval))
		if wait > 0 {
			t := time.NewTimer(wait)
			if s.waiting != nil {
				select {
				case s.waiting <- struct{}{}:
				default:
				}
			}
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				s.err = ctxErrFault(ctx.Err())
				return false
			case <-s.stop:
				t.Stop()
				return false
			}
		}
		if err := s.poll(ctx); err != nil {
			s.err = err
			return false
		}
	}
}

// poll lists the class again and queues the events the query selects.
func (s *subEnum) poll(ctx context.Context) error {
	now, err := s.snapshot(ctx)
	s.polled = time.Now()
	if err != nil {
		return err
	}
	created := model.Uint(model.TypeUint64, fileTime(s.polled))
	raise := func(class string, target, previous *model.Instance) error {
		ev := model.NewInstance(class, s.n.name)
		ev.ComputerName = s.p.computerName
		if previous != nil {
			ev.Set("PreviousInstance", model.Embedded(previous))
		}
		ev.Set("TargetInstance", model.Embedded(target))
		ev.Set("TIME_CREATED", created)
		ok, err := s.q.Match(ev)
		if err != nil {
			return invalidQuery(err)
		}
		if ok {
			s.queue = append(s.queue, project(ev, s.names, false))
		}
		return nil
	}
	// Deterministic order: the listing's order for creations and
	// modifications, then deletions in the previous listing's order.
	for _, id := range now.order {
		cur := now.by[id]
		old, had := s.last.by[id]
		switch {
		case !had && s.kinds&kindCreation != 0:
			err = raise(ClassInstanceCreationEvent, cur, nil)
		case had && s.kinds&kindModification != 0 && !old.Equal(cur):
			err = raise(ClassInstanceModificationEvent, cur, old)
		}
		if err != nil {
			return err
		}
	}
	if s.kinds&kindDeletion != 0 {
		for _, id := range s.last.order {
			if _, still := now.by[id]; !still {
				if err := raise(ClassInstanceDeletionEvent, s.last.by[id], nil); err != nil {
					return err
				}
			}
		}
	}
	s.last = now
	return nil
}

func (s *subEnum) Instance() *model.Instance { return s.cur }
func (s *subEnum) Err() error                { return s.err }

// Close ends the subscription; a waiting Next returns false at once.
func (s *subEnum) Close() error {
	s.stopOnce.Do(func() { close(s.stop) })
	return nil
}

// fileTime is t as a Windows FILETIME: 100 ns intervals since 1601-01-01
// UTC, the type of WMI's TIME_CREATED.
func fileTime(t time.Time) uint64 {
	const epochDiff = 116444736000000000 // 1601 to 1970 in 100 ns
	return uint64(t.UnixNano()/100) + epochDiff
}

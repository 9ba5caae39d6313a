package wsmantest

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/google/uuid"
)

// Eventing: Subscribe with Pull delivery, events by Pull on the
// subscription's enumeration context (waiting up to the request's
// OperationTimeout or n:MaxTime, then w:TimedOut, as Windows does),
// Unsubscribe and Renew, served from the provider's model.Subscriber.
// Heartbeats are accepted and not sent.
const (
	actionUnsubscribe = nsEventing + "/Unsubscribe"
	actionRenew       = nsEventing + "/Renew"
	deliveryModePull  = "http://schemas.dmtf.org/wbem/wsman/1/wsman/Pull"

	// defaultPullWait is how long a Pull without OperationTimeout waits
	// for events (WinRM's default OperationTimeout).
	defaultPullWait = 60 * time.Second
	// maxSubscriptions caps the subscriptions open at once, as WinRM's
	// quotas do; one more Subscribe gets w:QuotaLimit.
	maxSubscriptions = 100
)

// subscription is a server-side event subscription.
type subscription struct {
	id      string // e:Identifier
	t       target
	context string      // the enumeration context the next Pull must name (under subscriptions.mu)
	expiry  *time.Timer // ends the subscription at its e:Expires (under subscriptions.mu)

	mu      sync.Mutex // one Pull at a time
	pending *model.Instance

	it     model.Enumerator
	events chan *model.Instance
	cancel context.CancelFunc
	pumped chan struct{}
	err    error // why the provider ended it; written before pumped closes
}

// pump moves events from the provider to Pulls.
func (sub *subscription) pump(ctx context.Context) {
	defer close(sub.pumped)
	for sub.it.Next(ctx) {
		select {
		case sub.events <- sub.it.Instance():
		case <-ctx.Done():
			return
		}
	}
	if ctx.Err() == nil {
		sub.err = sub.it.Err()
		if sub.err == nil {
			sub.err = model.NewFault(model.CIMFailed, "the event source ended the subscription")
		}
	}
}

// end stops the pump and closes the provider's enumerator.
func (sub *subscription) end() {
	sub.cancel()
	<-sub.pumped
	sub.it.Close()
}

// subscriptions holds a server's subscriptions; the zero value is ready.
type subscriptions struct {
	mu     sync.Mutex
	byID   map[string]*subscription
	byCtx  map[string]*subscription
	closed bool
}

// add registers sub; it fails when the server is closing or holds
// maxSubscriptions already.
func (ss *subscriptions) add(sub *subscription) *FaultSpec {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.closed {
		return &FaultSpec{Subcode: "w:InternalError", Message: "The server is shutting down."}
	}
	if len(ss.byID) >= maxSubscriptions {
		return &FaultSpec{Subcode: "w:QuotaLimit", Message: "The WS-Management service cannot process the request: " +
			itoa(maxSubscriptions) + " subscriptions are open already. Unsubscribe some and try again."}
	}
	if ss.byID == nil {
		ss.byID, ss.byCtx = map[string]*subscription{}, map[string]*subscription{}
	}
	ss.byID[strings.ToUpper(sub.id)] = sub
	ss.byCtx[sub.context] = sub
	return nil
}

// remove drops sub and reports whether it was there.
func (ss *subscriptions) remove(sub *subscription) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.byID[strings.ToUpper(sub.id)] != sub {
		return false
	}
	delete(ss.byID, strings.ToUpper(sub.id))
	delete(ss.byCtx, sub.context)
	if sub.expiry != nil {
		sub.expiry.Stop()
	}
	return true
}

// lookup finds a live subscription by enumeration context or by
// identifier.
func (ss *subscriptions) lookup(ctxID, id string) *subscription {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ctxID != "" {
		return ss.byCtx[ctxID]
	}
	if id != "" {
		return ss.byID[strings.ToUpper(id)]
	}
	return nil
}

// expireAfter ends sub after d (zero: never), replacing an earlier
// expiry (Renew).
func (ss *subscriptions) expireAfter(sub *subscription, d time.Duration) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if sub.expiry != nil {
		sub.expiry.Stop()
		sub.expiry = nil
	}
	if d > 0 {
		sub.expiry = time.AfterFunc(d, func() {
			if ss.remove(sub) {
				sub.end()
			}
		})
	}
}

// rekey gives sub a fresh enumeration context, as Windows does on every
// PullResponse.
func (ss *subscriptions) rekey(sub *subscription) string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.byCtx, sub.context)
	sub.context = newMessageID()
	if ss.byID[strings.ToUpper(sub.id)] == sub {
		ss.byCtx[sub.context] = sub
	}
	return sub.context
}

// closeAll ends every subscription (server Close).
func (ss *subscriptions) closeAll() {
	ss.mu.Lock()
	ss.closed = true
	all := make([]*subscription, 0, len(ss.byID))
	for _, sub := range ss.byID {
		all = append(all, sub)
		if sub.expiry != nil {
			sub.expiry.Stop()
		}
	}
	ss.byID, ss.byCtx = nil, nil
	ss.mu.Unlock()
	for _, sub := range all {
		sub.end()
	}
}

// Subscriptions returns the identifiers of the open subscriptions.
func (s *Server) Subscriptions() []string {
	s.subs.mu.Lock()
	defer s.subs.mu.Unlock()
	ids := make([]string, 0, len(s.subs.byID))
	for _, sub := range s.subs.byID {
		ids = append(ids, sub.id)
	}
	return ids
}

// subscribe answers a Subscribe.
func (c *call) subscribe() ([]byte, *FaultSpec) {
	body := c.req.Body
	if !body.is(nsEventing, "Subscribe") {
		return nil, &FaultSpec{Subcode: "w:SchemaValidationError", Message: "The Subscribe request has no e:Subscribe body."}
	}
	sp, ok := c.s.provider.(model.Subscriber)
	if !ok {
		return nil, &FaultSpec{Subcode: "a:ActionNotSupported",
			Message: "The WS-Management service does not support the action " + c.req.Action + "."}
	}
	delivery := body.child(nsEventing, "Delivery")
	mode := deliveryModePull
	if delivery != nil {
		if m, ok := delivery.attr("", "Mode"); ok {
			mode = strings.TrimSpace(m)
		}
	}
	if mode != deliveryModePull {
		return nil, &FaultSpec{Subcode: "w:UnsupportedFeature",
			Message: "The event delivery mode " + mode + " is not supported: this server delivers events by Pull only."}
	}
	req := &model.SubscribeRequest{}
	if delivery != nil {
		if hb := delivery.child(nsWSMan, "Heartbeats"); hb != nil {
			d, err := model.ParseDuration(hb.text())
			if err != nil {
				return nil, &FaultSpec{Subcode: "w:SchemaValidationError", Message: "Heartbeats: " + err.Error()}
			}
			req.Heartbeat = d
		}
	}
	if ex := body.child(nsEventing, "Expires"); ex != nil {
		d, err := model.ParseDuration(ex.text())
		if err != nil || d < 0 {
			return nil, &FaultSpec{Subcode: "w:SchemaValidationError", Message: "Expires " + ex.text() + " is not a duration."}
		}
		req.Expires = d
	}
	f := body.child(nsWSMan, "Filter")
	if f == nil {
		return nil, &FaultSpec{Subcode: "n:CannotProcessFilter", Message: "The Subscribe request has no w:Filter (the event query)."}
	}
	if d, _ := f.attr("", "Dialect"); strings.TrimSpace(d) != "" && strings.TrimSpace(d) != dialectWQL {
		return nil, &FaultSpec{Subcode: "w:UnsupportedFeature", Message: "The filter dialect " + d + " is not supported for events."}
	}
	req.Query, req.QueryDialect = strings.TrimSpace(f.Text), "WQL"
	t := c.target()
	if t.Form == formUnknown || t.Form == formSchema {
		return nil, destination(c.req.ResourceURI)
	}
	req.Namespace, req.ResourceURI = t.Namespace, t.URI
	if t.Class != "*" {
		req.ClassName = t.Class
	}
	it, err := sp.Subscribe(c.ctx, req)
	if err != nil {
		return nil, c.fault(err, opQuery)
	}
	pctx, cancel := context.WithCancel(context.Background())
	sub := &subscription{id: strings.ToUpper(uuid.NewString()), t: t, context: newMessageID(), it: it,
		events: make(chan *model.Instance), cancel: cancel, pumped: make(chan struct{})}
	ctxID := sub.context
	go sub.pump(pctx)
	if f := c.s.subs.add(sub); f != nil {
		sub.end()
		return nil, f
	}
	c.s.subs.expireAfter(sub, req.Expires)
	st := c.st
	r := c.s.begin(st, nsEventing+"/SubscribeResponse", c.req.MessageID, "s a e n w", false)
	r.raw("<e:SubscribeResponse><e:SubscriptionManager><", st.addr, ":Address>")
	r.text(c.s.url)
	r.raw("</", st.addr, ":Address><", st.addr, ":ReferenceProperties><", st.wsman, ":ResourceURI>")
	r.text(c.req.ResourceURI)
	r.raw("</", st.wsman, ":ResourceURI><e:Identifier>", sub.id, "</e:Identifier></", st.addr, ":ReferenceProperties></e:SubscriptionManager>")
	r.raw("<e:Expires>", durationText(req.Expires), "</e:Expires>")
	r.raw("<", st.enum, ":EnumerationContext>", ctxID, "</", st.enum, ":EnumerationContext></e:SubscribeResponse>")
	return r.end(), nil
}

// pullEvents answers a Pull on a subscription's context: the events
// that are there, or the first to come within the wait, or w:TimedOut.
func (c *call) pullEvents(sub *subscription) ([]byte, *FaultSpec) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	// A Pull that waited for another one to finish names a context that
	// PullResponse has replaced.
	c.s.subs.mu.Lock()
	current := sub.context
	c.s.subs.mu.Unlock()
	if id := c.req.Body.child(nsEnumeration, "EnumerationContext").text(); id != current {
		return nil, &FaultSpec{Subcode: "n:InvalidEnumerationContext", Message: "The enumeration context " + id + " has been replaced by a later PullResponse."}
	}
	max := 1
	if m := c.req.Body.child(nsEnumeration, "MaxElements"); m != nil {
		n, err := strconv.Atoi(m.text())
		if err != nil || n <= 0 {
			return nil, &FaultSpec{Subcode: "w:SchemaValidationError", Message: "MaxElements " + m.text() + " is not a positive number."}
		}
		max = n
	}
	if max > c.s.opts.MaxBatch {
		max = c.s.opts.MaxBatch
	}
	wait := c.req.OperationTimeout
	if wait <= 0 {
		wait = defaultPullWait
	}
	if mt := c.req.Body.child(nsEnumeration, "MaxTime"); mt != nil {
		d, err := model.ParseDuration(mt.text())
		if err != nil || d <= 0 {
			return nil, &FaultSpec{Subcode: "w:SchemaValidationError", Message: "MaxTime " + mt.text() + " is not a positive duration."}
		}
		if d < wait {
			wait = d
		}
	}
	limit, f := c.maxEnvelope()
	if f != nil {
		return nil, f
	}
	first := sub.pending
	sub.pending = nil
	if first == nil {
		timer := time.NewTimer(wait)
		defer timer.Stop()
		select {
		case first = <-sub.events:
		case <-sub.pumped:
			c.s.subs.remove(sub)
			go sub.end()
			if sub.err == nil { // unsubscribed while this Pull waited
				return nil, &FaultSpec{Subcode: "n:InvalidEnumerationContext", Message: "The subscription has ended."}
			}
			return nil, c.fault(sub.err, opOther)
		case <-timer.C:
			return nil, &FaultSpec{Subcode: "w:TimedOut"}
		case <-c.ctx.Done():
			return nil, &FaultSpec{Subcode: "w:TimedOut", Message: "The client went away."}
		}
	}
	st, n := c.st, c.st.enum
	enc := c.encoder(sub.t)
	item := func(w *xw, inst *model.Instance) {
		if inst.Namespace == "" {
			inst = inst.Clone()
			inst.Namespace = sub.t.Namespace
		}
		enc.instance(w, inst, nil)
	}
	overhead := c.s.begin(st, nsEnumeration+"/PullResponse", c.req.MessageID, "s a n w", false)
	overhead.raw("<", n, ":PullResponse><", n, ":EnumerationContext>", newMessageID(), "</", n, ":EnumerationContext><",
		n, ":Items></", n, ":Items></", n, ":PullResponse>")
	budget := limit - len(overhead.end())
	var items xw
	items.charRefs = st.dialect == OMI
	count := 0
	for ev := first; ev != nil; {
		var one xw
		one.charRefs = items.charRefs
		item(&one, ev)
		if items.Len()+one.Len() > budget {
			if count == 0 {
				c.s.subs.remove(sub)
				go sub.end()
				return nil, tooBig(one.Len(), budget)
			}
			sub.pending = ev
			break
		}
		items.Write(one.Bytes())
		count++
		ev = nil
		if count < max {
			select {
			case ev = <-sub.events:
			default:
			}
		}
	}
	ctxID := c.s.subs.rekey(sub)
	r := c.s.begin(st, nsEnumeration+"/PullResponse", c.req.MessageID, "s a n w", false)
	r.raw("<", n, ":PullResponse><", n, ":EnumerationContext>", ctxID, "</", n, ":EnumerationContext><", n, ":Items>")
	r.Write(items.Bytes())
	r.raw("</", n, ":Items></", n, ":PullResponse>")
	return r.end(), nil
}

// releaseEvents answers a Release of a subscription's context by ending
// the subscription.
func (c *call) releaseEvents(sub *subscription) ([]byte, *FaultSpec) {
	if c.s.subs.remove(sub) {
		sub.end()
	}
	r := c.s.begin(c.st, nsEnumeration+"/ReleaseResponse", c.req.MessageID, "s a n w", false)
	return r.end(), nil
}

// unknownSubscription is the fault for an Unsubscribe or Renew naming no
// live subscription.
func unknownSubscription(id string) *FaultSpec {
	return &FaultSpec{Subcode: "a:DestinationUnreachable",
		Message: "The WS-Management service cannot find the subscription " + id + ": it has been unsubscribed, has expired, or never existed."}
}

// unsubscribe answers an Unsubscribe: the subscription named by the
// e:Identifier header ends.
func (c *call) unsubscribe() ([]byte, *FaultSpec) {
	if !c.req.Body.is(nsEventing, "Unsubscribe") {
		return nil, &FaultSpec{Subcode: "w:SchemaValidationError", Message: "The Unsubscribe request has no e:Unsubscribe body."}
	}
	sub := c.s.subs.lookup("", c.req.Identifier)
	if sub == nil || !c.s.subs.remove(sub) {
		return nil, unknownSubscription(c.req.Identifier)
	}
	sub.end()
	r := c.s.begin(c.st, nsEventing+"/UnsubscribeResponse", c.req.MessageID, "s a e w", false)
	return r.end(), nil
}

// renew answers a Renew with the new expiry.
func (c *call) renew() ([]byte, *FaultSpec) {
	if !c.req.Body.is(nsEventing, "Renew") {
		return nil, &FaultSpec{Subcode: "w:SchemaValidationError", Message: "The Renew request has no e:Renew body."}
	}
	sub := c.s.subs.lookup("", c.req.Identifier)
	if sub == nil {
		return nil, unknownSubscription(c.req.Identifier)
	}
	var d time.Duration
	if ex := c.req.Body.child(nsEventing, "Expires"); ex != nil {
		var err error
		if d, err = model.ParseDuration(ex.text()); err != nil || d < 0 {
			return nil, &FaultSpec{Subcode: "w:SchemaValidationError", Message: "Expires " + ex.text() + " is not a duration."}
		}
	}
	c.s.subs.expireAfter(sub, d)
	r := c.s.begin(c.st, nsEventing+"/RenewResponse", c.req.MessageID, "s a e w", false)
	r.raw("<e:RenewResponse><e:Expires>", durationText(d), "</e:Expires></e:RenewResponse>")
	return r.end(), nil
}

// durationText writes d as Windows does (PT60.000S); zero is PT0.000S,
// which the Windows capture shows for a subscription without expiry.
func durationText(d time.Duration) string {
	ms := d.Milliseconds()
	return "PT" + strconv.FormatInt(ms/1000, 10) + "." + leftPad3(ms%1000) + "S"
}

func leftPad3(n int64) string {
	s := strconv.FormatInt(n, 10)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}

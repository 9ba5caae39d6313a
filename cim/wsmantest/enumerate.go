package wsmantest

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wql"
)

// enumeration is a server-side enumeration context.
type enumeration struct {
	id      string
	mu      sync.Mutex // one Pull at a time
	it      model.Enumerator
	pending []*model.Instance // read from it but not yet sent
	classes []*model.Class    // class enumerations: the classes left
	// lastUsed (UnixNano) is written under mu by Pull and read under the
	// server's lock by expiry: atomic, since the two locks differ.
	lastUsed atomic.Int64
	item     func(w *xw, inst *model.Instance) // writes one item
	classItm func(w *xw, c *model.Class)
	// reopen starts the provider's enumeration again
	// (Options.EndlessEnumerations; nil otherwise).
	reopen func(ctx context.Context) (model.Enumerator, error)

	// busy holds the classes whose providers the open enumeration keeps
	// busy in the OMI dialect (busy.go), under the server's lock;
	// lastBusy (under mu) spares the lock for runs of one class. ended
	// is closed when the enumeration ends.
	busy     map[string]bool
	lastBusy string
	ended    chan struct{}
	endOnce  sync.Once
}

func newEnumeration() *enumeration {
	e := &enumeration{id: newMessageID(), ended: make(chan struct{})}
	e.lastUsed.Store(time.Now().UnixNano())
	return e
}

// close releases the provider's enumerator; the caller holds e.mu.
func (e *enumeration) close() {
	if e.it != nil {
		e.it.Close()
		e.it = nil
	}
	e.pending, e.classes = nil, nil
	e.endOnce.Do(func() { close(e.ended) })
}

// closeLocked closes e once no Pull is using it.
func (e *enumeration) closeLocked() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.close()
}

// enumRequest is the parsed body of an Enumerate.
type enumRequest struct {
	optimize    bool
	maxElements int // 0: absent
	mode        string
	dialect     string
	filter      *node
}

func parseEnumerate(body *node) (enumRequest, *FaultSpec) {
	var er enumRequest
	if !body.is(nsEnumeration, "Enumerate") {
		return er, &FaultSpec{Subcode: "w:SchemaValidationError", Message: "The Enumerate request has no wsen:Enumerate body."}
	}
	er.optimize = body.child(nsWSMan, "OptimizeEnumeration") != nil
	if m := body.child(nsWSMan, "MaxElements"); m != nil {
		n, err := strconv.Atoi(m.text())
		if err != nil || n <= 0 {
			return er, &FaultSpec{Subcode: "w:SchemaValidationError", Message: "MaxElements " + m.text() + " is not a positive number."}
		}
		er.maxElements = n
	}
	er.mode = body.child(nsWSMan, "EnumerationMode").text()
	switch er.mode {
	case "", "EnumerateEPR", "EnumerateObjectAndEPR":
	default:
		return er, &FaultSpec{Subcode: "w:UnsupportedFeature", Message: "The enumeration mode " + er.mode + " is not supported."}
	}
	if f := body.child(nsWSMan, "Filter"); f != nil {
		er.filter = f
		er.dialect, _ = f.attr("", "Dialect")
		er.dialect = strings.TrimSpace(er.dialect)
	}
	return er, nil
}

// enumerate answers an Enumerate: instances of a class, a WQL query, a
// selector or association filter, or the classes of a namespace.
func (c *call) enumerate() ([]byte, *FaultSpec) {
	er, f := parseEnumerate(c.req.Body)
	if f != nil {
		return nil, f
	}
	if max := c.s.opts.MaxEnumerations; max > 0 {
		c.s.mu.Lock()
		c.s.expireLocked(time.Now())
		open := len(c.s.enums)
		c.s.mu.Unlock()
		if open >= max {
			q := FaultQuotaLimit
			q.Message = "The WS-Management service cannot process the request. This user is allowed a maximum number of " +
				itoa(max) + " concurrent operations, which has been exceeded. Close existing operations for this user, or raise the quota for this user."
			return nil, &q
		}
	}
	t := c.target()
	if t.Form == formUnknown {
		return nil, destination(c.req.ResourceURI)
	}
	enc := c.encoder(t)
	e := newEnumeration()
	for _, k := range c.enumerateKeys(t) {
		c.s.markBusy(e, k)
	}
	if t.Form == formSchema {
		classes, err := c.s.provider.EnumerateClasses(c.ctx, &model.EnumerateClassesRequest{Common: model.Common{Namespace: t.Namespace}})
		if err != nil {
			return nil, c.fault(err, opOther)
		}
		e.classes = classes
		e.classItm = func(w *xw, cl *model.Class) { c.s.writeClass(c.ctx, w, c.st, cl) }
		return c.startEnumeration(e, er)
	}

	mreq := &model.EnumerateRequest{Common: model.Common{Namespace: t.Namespace, ResourceURI: t.URI},
		ClassName: t.Class, KeyOnly: er.mode == "EnumerateEPR"}
	var props []string
	var selFilter []model.Selector
	kind := opOther
	switch {
	case er.filter == nil:
		if t.Class == "*" {
			return nil, &FaultSpec{Subcode: "n:CannotProcessFilter",
				Message: "Enumerating every class needs a filter (WQL or association)."}
		}
	case er.dialect == dialectWQL || er.dialect == "":
		kind = opQuery
		text := strings.TrimSpace(er.filter.Text)
		q, err := wql.Parse(text)
		if err != nil {
			return nil, &FaultSpec{Subcode: "n:CannotProcessFilter",
				CIM: model.NewFault(model.CIMInvalidQuery, "%s", err.Error())}
		}
		if q.Associators == nil {
			props = q.Properties
			if t.Class != "*" && !strings.EqualFold(t.Class, q.ClassName) {
				return nil, &FaultSpec{Subcode: "n:CannotProcessFilter",
					Message: "The WQL query names class " + q.ClassName + " but the resource URI names " + t.Class + "."}
			}
		}
		mreq.ClassName, mreq.Query, mreq.QueryDialect = "", text, "WQL"
	case er.dialect == dialectSelector:
		sels, err := parseSelectorSet(er.filter.child(nsWSMan, "SelectorSet"), 0)
		if err != nil || er.filter.child(nsWSMan, "SelectorSet") == nil {
			return nil, &FaultSpec{Subcode: "n:CannotProcessFilter", Message: "The selector filter has no valid SelectorSet."}
		}
		selFilter = withoutNamespaceSelector(sels)
	case er.dialect == dialectAssociation:
		af, f := c.associationFilter(er.filter)
		if f != nil {
			return nil, f
		}
		mreq.ClassName, mreq.Associated = "", af
	default:
		return nil, &FaultSpec{Subcode: "w:UnsupportedFeature",
			Message: "The filter dialect " + er.dialect + " is not supported."}
	}
	it, err := c.s.provider.Enumerate(c.ctx, mreq)
	if err != nil {
		return nil, c.fault(err, kind)
	}
	if selFilter != nil {
		it = &selectorFiltered{Enumerator: it, sels: selFilter, fold: c.st.dialect == Windows}
	}
	e.it = it
	if c.s.opts.EndlessEnumerations {
		e.reopen = func(ctx context.Context) (model.Enumerator, error) {
			it, err := c.s.provider.Enumerate(ctx, mreq)
			if err == nil && selFilter != nil {
				it = &selectorFiltered{Enumerator: it, sels: selFilter, fold: c.st.dialect == Windows}
			}
			return it, err
		}
	}
	fragment := props != nil && c.st.dialect == Windows
	e.item = func(w *xw, inst *model.Instance) {
		if inst.Namespace == "" {
			inst = inst.Clone()
			inst.Namespace = t.Namespace
		}
		c.s.markBusy(e, classKey(inst.Namespace, inst.ClassName))
		obj := func() {
			if fragment {
				enc.fragment(w, inst, props)
			} else {
				enc.instance(w, inst, props)
			}
		}
		switch er.mode {
		case "EnumerateEPR":
			enc.epr(w, c.instanceRef(t, inst), 0)
		case "EnumerateObjectAndEPR":
			w.raw("<", c.st.wsman, ":Item>")
			obj()
			enc.epr(w, c.instanceRef(t, inst), 0)
			w.raw("</", c.st.wsman, ":Item>")
		default:
			obj()
		}
	}
	// A failure on the first instance is the query's failure.
	if !it.Next(c.ctx) {
		if err := it.Err(); err != nil {
			it.Close()
			return nil, c.fault(err, kind)
		}
	} else {
		e.pending = append(e.pending, it.Instance())
	}
	return c.startEnumeration(e, er)
}

// instanceRef is the EPR of an enumerated instance, in the request's URI
// family.
func (c *call) instanceRef(t target, inst *model.Instance) *model.Reference {
	ref := inst.Path()
	ref.ResourceURI = classURI(t.WMI && c.st.dialect == Windows, inst.Namespace, inst.ClassName)
	ref.Namespace = inst.Namespace
	return ref
}

// startEnumeration answers the Enumerate: with the first batch when the
// client asked for optimization, registering the context unless done.
func (c *call) startEnumeration(e *enumeration, er enumRequest) ([]byte, *FaultSpec) {
	limit, f := c.maxEnvelope()
	if f != nil {
		e.close()
		return nil, f
	}
	st, m := c.st, c.st.wsman
	n := st.enum
	if !er.optimize {
		c.s.register(e)
		r := c.s.begin(st, nsEnumeration+"/EnumerateResponse", c.req.MessageID, "s a n w", false)
		r.raw("<", n, ":EnumerateResponse><", n, ":EnumerationContext>", e.id, "</", n, ":EnumerationContext>")
		if st.dialect == OMI {
			r.raw("<", m, ":Items></", m, ":Items>")
		}
		r.raw("</", n, ":EnumerateResponse>")
		return r.end(), nil
	}
	max := er.maxElements
	if max == 0 {
		max = 1
	}
	overhead := c.s.begin(st, nsEnumeration+"/EnumerateResponse", c.req.MessageID, "s a n w", false)
	overhead.raw("<", n, ":EnumerateResponse><", n, ":EnumerationContext>", e.id, "</", n, ":EnumerationContext><",
		m, ":Items></", m, ":Items><", m, ":EndOfSequence/></", n, ":EnumerateResponse>")
	items, done, f := c.batch(e, max, limit-len(overhead.end()))
	if f != nil {
		e.close()
		return nil, f
	}
	if c.s.opts.EmptyBatches && e.classes == nil {
		done = false
	}
	r := c.s.begin(st, nsEnumeration+"/EnumerateResponse", c.req.MessageID, "s a n w", false)
	r.raw("<", n, ":EnumerateResponse><", n, ":EnumerationContext>")
	switch {
	case !done:
		c.s.register(e)
		r.raw(e.id)
	case st.dialect == OMI:
		r.raw(c.s.deadContext()) // OMI's context beside EndOfSequence is dead
	}
	r.raw("</", n, ":EnumerationContext><", m, ":Items>")
	r.Write(items)
	c.extraItems(&r.xw)
	r.raw("</", m, ":Items>")
	if done {
		e.close()
		c.s.markEnd(c.seq)
		r.raw("<", m, ":EndOfSequence/>")
	}
	r.raw("</", n, ":EnumerateResponse>")
	return r.end(), nil
}

// batch serializes up to max items that fit in budget bytes and reports
// whether the enumeration is exhausted. An item that alone exceeds the
// budget is an EncodingLimit fault (it stays pending for a retry).
func (c *call) batch(e *enumeration, max, budget int) ([]byte, bool, *FaultSpec) {
	if max > c.s.opts.MaxBatch {
		max = c.s.opts.MaxBatch
	}
	var out xw
	out.charRefs = c.st.dialect == OMI
	count := 0
	for count < max {
		var one xw
		one.charRefs = out.charRefs
		if e.classes != nil {
			if len(e.classes) == 0 {
				return out.Bytes(), true, nil
			}
			e.classItm(&one, e.classes[0])
		} else {
			inst, ok, f := c.next(e)
			if f != nil {
				return nil, false, f
			}
			if !ok {
				return out.Bytes(), true, nil
			}
			e.pending = append([]*model.Instance{inst}, e.pending...)
			e.item(&one, inst)
		}
		if out.Len()+one.Len() > budget {
			if count == 0 {
				return nil, false, tooBig(one.Len(), budget)
			}
			break
		}
		out.Write(one.Bytes())
		count++
		if e.classes != nil {
			e.classes = e.classes[1:]
		} else {
			e.pending = e.pending[1:]
		}
	}
	// Look ahead so that the last batch carries EndOfSequence.
	if e.classes != nil {
		return out.Bytes(), len(e.classes) == 0, nil
	}
	inst, ok, f := c.next(e)
	if f != nil {
		return nil, false, f
	}
	if ok {
		e.pending = append([]*model.Instance{inst}, e.pending...)
	}
	return out.Bytes(), !ok, nil
}

// next returns the next instance of the enumeration.
func (c *call) next(e *enumeration) (*model.Instance, bool, *FaultSpec) {
	if len(e.pending) > 0 {
		inst := e.pending[0]
		e.pending = e.pending[1:]
		return inst, true, nil
	}
	if e.it == nil {
		return nil, false, nil
	}
	if e.it.Next(c.ctx) {
		return e.it.Instance(), true, nil
	}
	if err := e.it.Err(); err != nil {
		return nil, false, c.fault(err, opOther)
	}
	if e.reopen != nil {
		return c.startOver(e)
	}
	return nil, false, nil
}

// openContext is the open enumeration context id, nil when there is none
// (idle ones expire first).
func (s *Server) openContext(id string) *enumeration {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked(time.Now())
	return s.enums[id]
}

// register keeps e as an open enumeration context.
func (s *Server) register(e *enumeration) {
	s.mu.Lock()
	s.enums[e.id] = e
	s.mu.Unlock()
}

// expireLocked drops contexts idle longer than the enumeration timeout.
func (s *Server) expireLocked(now time.Time) {
	for id, e := range s.enums {
		if now.Sub(time.Unix(0, e.lastUsed.Load())) > s.opts.EnumerationTimeout {
			delete(s.enums, id)
			go e.closeLocked()
		}
	}
}

// ExpireEnumerations expires every open enumeration context at once, as
// if the enumeration timeout had passed; it returns how many there were.
func (s *Server) ExpireEnumerations() int {
	s.mu.Lock()
	enums := s.enums
	s.enums = map[string]*enumeration{}
	s.mu.Unlock()
	for _, e := range enums {
		e.closeLocked()
	}
	return len(enums)
}

// EnumerationContexts returns the ids of the open contexts.
func (s *Server) EnumerationContexts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked(time.Now())
	ids := make([]string, 0, len(s.enums))
	for id := range s.enums {
		ids = append(ids, id)
	}
	return ids
}

// context finds the context a Pull or Release names.
func (c *call) context() (*enumeration, *FaultSpec) {
	id := c.req.Body.child(nsEnumeration, "EnumerationContext").text()
	e := c.s.openContext(id)
	if e == nil {
		return nil, &FaultSpec{Subcode: "n:InvalidEnumerationContext",
			Message: "The enumeration context " + id + " is not valid: it has expired, ended, or never existed."}
	}
	return e, nil
}

// pull answers a Pull with the next batch.
func (c *call) pull() ([]byte, *FaultSpec) {
	if !c.req.Body.is(nsEnumeration, "Pull") {
		return nil, &FaultSpec{Subcode: "w:SchemaValidationError", Message: "The Pull request has no wsen:Pull body."}
	}
	if sub := c.s.subs.lookup(c.req.Body.child(nsEnumeration, "EnumerationContext").text(), ""); sub != nil {
		return c.pullEvents(sub)
	}
	e, f := c.context()
	if f != nil {
		return nil, f
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lastUsed.Store(time.Now().UnixNano())
	max := 1
	if m := c.req.Body.child(nsEnumeration, "MaxElements"); m != nil {
		n, err := strconv.Atoi(m.text())
		if err != nil || n <= 0 {
			return nil, &FaultSpec{Subcode: "w:SchemaValidationError", Message: "MaxElements " + m.text() + " is not a positive number."}
		}
		max = n
	}
	limit, f := c.maxEnvelope()
	if f != nil {
		return nil, f
	}
	st, n := c.st, c.st.enum
	overhead := c.s.begin(st, nsEnumeration+"/PullResponse", c.req.MessageID, "s a n w", false)
	overhead.raw("<", n, ":PullResponse><", n, ":EnumerationContext>", e.id, "</", n, ":EnumerationContext><",
		n, ":Items></", n, ":Items><", n, ":EndOfSequence/></", n, ":PullResponse>")
	var items []byte
	done := false
	if !c.s.opts.EmptyBatches || e.classes != nil {
		items, done, f = c.batch(e, max, limit-len(overhead.end()))
		if f != nil {
			return nil, f
		}
	}
	r := c.s.begin(st, nsEnumeration+"/PullResponse", c.req.MessageID, "s a n w", false)
	r.raw("<", n, ":PullResponse>")
	switch {
	case !done:
		r.raw("<", n, ":EnumerationContext>", e.id, "</", n, ":EnumerationContext>")
	case st.dialect == OMI:
		r.raw("<", n, ":EnumerationContext>", c.s.deadContext(), "</", n, ":EnumerationContext>")
	}
	r.raw("<", n, ":Items>")
	r.Write(items)
	c.extraItems(&r.xw)
	r.raw("</", n, ":Items>")
	if done {
		c.s.mu.Lock()
		delete(c.s.enums, e.id)
		c.s.mu.Unlock()
		e.close()
		c.s.markEnd(c.seq)
		r.raw("<", n, ":EndOfSequence/>")
	}
	r.raw("</", n, ":PullResponse>")
	return r.end(), nil
}

// release answers a Release, dropping the context.
func (c *call) release() ([]byte, *FaultSpec) {
	if !c.req.Body.is(nsEnumeration, "Release") {
		return nil, &FaultSpec{Subcode: "w:SchemaValidationError", Message: "The Release request has no wsen:Release body."}
	}
	if sub := c.s.subs.lookup(c.req.Body.child(nsEnumeration, "EnumerationContext").text(), ""); sub != nil {
		return c.releaseEvents(sub)
	}
	e, f := c.context()
	if f != nil {
		return nil, f
	}
	c.s.mu.Lock()
	delete(c.s.enums, e.id)
	c.s.mu.Unlock()
	e.closeLocked()
	r := c.s.begin(c.st, nsEnumeration+"/ReleaseResponse", c.req.MessageID, "s a n w", false)
	return r.end(), nil
}

// associationFilter reads a cimbinding association filter.
func (c *call) associationFilter(f *node) (*model.AssociationFilter, *FaultSpec) {
	body := f.child(nsCIMBinding, "AssociatedInstances")
	refs := false
	if body == nil {
		body = f.child(nsCIMBinding, "AssociationInstances")
		refs = true
	}
	if body == nil {
		return nil, &FaultSpec{Subcode: "n:CannotProcessFilter",
			Message: "The association filter needs b:AssociatedInstances or b:AssociationInstances."}
	}
	obj := body.child(nsCIMBinding, "Object")
	if obj == nil {
		return nil, &FaultSpec{Subcode: "n:CannotProcessFilter", Message: "The association filter has no b:Object."}
	}
	ref, err := parseEPR(obj, 0)
	if err != nil {
		return nil, &FaultSpec{Subcode: "n:CannotProcessFilter", Message: err.Error()}
	}
	if ref.Namespace == "" {
		ref.Namespace = c.defaultNamespace()
	}
	af := &model.AssociationFilter{Source: ref, References: refs,
		AssociationClass: body.child(nsCIMBinding, "AssociationClassName").text(),
		ResultClass:      body.child(nsCIMBinding, "ResultClassName").text(),
		Role:             body.child(nsCIMBinding, "Role").text(),
		ResultRole:       body.child(nsCIMBinding, "ResultRole").text(),
	}
	return af, nil
}

// selectorFiltered applies a SelectorFilter to an enumeration.
type selectorFiltered struct {
	model.Enumerator
	sels []model.Selector
	fold bool
}

func (s *selectorFiltered) Next(ctx context.Context) bool {
	for s.Enumerator.Next(ctx) {
		if s.match(s.Enumerator.Instance()) {
			return true
		}
	}
	return false
}

func (s *selectorFiltered) match(inst *model.Instance) bool {
	for _, sel := range s.sels {
		v, ok := inst.Get(sel.Name)
		if !ok {
			return false
		}
		if s.fold && !strings.EqualFold(v.Text(), sel.Value) || !s.fold && v.Text() != sel.Value {
			return false
		}
	}
	return true
}

// maxDeadContexts bounds the dead contexts remembered (for
// LoggedRequest.DeadContext) on a long-running server.
const maxDeadContexts = 100000

// deadContext returns a fresh context for OMI to send beside
// EndOfSequence, and remembers it: a Pull or Release naming it is logged
// as DeadContext (and answered as any unknown context is).
func (s *Server) deadContext() string {
	id := newMessageID()
	s.mu.Lock()
	if len(s.dead) >= maxDeadContexts {
		clear(s.dead)
	}
	s.dead[id] = true
	s.mu.Unlock()
	return id
}

// isDeadContext reports whether id is a context deadContext returned.
func (s *Server) isDeadContext(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dead[id]
}

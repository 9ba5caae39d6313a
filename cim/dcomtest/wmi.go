package dcomtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
	"github.com/cimsh/cimsh/cim/dcom/orpc"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
	"github.com/cimsh/cimsh/cim/dcom/wmi"
	"github.com/cimsh/cimsh/cim/dcom/wmio"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wql"
)

// login is an IWbemLevel1Login object.
type login struct{}

// services is an IWbemServices object bound to a namespace.
type services struct{ ns string }

// callResult is an IWbemCallResult holding a finished call's result.
type callResult struct {
	path string
	unit []byte
}

// enumerator is an IEnumWbemClassObject over a provider enumeration (or
// a list of ready objects).
type enumerator struct {
	mu     sync.Mutex
	ns     string
	e      model.Enumerator
	units  [][]byte
	done   bool
	err    error
	cancel context.CancelFunc
	// events is fed by a pump (for subscriptions and instance
	// enumerations alike), so that Next waits for what the provider
	// produces at most its timeout, as WMI's semi-synchronous calls do;
	// the pump's ctx lives until the enumerator is released.
	events chan *model.Instance
	pumped chan struct{}
	// delay is waited before each instance (Server.SetInstanceDelay).
	delay time.Duration
}

// pump moves the provider enumerator's instances to e.events until it
// ends.
func (e *enumerator) pump(ctx context.Context) {
	defer close(e.pumped)
	for {
		if e.delay > 0 {
			t := time.NewTimer(e.delay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
		}
		if !e.e.Next(ctx) {
			return
		}
		select {
		case e.events <- e.e.Instance():
		case <-ctx.Done():
			return
		}
	}
}

// close stops the pump (waiting for it, as provider enumerators are not
// safe for concurrent use) and closes the provider enumerator.
func (e *enumerator) close() {
	if e.cancel != nil {
		e.cancel()
	}
	if e.pumped != nil {
		<-e.pumped
	}
	if e.e != nil {
		e.e.Close()
	}
}

func (s *Server) wmiInterfaces() map[ndr.GUID]handler {
	return map[ndr.GUID]handler{
		orpc.IIDWbemLevel1Login:     s.wmiCall,
		orpc.IIDWbemServices:        s.wmiCall,
		orpc.IIDEnumWbemClassObject: s.wmiCall,
		orpc.IIDWbemCallResult:      s.wmiCall,
	}
}

// wmiCall dispatches a call to the object its IPID names.
func (s *Server) wmiCall(c *callInfo) ([]byte, error) {
	if c.object == nil {
		return nil, &rpc.Fault{Status: 0x80010114}
	}
	o := s.lookup(*c.object)
	if o == nil || o.iid != c.iface {
		return nil, &rpc.Fault{Status: 0x80010114} // RPC_E_INVALID_OBJECT
	}
	s.seeLevel(c.level)
	if st := s.failNext.Swap(0); st != 0 {
		return nil, &rpc.Fault{Status: st}
	}
	if d := time.Duration(s.latency.Load()); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-c.ctx.Done():
			t.Stop()
		}
	}
	r := ndr.NewReader(c.stub)
	orpc.ReadThis(r)
	switch impl := o.impl.(type) {
	case *login:
		return s.loginCall(c, r)
	case *services:
		return s.servicesCall(c, r, impl)
	case *enumerator:
		return s.enumCall(c, r, impl)
	case *callResult:
		return s.callResultCall(c, r, impl)
	}
	return nil, &rpc.Fault{Status: rpc.StatusOpRange}
}

// hresult maps a provider error to a WMI HRESULT.
func hresult(err error) uint32 {
	if f, ok := model.AsFault(err); ok {
		if f.Category == model.CategoryTimeout {
			return wmi.ETimedOut
		}
		return wmi.HRESULTOf(f.CIMStatus)
	}
	return wmi.EFailed
}

func (s *Server) loginCall(c *callInfo, r *ndr.Reader) ([]byte, error) {
	switch c.opnum {
	case 3: // EstablishPosition
		return reply(0, func(w *ndr.Writer) { w.U32(1) }), nil
	case 4, 5: // RequestChallenge, WBEMLogin: Windows answers these too
		return reply(wmi.ENotSupported, func(w *ndr.Writer) { w.U32(0); w.U32(0); w.U32(0) }), nil
	case 6: // NTLMLogin
		res, _ := r.LPWSTR()
		r.LPWSTR()
		r.U32()
		r.InterfacePointer()
		if err := r.Err(); err != nil {
			return nil, err
		}
		ns := namespaceOf(res)
		null := func(w *ndr.Writer) { w.Ptr(false) }
		if ns == "" {
			return reply(wmi.EInvalidNamespace, null), nil
		}
		if _, err := s.provider.EnumerateClasses(c.ctx, &model.EnumerateClassesRequest{Common: model.Common{Namespace: ns}}); err != nil {
			return reply(hresult(err), null), nil
		}
		_, ref := s.export(orpc.IIDWbemServices, &services{ns: ns})
		return reply(0, func(w *ndr.Writer) { w.InterfacePointer(ref) }), nil
	}
	return nil, &rpc.Fault{Status: rpc.StatusOpRange}
}

// namespaceOf turns "//./root/cimv2", "\\.\root\cimv2" or "root\cimv2"
// into "root/cimv2".
func namespaceOf(res string) string {
	res = strings.ReplaceAll(res, `\`, "/")
	if strings.HasPrefix(res, "//") {
		rest := res[2:]
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			return ""
		}
		res = rest[i+1:]
	}
	return strings.Trim(res, "/")
}

// schema returns the class of inst's class with its derivation, or nil
// when the class is unknown. Its properties are those inst holds (fewer
// than the class's after a query's property list), in inst's order: the
// fixture's instances keep the order the captures had, which the WS-Man
// test server sends too, so that both protocols return the same.
func (s *Server) schema(ctx context.Context, ns string, inst *model.Instance) *wmio.Schema {
	sc := s.classSchema(ctx, ns, inst.ClassName)
	if sc == nil {
		return nil
	}
	c := *sc.Class
	c.Properties = nil
	for _, p := range inst.All() {
		if d := sc.Class.Property(p.Name); d != nil {
			c.Properties = append(c.Properties, *d)
		}
	}
	if inst.Len() >= len(sc.Class.Properties) {
		for _, d := range sc.Class.Properties {
			if _, ok := inst.Get(d.Name); !ok {
				c.Properties = append(c.Properties, d)
			}
		}
	}
	return &wmio.Schema{Class: &c, Derivation: sc.Derivation}
}

func (s *Server) classSchema(ctx context.Context, ns, class string) *wmio.Schema {
	c, err := s.provider.GetClass(ctx, &model.GetClassRequest{Common: model.Common{Namespace: ns}, ClassName: class})
	if err != nil {
		return nil
	}
	sc := &wmio.Schema{Class: c}
	for super := c.SuperClass; super != "" && len(sc.Derivation) < 32; {
		sc.Derivation = append(sc.Derivation, super)
		p, err := s.provider.GetClass(ctx, &model.GetClassRequest{Common: model.Common{Namespace: ns}, ClassName: super})
		if err != nil {
			break
		}
		super = p.SuperClass
	}
	return sc
}

func (s *Server) encodeInstance(ctx context.Context, ns string, inst *model.Instance) ([]byte, error) {
	return wmio.EncodeInstance(inst, s.schema(ctx, ns, inst), s.opts.Computer, ns)
}

func (s *Server) encodeClass(ctx context.Context, ns, class string) ([]byte, error) {
	sc := s.classSchema(ctx, ns, class)
	if sc == nil {
		return nil, model.NewFault(model.CIMInvalidClass, "no class %s", class)
	}
	var parent *wmio.Schema
	if len(sc.Derivation) > 0 {
		parent = s.classSchema(ctx, ns, sc.Derivation[0])
	}
	return wmio.EncodeClass(sc, parent, s.opts.Computer, ns)
}

// newEnum exports an enumerator.
func (s *Server) newEnum(ns string, e model.Enumerator, cancel context.CancelFunc, units [][]byte) []byte {
	_, ref := s.export(orpc.IIDEnumWbemClassObject, &enumerator{ns: ns, e: e, cancel: cancel, units: units, done: e == nil})
	return ref
}

func (s *Server) servicesCall(c *callInfo, r *ndr.Reader, sv *services) ([]byte, error) {
	ctx := c.ctx
	null := func(w *ndr.Writer) { w.Ptr(false) }
	common := model.Common{Namespace: sv.ns}
	switch c.opnum {
	case 6: // GetObject
		path := r.BSTR()
		r.U32()
		r.InterfacePointer()
		if err := r.Err(); err != nil {
			return nil, err
		}
		out := func(hr uint32, unit []byte) []byte {
			return reply(hr, func(w *ndr.Writer) {
				w.Ptr(unit != nil)
				if unit != nil {
					w.InterfacePointer(wmi.ObjectRef(unit))
				}
				w.Ptr(false)
			})
		}
		ref, err := wql.ParseObjectPath(path)
		if err != nil || ref.ClassName == "" {
			return out(wmi.EInvalidObjectPath, nil), nil
		}
		var unit []byte
		if len(ref.Selectors) == 0 {
			unit, err = s.encodeClass(ctx, sv.ns, ref.ClassName)
		} else {
			var inst *model.Instance
			inst, err = s.provider.Get(ctx, &model.GetRequest{Common: common, Path: ref})
			if err == nil {
				unit, err = s.encodeInstance(ctx, sv.ns, inst)
			}
		}
		if err != nil {
			return out(hresult(err), nil), nil
		}
		return out(0, unit), nil
	case 12: // CreateClassEnum
		super := r.BSTR()
		r.U32()
		r.InterfacePointer()
		if err := r.Err(); err != nil {
			return nil, err
		}
		classes, err := s.provider.EnumerateClasses(ctx, &model.EnumerateClassesRequest{Common: common, ClassName: super})
		if err != nil {
			return reply(hresult(err), null), nil
		}
		var units [][]byte
		for _, cl := range classes {
			u, err := s.encodeClass(ctx, sv.ns, cl.Name)
			if err != nil {
				return reply(hresult(err), null), nil
			}
			units = append(units, u)
		}
		ref := s.newEnum(sv.ns, nil, nil, units)
		return reply(0, func(w *ndr.Writer) { w.InterfacePointer(ref) }), nil
	case 14: // PutInstance
		b := r.InterfacePointer()
		flags := r.U32()
		wctx := r.InterfacePointer()
		if err := r.Err(); err != nil {
			return nil, err
		}
		inst, err := decodeObjref(b)
		if err != nil {
			return reply(wmi.EInvalidObject, null), nil
		}
		inst.Namespace = sv.ns
		props, hr := s.partialPut(wctx)
		s.recordPut(inst, props)
		if hr != 0 {
			return reply(hr, null), nil
		}
		var got *model.Instance
		if flags&wmi.WbemFlagUpdateOnly != 0 {
			if props != nil {
				inst = restrict(inst, props)
			}
			got, err = s.provider.Modify(ctx, &model.ModifyRequest{Common: common, Instance: inst, Properties: props})
		} else {
			got, err = s.provider.Create(ctx, &model.CreateRequest{Common: common, Instance: inst})
		}
		if err != nil {
			return reply(hresult(err), null), nil
		}
		path := ""
		if got != nil {
			path = wql.FormatObjectPath("", got.Path())
		}
		_, ref := s.export(orpc.IIDWbemCallResult, &callResult{path: path})
		return reply(0, func(w *ndr.Writer) { w.Ptr(true); w.InterfacePointer(ref) }), nil
	case 16: // DeleteInstance
		path := r.BSTR()
		if err := r.Err(); err != nil {
			return nil, err
		}
		ref, err := wql.ParseObjectPath(path)
		if err != nil {
			return reply(wmi.EInvalidObjectPath, null), nil
		}
		if err := s.provider.Delete(ctx, &model.DeleteRequest{Common: common, Path: ref}); err != nil {
			return reply(hresult(err), null), nil
		}
		return reply(0, null), nil
	case 18, 20, 22: // CreateInstanceEnum, ExecQuery, ExecNotificationQuery
		req := &model.EnumerateRequest{Common: common}
		var query, lang string
		if c.opnum == 18 {
			req.ClassName = r.BSTR()
		} else {
			lang = r.BSTR()
			query = r.BSTR()
		}
		flags := r.U32()
		r.InterfacePointer()
		if err := r.Err(); err != nil {
			return nil, err
		}
		if c.opnum != 18 && !strings.EqualFold(lang, "WQL") {
			return reply(wmi.EInvalidQueryType, null), nil
		}
		ectx, cancel := context.WithCancel(context.Background())
		var e model.Enumerator
		var err error
		if c.opnum == 22 {
			sub, ok := s.provider.(model.Subscriber)
			if !ok {
				cancel()
				return reply(wmi.ENotSupported, null), nil
			}
			e, err = sub.Subscribe(ectx, &model.SubscribeRequest{Common: common, Query: query})
		} else {
			req.Query = query
			req.Shallow = c.opnum == 18 && flags&wmi.WbemFlagShallow != 0
			e, err = s.provider.Enumerate(ectx, req)
		}
		if err != nil {
			cancel()
			return reply(hresult(err), null), nil
		}
		en := &enumerator{ns: sv.ns, e: e, cancel: cancel, events: make(chan *model.Instance), pumped: make(chan struct{})}
		if c.opnum != 22 {
			en.delay = time.Duration(s.instDelay.Load())
		}
		go en.pump(ectx)
		_, ref := s.export(orpc.IIDEnumWbemClassObject, en)
		return reply(0, func(w *ndr.Writer) { w.InterfacePointer(ref) }), nil
	case 24: // ExecMethod
		path := r.BSTR()
		method := r.BSTR()
		r.U32()
		r.InterfacePointer()
		in := r.InterfacePointer()
		if err := r.Err(); err != nil {
			return nil, err
		}
		out := func(hr uint32, unit []byte) []byte {
			return reply(hr, func(w *ndr.Writer) {
				w.Ptr(unit != nil)
				if unit != nil {
					w.InterfacePointer(wmi.ObjectRef(unit))
				}
				w.Ptr(false)
			})
		}
		ref, err := wql.ParseObjectPath(path)
		if err != nil || ref.ClassName == "" {
			return out(wmi.EInvalidObjectPath, nil), nil
		}
		req := &model.InvokeRequest{Common: common, ClassName: ref.ClassName, Method: method}
		if len(ref.Selectors) > 0 {
			req.Target = ref
		}
		if in != nil {
			args, err := decodeObjref(in)
			if err != nil {
				return out(wmi.EInvalidMethodParams, nil), nil
			}
			for _, p := range args.All() {
				if !p.Value.IsNull() {
					req.In = append(req.In, p)
				}
			}
		}
		res, err := s.provider.Invoke(ctx, req)
		if err != nil {
			return out(hresult(err), nil), nil
		}
		res.ClassName = "__PARAMETERS"
		unit, err := wmio.EncodeInstance(res, s.outSchema(ctx, sv.ns, ref.ClassName, method, res), "", "")
		if err != nil {
			return out(wmi.EFailed, nil), nil
		}
		return out(0, unit), nil
	}
	return reply(wmi.ENotSupported, nil), nil
}

// outSchema returns the out-parameters class of a method from its
// schema, so that the result carries declared types.
func (s *Server) outSchema(ctx context.Context, ns, class, method string, res *model.Instance) *wmio.Schema {
	sc := s.classSchema(ctx, ns, class)
	if sc == nil {
		return nil
	}
	m := sc.Class.Method(method)
	if m == nil {
		return nil
	}
	_, out := wmio.Signatures(m)
	if out == nil {
		return nil
	}
	return &wmio.Schema{Class: out}
}

// partialPut reads a PutInstance's context: the properties a partial
// put names (nil for a whole put), or the HRESULT refusing it, as WMI
// and most providers refuse partial puts (Options.NoPartialPut).
func (s *Server) partialPut(wctx []byte) ([]string, uint32) {
	if wctx == nil {
		return nil, 0
	}
	props, err := wmi.ParseContext(wctx)
	if err != nil {
		s.logf("dcomtest: PutInstance: %v", err)
		return nil, wmi.EInvalidContext
	}
	if ext, _ := wmi.ContextValue(props, "__PUT_EXTENSIONS").(bool); !ext {
		return nil, 0
	}
	names, ok := wmi.ContextValue(props, "__PUT_EXT_PROPERTIES").([]string)
	if !ok {
		return nil, 0
	}
	if s.opts.NoPartialPut {
		return nil, wmi.EProviderNotCapable
	}
	return append([]string{}, names...), 0
}

// restrict keeps inst's keys and the named properties.
func restrict(inst *model.Instance, names []string) *model.Instance {
	out := &model.Instance{ClassName: inst.ClassName, Namespace: inst.Namespace}
	for _, p := range inst.All() {
		keep := p.Key
		for _, n := range names {
			keep = keep || strings.EqualFold(n, p.Name)
		}
		if keep {
			out.Append(p)
		}
	}
	return out
}

func decodeObjref(b []byte) (*model.Instance, error) {
	o, err := orpc.ParseObjref(b)
	if err != nil {
		return nil, err
	}
	if o.Std != nil {
		return nil, errors.New("object by reference")
	}
	obj, err := wmio.Decode(o.Data)
	if err != nil {
		return nil, err
	}
	if obj.Instance == nil {
		return nil, errors.New("a class where an instance was expected")
	}
	return obj.Instance, nil
}

func (s *Server) enumCall(c *callInfo, r *ndr.Reader, e *enumerator) ([]byte, error) {
	switch c.opnum {
	case 3: // Reset
		return reply(wmi.ENotSupported, nil), nil
	case 4: // Next
		timeout := r.U32()
		count := r.U32()
		if err := r.Err(); err != nil {
			return nil, err
		}
		s.seeNext(timeout)
		units, hr := s.next(e, timeout, int(min(count, 10000)))
		return reply(hr, func(w *ndr.Writer) {
			w.U32(count)
			w.U32(0)
			w.U32(uint32(len(units)))
			for range units {
				w.Ptr(true)
			}
			for _, u := range units {
				ref := wmi.ObjectRef(u)
				w.U32(uint32(len(ref)))
				w.U32(uint32(len(ref)))
				w.Raw(ref)
			}
			w.U32(uint32(len(units)))
		}), nil
	}
	return reply(wmi.ENotSupported, nil), nil
}

// next collects up to count objects, waiting at most timeout ms in all
// (0xffffffff: no limit), then answers WBEM_S_TIMEDOUT with what it has.
func (s *Server) next(e *enumerator, timeout uint32, count int) ([][]byte, uint32) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var expire <-chan time.Time
	if timeout != 0xffffffff {
		t := time.NewTimer(time.Duration(timeout) * time.Millisecond)
		defer t.Stop()
		expire = t.C
	}
	var out [][]byte
	for len(out) < count {
		if len(e.units) > 0 {
			out = append(out, e.units[0])
			e.units = e.units[1:]
			continue
		}
		if e.done || e.events == nil {
			if e.err != nil && len(out) == 0 {
				return nil, hresult(e.err)
			}
			return out, wmi.SFalse
		}
		var inst *model.Instance
		select {
		case inst = <-e.events:
		case <-e.pumped:
			e.done, e.err = true, e.e.Err()
			continue
		case <-expire:
			return out, wmi.STimedOut
		}
		u, err := s.encodeInstance(context.Background(), e.ns, inst)
		if err != nil {
			e.done, e.err = true, err
			continue
		}
		out = append(out, u)
	}
	return out, 0
}

func (s *Server) callResultCall(c *callInfo, r *ndr.Reader, cr *callResult) ([]byte, error) {
	switch c.opnum {
	case 3: // GetResultObject
		return reply(0, func(w *ndr.Writer) {
			if cr.unit != nil {
				w.InterfacePointer(wmi.ObjectRef(cr.unit))
			} else {
				w.Ptr(false)
			}
		}), nil
	case 4: // GetResultString
		return reply(0, func(w *ndr.Writer) { w.BSTR(cr.path) }), nil
	case 6: // GetCallStatus
		return reply(0, func(w *ndr.Writer) { w.U32(0) }), nil
	}
	return reply(wmi.ENotSupported, func(w *ndr.Writer) { w.Ptr(false) }), fmt.Errorf("IWbemCallResult opnum %d", c.opnum)
}

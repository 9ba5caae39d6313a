package luabind

import (
	"github.com/cimsh/cimsh/cim"
	lua "github.com/yuin/gopher-lua"
)

// iterator streams an enumeration into a generic for. Lua 5.1 has no
// way to see a break, so an abandoned iterator stays open until the
// chunk ends (Module.EndChunk), its session closes, or it:close().
//
// Only the end of the results and it:close() end the loop quietly: a
// loop cut short by its session's close, a failure, Ctrl-C or the end
// of the chunk that opened it raises on the next call, so a script never
// mistakes a short result for a whole one.
type iterator struct {
	en   *cim.Enumeration
	sess *sessionUD
	who  string // the function the user called: "s:instances"
	temp bool   // the session was made for computer_name= and dies with it
	done bool
	n    int // instances returned
	// cut says why an unfinished enumeration was cut short (raised on
	// every later call, with hint); empty after the end or it:close().
	cut, hint string
}

func toIterator(v lua.LValue) *iterator {
	if ud, ok := v.(*lua.LUserData); ok {
		it, _ := ud.Value.(*iterator)
		return it
	}
	return nil
}

// close releases the enumeration (and a temporary session): at once,
// or in the background when the chunk was cancelled (release.go).
func (it *iterator) close() {
	if it.done {
		return
	}
	it.done = true
	if m := it.sess.m; m.cancelled() {
		m.background(it.release)
		return
	}
	it.release()
}

// release is close's work; it does not touch the Lua state.
func (it *iterator) release() {
	it.en.Close()
	if it.temp {
		it.sess.s.Close()
		it.sess.m.forget(it.sess)
	}
}

// track remembers an iterator so EndChunk can release it.
func (m *Module) track(it *iterator) {
	m.mu.Lock()
	live := m.iters[:0]
	for _, o := range m.iters {
		if !o.done {
			live = append(live, o)
		}
	}
	m.iters = append(live, it)
	m.mu.Unlock()
}

func (m *Module) closeIterators() {
	m.mu.Lock()
	its := m.iters
	m.iters = nil
	m.mu.Unlock()
	for _, it := range its {
		if !it.done {
			it.cut = "the iterator was released when the chunk that opened it ended"
			it.hint = " (Lua cannot see a break, so an iterator lives for one chunk: loop within one REPL line or a do ... end block)"
		}
		it.close()
	}
}

func (m *Module) closeSessionIterators(s *sessionUD) {
	m.mu.Lock()
	var keep, drop []*iterator
	for _, it := range m.iters {
		if it.sess == s {
			drop = append(drop, it)
		} else {
			keep = append(keep, it)
		}
	}
	m.iters = keep
	m.mu.Unlock()
	m.waitPending()
	for _, it := range drop {
		if !it.done {
			it.cut = "the session was closed during the enumeration"
		}
		it.done = true
		it.en.Close()
	}
}

// OpenIterators counts the iterators opened and not yet released.
func (m *Module) OpenIterators() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, it := range m.iters {
		if !it.done {
			n++
		}
	}
	return n
}

// startEnumeration decodes instances/each_instance arguments and opens
// the enumeration; a failure to start raises (streaming raises).
func (m *Module) startEnumeration(L *lua.LState, name string, self *sessionUD, withFn bool) (*iterator, *lua.LFunction) {
	spec := specByName(name)
	who := "cim." + name
	base := 1
	if self != nil {
		who, base = "s:"+name, 2
	}
	// The class or query comes first, positionally; or the first
	// argument is the option table, as get_instance{} takes it.
	var (
		src    lua.LString
		optsAt int
	)
	next := base + 1
	switch v := L.Get(base).(type) {
	case lua.LString:
		src = v
	case *lua.LTable:
		optsAt = base
	default:
		L.RaiseError("%s: the first argument must be a class name, a query or an option table, got %s (usage: %s)", who, luaTypeName(L.Get(base)), spec.Usage)
	}
	var fn *lua.LFunction
	if withFn {
		var ok bool
		if fn, ok = L.Get(next).(*lua.LFunction); !ok {
			L.RaiseError("%s: the second argument must be a function, got %s (usage: %s)", who, luaTypeName(L.Get(next)), spec.Usage)
		}
		next++
	}
	last := next
	if optsAt == 0 {
		optsAt = next
	} else {
		last = next - 1
	}
	c := &call{who: who, spec: spec, a: decodeOpts(L, spec, who, optTable(L, optsAt, who), self != nil)}
	if L.GetTop() > last {
		L.RaiseError("%s: too many arguments (usage: %s)", who, spec.Usage)
	}
	q := c.instanceQuery()
	if src != "" {
		if q.ClassName != "" || q.Query != "" {
			L.RaiseError("%s: give the class or query once (positionally or as class_name=/query=)", who)
		}
		if isQuery(string(src)) {
			q.Query = string(src)
		} else {
			q.ClassName = string(src)
		}
	}
	c.checkQuery(L, q)
	if _, isList := c.a.sessions("cim_session"); isList {
		c.a.raise("streaming runs on one session; use get_instance with a list of sessions")
	}
	if _, isList := c.a.vals["computer_name"].(*lua.LTable); isList {
		c.a.raise("streaming runs on one computer; use get_instance with a list of computers")
	}
	t := m.resolveTarget(c.a, self)
	s := t.sessions[0]
	ctx := m.ctx()
	var (
		en  *cim.Enumeration
		err error
	)
	cleanup := func() {
		if en != nil {
			en.Close()
		}
		t.releaseTemp()
	}
	if !m.await(ctx, func() { en, err = s.s.Enumerate(ctx, q) }, cleanup) {
		m.raiseStreaming(L, who, ctx.Err())
	}
	if err != nil {
		t.closeTemp()
		m.raiseStreaming(L, who, err)
	}
	it := &iterator{en: en, sess: s, temp: t.temp, who: who}
	m.track(it)
	return it, fn
}

// iterNext returns the next instance, nil at the end. An enumeration
// that fails, or was cut short (its session closed, Ctrl-C, the chunk
// that opened it ended), raises, now and on every later call. A Pull
// cut short by Ctrl-C returns at once; the enumeration is released in
// the background (release.go).
func (m *Module) iterNext(L *lua.LState, it *iterator) lua.LValue {
	if it.done {
		if it.cut != "" {
			L.RaiseError("%s: %s, after %d %s%s", it.who, it.cut, it.n, plural(it.n, "instance", "instances"), it.hint)
		}
		return lua.LNil
	}
	ctx := m.ctx()
	if ctx.Err() == nil && it.en.NextBuffered() {
		// The rest of a page: nothing to wait for, so no goroutine to
		// wait beside (Ctrl-C is seen by the Lua loop and the next
		// call that has to wait).
		it.n++
		return m.newInstance(it.en.Instance(), it.sess)
	}
	var more bool
	if !m.await(ctx, func() { more = it.en.Next(ctx) }, it.release) {
		it.done = true
		it.cut = "the enumeration was interrupted"
		m.raiseStreaming(L, it.who, ctx.Err())
	}
	if more {
		it.n++
		return m.newInstance(it.en.Instance(), it.sess)
	}
	err := it.en.Err()
	if err == nil && it.sess.closed {
		// The session closed under the loop without the enumeration
		// saying so.
		err = it.sess.s.ClosedError()
	}
	it.close()
	if err != nil && ctx.Err() != nil {
		// Ctrl-C raced the Pull to its end: the enumeration stopped
		// because it was interrupted, whichever finished first.
		it.cut = "the enumeration was interrupted"
		m.raiseStreaming(L, it.who, ctx.Err())
	}
	if err != nil {
		it.cut = "the enumeration failed: " + m.userText(err)
		m.raiseStreaming(L, it.who, err)
	}
	return lua.LNil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// raiseStreaming raises an enumeration's failure (streaming raises).
func (m *Module) raiseStreaming(L *lua.LState, who string, err error) {
	L.RaiseError("%s: %s", who, m.userText(err))
}

// userText is an error as users read it: a fault's one line (a
// cancelled context reads "operation canceled"), without package names.
func (m *Module) userText(err error) string {
	if f, ok := asFault(err); ok {
		return userText(f.Error())
	}
	return userText(err.Error())
}

// opInstances is instances(class_or_query [, opts]): an iterator for a
// generic for, with it:close().
func (m *Module) opInstances(L *lua.LState, self *sessionUD) int {
	it, _ := m.startEnumeration(L, "instances", self, false)
	ud := L.NewUserData()
	ud.Value = it
	ud.Metatable = L.GetTypeMetatable(mtIterator)
	L.Push(ud)
	return 1
}

// opEachInstance is each_instance(class_or_query, fn [, opts]): stops
// and releases the enumeration when fn returns false; returns the
// number of instances seen. An error in fn releases it and propagates.
func (m *Module) opEachInstance(L *lua.LState, self *sessionUD) int {
	it, fn := m.startEnumeration(L, "each_instance", self, true)
	defer it.close()
	for {
		v := m.iterNext(L, it)
		if v == lua.LNil {
			break
		}
		L.Push(fn)
		L.Push(v)
		if err := L.PCall(1, 1, nil); err != nil {
			it.close()
			if ae, ok := err.(*lua.ApiError); ok {
				L.Error(ae.Object, 0)
			}
			L.RaiseError("%v", err)
		}
		r := L.Get(-1)
		L.Pop(1)
		if r == lua.LFalse {
			break
		}
	}
	L.Push(lua.LNumber(it.n))
	return 1
}

func (m *Module) iteratorMetamethods() map[string]lua.LGFunction {
	closeFn := m.L.NewFunction(func(L *lua.LState) int {
		it := toIterator(L.Get(1))
		if it == nil {
			L.RaiseError("it:close: call it with a colon (it:close())")
		}
		it.close()
		return 0
	})
	return map[string]lua.LGFunction{
		"__call": func(L *lua.LState) int {
			L.Push(m.iterNext(L, toIterator(L.Get(1))))
			return 1
		},
		"__index": func(L *lua.LState) int {
			it := toIterator(L.Get(1))
			switch L.CheckString(2) {
			case "close":
				L.Push(closeFn)
			case "count":
				L.Push(lua.LNumber(it.n))
			case "done":
				L.Push(lua.LBool(it.done))
			default:
				L.Push(lua.LNil)
			}
			return 1
		},
		"__tostring": func(L *lua.LState) int {
			it := toIterator(L.Get(1))
			state := "open"
			if it.done {
				state = "closed"
			}
			L.Push(lua.LString("Iterator(" + state + ")"))
			return 1
		},
	}
}

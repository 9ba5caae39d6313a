package luabind

import (
	"context"
	"fmt"
	"strings"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// target is where an operation runs: one session, or several in
// parallel (fan-out) when the caller gave a list.
type target struct {
	who      string // the function the user called, for messages
	sessions []*sessionUD
	fanout   bool
	temp     bool // sessions made for computer_name=, closed afterwards
	throttle int
}

// resolveTarget picks the sessions for an operation: the method's self,
// cim_session=, computer_name= (temporary sessions), or the local
// machine.
func (m *Module) resolveTarget(a *args, self *sessionUD) *target {
	if self != nil {
		return &target{who: a.who, sessions: []*sessionUD{self}}
	}
	t := &target{who: a.who, throttle: a.integer("throttle_limit")}
	if a.has("throttle_limit") && t.throttle <= 0 {
		a.raise("throttle_limit must be positive")
	}
	switch {
	case a.has("cim_session") && a.has("computer_name"):
		a.raise("give cim_session or computer_name, not both")
	case a.has("cim_session"):
		t.sessions, t.fanout = a.sessions("cim_session")
	case a.has("computer_name"):
		_, t.fanout = a.vals["computer_name"].(*lua.LTable)
		t.temp = true
		for _, h := range a.computerNames() {
			s, err := m.newSession(cim.Config{ComputerName: h})
			if err != nil {
				t.closeTemp()
				a.raise("%s", userText(err.Error()))
			}
			t.sessions = append(t.sessions, s)
		}
	default:
		s, err := m.localSession()
		if err != nil {
			a.raise("%s", userText(err.Error()))
		}
		t.sessions = []*sessionUD{s}
	}
	for _, s := range t.sessions {
		if s.s == nil {
			a.raise("cim_session holds something that is not a session")
		}
	}
	return t
}

func (t *target) closeTemp() {
	if !t.temp {
		return
	}
	for _, s := range t.sessions {
		s.close()
	}
}

// releaseTemp closes the temporary sessions without touching the Lua
// state (for the background).
func (t *target) releaseTemp() {
	if !t.temp {
		return
	}
	for _, s := range t.sessions {
		s.s.Close()
		s.m.forget(s)
	}
}

// opResult is what an operation returns for one session.
type opResult struct {
	items  []any // *model.Instance or *model.Class
	single bool  // one value rather than a list
	none   bool  // nothing but success (remove_instance)
}

type opFunc func(ctx context.Context, s *cim.Session) (opResult, error)

// run runs op on the target. One session: the result, or nil, err.
// A list of sessions: the combined results (instances stamped with
// PSComputerName) and the list of per-host errors.
func (m *Module) run(L *lua.LState, t *target, op opFunc) int {
	return m.runPumped(m.ctx(), L, t, op, nil)
}

// runPumped is run under ctx with p carrying calls into the Lua state
// (on_output) while op runs; p may be nil.
func (m *Module) runPumped(ctx context.Context, L *lua.LState, t *target, op opFunc, p *pump) int {
	if !t.fanout {
		return m.runOne(ctx, L, t, op, p)
	}
	defer t.closeTemp()
	var uniq []*cim.Session
	byS := map[*cim.Session]*sessionUD{}
	for _, s := range t.sessions {
		if _, dup := byS[s.s]; !dup {
			byS[s.s] = s
			uniq = append(uniq, s.s)
		}
	}
	results := make([]opResult, len(uniq))
	index := make(map[*cim.Session]int, len(uniq))
	for i, s := range uniq {
		index[s] = i
	}
	var errs []error
	each := func() {
		errs = cim.Each(ctx, uniq, t.throttle, func(ctx context.Context, s *cim.Session) error {
			r, err := op(ctx, s)
			results[index[s]] = r
			return err
		})
	}
	if p == nil {
		each()
	} else if !m.awaitPumped(ctx, p, each, t.releaseTemp) {
		m.pushOpFail(t.who, ctx.Err())
		return 2
	}
	list, errList := L.NewTable(), L.NewTable()
	for i, s := range uniq {
		if err := errs[i]; err != nil {
			f, ok := asFault(err)
			if !ok {
				m.raiseOp(t.who, err)
			}
			if f.ComputerName == "" {
				// A copy: a fault is never written into where it may be shared.
				fc := *f
				fc.ComputerName = hostOf(s)
				f = &fc
			}
			errList.Append(m.newError(t.who, f))
			continue
		}
		r := results[i]
		if r.none {
			continue
		}
		for _, it := range r.items {
			if inst, ok := it.(*model.Instance); ok && inst.ComputerName == "" {
				inst.ComputerName = hostOf(s)
			}
			list.Append(m.itemLua(it, byS[s]))
		}
	}
	L.Push(list)
	L.Push(errList)
	return 2
}

// runOne runs op on the target's one session: the result, or nil, err.
func (m *Module) runOne(ctx context.Context, L *lua.LState, t *target, op opFunc, p *pump) int {
	s := t.sessions[0]
	var (
		r   opResult
		err error
	)
	if !m.awaitPumped(ctx, p, func() { r, err = op(ctx, s.s) }, t.releaseTemp) {
		// Cancelled: the operation and the temporary sessions finish
		// in the background (release.go); r and err are theirs.
		m.pushOpFail(t.who, ctx.Err())
		return 2
	}
	t.closeTemp()
	if err != nil {
		m.pushOpFail(t.who, err)
		return 2
	}
	L.Push(m.resultLua(r, s))
	return 1
}

func hostOf(s *cim.Session) string {
	if s.IsLocal() {
		return "localhost"
	}
	return s.ComputerName()
}

func (m *Module) itemLua(it any, s *sessionUD) lua.LValue {
	switch x := it.(type) {
	case *commandResult:
		return m.commandResultLua(x)
	case *model.Instance:
		return m.newInstance(x, s)
	case *model.Class:
		return m.newClass(x)
	}
	return lua.LNil
}

func (m *Module) resultLua(r opResult, s *sessionUD) lua.LValue {
	switch {
	case r.none:
		return lua.LTrue
	case r.single:
		if len(r.items) == 0 {
			return lua.LNil
		}
		return m.itemLua(r.items[0], s)
	}
	t := m.L.CreateTable(len(r.items), 0)
	for _, it := range r.items {
		t.Append(m.itemLua(it, s))
	}
	return t
}

// computerNames returns the computer_name option as a list. An empty
// name raises: the local machine is the option left out, and "" is more
// likely a variable that was never set than a request for it.
func (a *args) computerNames() []string {
	hosts := a.strings("computer_name")
	for i, h := range hosts {
		if strings.TrimSpace(h) == "" {
			where := "computer_name"
			if _, isList := a.vals["computer_name"].(*lua.LTable); isList {
				where = fmt.Sprintf("computer_name[%d]", i+1)
			}
			a.raise("%s is empty; leave computer_name out for the local machine", where)
		}
	}
	return hosts
}

package luabind

import (
	"context"
	"fmt"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// Register-CimIndicationEvent. Lua runs on one goroutine, so an action
// cannot fire by itself in the background: the subscription collects
// events from the moment it is registered, and sub:wait([seconds]) runs
// the action for each as it arrives; for ev in sub:events([seconds]) does
// the same without an action. The subscription outlives the chunk (it
// is not an enumeration left behind by a break) and ends on sub:close(),
// its session's close, after max_trigger_count events, or at exit.

// subscriptionUD is a registered indication subscription.
type subscriptionUD struct {
	sub    *cim.Subscription
	sess   *sessionUD
	temp   bool // the session was made for computer_name= and dies with it
	action *lua.LFunction
	source string
	max    int // max_trigger_count; 0: no limit
}

func toSubscription(v lua.LValue) *subscriptionUD {
	if ud, ok := v.(*lua.LUserData); ok {
		s, _ := ud.Value.(*subscriptionUD)
		return s
	}
	return nil
}

func (s *subscriptionUD) close() {
	s.sub.Close()
	if s.temp {
		s.sess.close()
	}
}

// opRegisterIndication is register_indication_event{query= or
// class_name=, action=, ...}: a subscription, or nil, err.
func (m *Module) opRegisterIndication(L *lua.LState, self *sessionUD) int {
	c := m.begin(L, "register_indication_event", self, 1)
	a := c.a
	req := model.SubscribeRequest{Query: a.str("query"), QueryDialect: a.str("query_dialect"), ClassName: a.str("class_name")}
	req.Namespace, req.OperationTimeout = a.str("namespace"), a.seconds("operation_timeout_sec")
	if q, ok := c.posString(L, 0, "the query"); ok {
		if a.has("query") || a.has("class_name") {
			a.raise("give the query once (positionally or as query=/class_name=)")
		}
		req.Query = q
	}
	if req.Query == "" && req.ClassName == "" {
		a.raise("query or class_name is required (usage: %s)", c.spec.Usage)
	}
	if a.has("max_trigger_count") && a.integer("max_trigger_count") <= 0 {
		a.raise("max_trigger_count must be positive")
	}
	if _, isList := a.sessions("cim_session"); isList {
		a.raise("a subscription runs on one session; register on each session")
	}
	if _, isList := a.vals["computer_name"].(*lua.LTable); isList {
		a.raise("a subscription runs on one computer; register on each computer")
	}
	t := m.resolveTarget(a, self)
	s := t.sessions[0]
	sub, err := s.s.Subscribe(m.ctx(), req)
	if err != nil {
		t.closeTemp()
		m.pushOpFail(a.who, err)
		return 2
	}
	action, _ := a.vals["action"].(*lua.LFunction)
	ud := L.NewUserData()
	ud.Value = &subscriptionUD{sub: sub, sess: s, temp: t.temp, action: action,
		source: a.str("source_identifier"), max: a.integer("max_trigger_count")}
	ud.Metatable = L.GetTypeMetatable(mtSubscription)
	L.Push(ud)
	return 1
}

// waitContext bounds a wait by the chunk's context (Ctrl-C) and the
// optional seconds argument at n.
func (m *Module) waitContext(L *lua.LState, n int, who string) (context.Context, context.CancelFunc) {
	ctx := m.ctx()
	switch v := L.Get(n).(type) {
	case *lua.LNilType:
		return context.WithCancel(ctx)
	case lua.LNumber:
		if v < 0 {
			L.ArgError(n, who+": seconds must not be negative")
		}
		return context.WithTimeout(ctx, time.Duration(float64(v)*float64(time.Second)))
	default:
		L.ArgError(n, who+": want seconds (a number), got "+luaTypeName(v))
	}
	return nil, nil
}

// next waits for the subscription's next event: the event, or nil when
// the wait is over (timeout) or the subscription has ended. Ctrl-C and
// a subscription ended by its provider raise.
func (m *Module) nextEvent(L *lua.LState, s *subscriptionUD, ctx context.Context, who string) lua.LValue {
	if s.max > 0 && s.sub.Count() >= s.max {
		return lua.LNil
	}
	if s.sub.Next(ctx) {
		ev := m.newInstance(s.sub.Event(), s.sess)
		if s.max > 0 && s.sub.Count() >= s.max {
			s.close() // PowerShell unregisters after MaxTriggerCount
		}
		return ev
	}
	if m.cancelled() {
		m.raiseStreaming(L, who, m.ctx().Err())
	}
	if err := s.sub.Err(); err != nil {
		m.raiseStreaming(L, who, err)
	}
	return lua.LNil
}

func (m *Module) subscriptionMetamethods() map[string]lua.LGFunction {
	check := func(L *lua.LState, method string) *subscriptionUD {
		s := toSubscription(L.Get(1))
		if s == nil {
			L.RaiseError("sub:%s: call it with a colon (sub:%s(...))", method, method)
		}
		return s
	}
	methods := map[string]*lua.LFunction{
		"wait": m.L.NewFunction(func(L *lua.LState) int {
			s := check(L, "wait")
			if s.action == nil {
				L.RaiseError("sub:wait: the subscription has no action (give action= when registering, or use sub:events())")
			}
			ctx, cancel := m.waitContext(L, 2, "sub:wait")
			defer cancel()
			n := 0
			for {
				ev := m.nextEvent(L, s, ctx, "sub:wait")
				if ev == lua.LNil {
					break
				}
				n++
				L.Push(s.action)
				L.Push(ev)
				L.Call(1, 1)
				r := L.Get(-1)
				L.Pop(1)
				if r == lua.LFalse {
					break
				}
			}
			L.Push(lua.LNumber(n))
			return 1
		}),
		"events": m.L.NewFunction(func(L *lua.LState) int {
			s := check(L, "events")
			ctx, cancel := m.waitContext(L, 2, "sub:events")
			L.Push(L.NewFunction(func(L *lua.LState) int {
				ev := m.nextEvent(L, s, ctx, "sub:events")
				if ev == lua.LNil {
					cancel()
				}
				L.Push(ev)
				return 1
			}))
			return 1
		}),
		"close": m.L.NewFunction(func(L *lua.LState) int {
			check(L, "close").close()
			return 0
		}),
	}
	return map[string]lua.LGFunction{
		"__index": indexer("subscription", methods, func() []string { return SubscriptionNames }, func(L *lua.LState, key string) lua.LValue {
			s := toSubscription(L.Get(1))
			switch key {
			case "count":
				return lua.LNumber(s.sub.Count())
			case "ended":
				return lua.LBool(s.sub.Ended())
			case "source_identifier":
				return lua.LString(s.source)
			case "error":
				if f, ok := asFault(s.sub.Err()); ok {
					return m.newError("subscription", f)
				}
				return lua.LNil
			}
			return nil
		}),
		"__tostring": func(L *lua.LState) int {
			s := toSubscription(L.Get(1))
			state := "open"
			if s.sub.Ended() {
				state = "ended"
			}
			name := ""
			if s.source != "" {
				name = s.source + ", "
			}
			L.Push(lua.LString(fmt.Sprintf("Subscription(%s%s, %d events)", name, state, s.sub.Count())))
			return 1
		},
	}
}

// SubscriptionNames are a subscription's methods and fields (help,
// completion, messages).
var SubscriptionNames = []string{"wait", "events", "close", "count", "ended", "source_identifier", "error"}

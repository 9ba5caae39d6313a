package luabind

import (
	"context"
	"math"
	"strings"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// commandResult is one session's s:run / s:powershell result.
type commandResult struct {
	res      *model.CommandResult
	computer string // PSComputerName, set in fan-out results
}

// opRun is s:run(command [, opts]), s:powershell(script [, opts]) and the
// module forms cim.run{command=} and cim.powershell{script=}.
func (m *Module) opRun(L *lua.LState, self *sessionUD, ps bool) int {
	name, field, what := "run", "command", "the command"
	if ps {
		name, field, what = "powershell", "script", "the script"
	}
	c := m.begin(L, name, self, 1)
	a := c.a
	text, positional := c.posString(L, 0, what)
	if positional && a.has(field) {
		L.RaiseError("%s: give %s once (positionally or as %s=)", c.who, what, field)
	}
	if !positional {
		text = a.str(field)
	}
	if strings.TrimSpace(text) == "" {
		L.RaiseError("%s: %s is required (usage: %s)", c.who, what, c.spec.Usage)
	}
	req := model.CommandRequest{
		Common:           model.Common{OperationTimeout: a.seconds("operation_timeout_sec")},
		WorkingDirectory: a.str("working_directory"),
		Codepage:         a.integer("codepage"),
		TimeLimit:        a.seconds("time_limit_sec"),
	}
	if ps {
		req.Script = text
	} else {
		req.Command = text
		req.Arguments = a.strings("arguments")
	}
	if a.has("stdin") {
		req.Stdin = []byte(a.str("stdin"))
	}
	if a.has("time_limit_sec") && a.num("time_limit_sec") <= 0 {
		a.raise("time_limit_sec must be positive")
	}
	if a.has("codepage") && (req.Codepage <= 0 || req.Codepage > math.MaxUint16) {
		a.raise("codepage %d is not a code page", req.Codepage)
	}
	if env := a.table("environment"); env != nil {
		for _, k := range sortedKeys(env) {
			v := env.RawGetString(k)
			switch v.(type) {
			case lua.LString, lua.LNumber:
			default:
				a.raise("environment: %s must be a string, got %s", k, luaTypeName(v))
			}
			req.Environment = append(req.Environment, model.EnvVar{Name: k, Value: lua.LVAsString(v)})
		}
		env.ForEach(func(k, _ lua.LValue) {
			if _, ok := k.(lua.LString); !ok {
				a.raise("environment: keys must be variable names, got %s", luaTypeName(k))
			}
		})
	}
	t := m.resolveTarget(a, self)
	var p *pump
	ctx := m.ctx()
	if fn, ok := a.vals["on_output"].(*lua.LFunction); ok {
		p = newPump(ctx, fn)
		ctx = p.ctx
		defer p.stop()
	}
	fanout := t.fanout
	n := m.runPumped(ctx, L, t, func(ctx context.Context, s *cim.Session) (opResult, error) {
		r := req
		host := hostOf(s)
		r.OnOutput = p.sink(ctx, host)
		res, err := s.RunCommand(ctx, &r)
		if err != nil {
			return opResult{}, err
		}
		cr := &commandResult{res: res}
		if fanout {
			cr.computer = host
		}
		return opResult{items: []any{cr}, single: true}, nil
	}, p)
	if p != nil && p.err != nil {
		// The callback raised: the command was terminated (in the
		// background); the error goes on up.
		L.Error(p.err, 0)
	}
	return n
}

// commandResultLua is {stdout=, stderr=, exit_code=} (and PSComputerName
// in fan-out); exit_code is nil when the server reported none.
func (m *Module) commandResultLua(c *commandResult) lua.LValue {
	t := m.L.CreateTable(0, 4)
	t.RawSetString("stdout", lua.LString(c.res.Stdout))
	t.RawSetString("stderr", lua.LString(c.res.Stderr))
	if c.res.ExitCode != nil {
		t.RawSetString("exit_code", lua.LNumber(*c.res.ExitCode))
	}
	if c.computer != "" {
		t.RawSetString("PSComputerName", lua.LString(c.computer))
	}
	return t
}

// pump carries on_output calls from the goroutines running commands to
// the Lua state's own goroutine, which makes them while it waits
// (awaitPumped). A callback that raises cancels the commands.
type pump struct {
	fn     *lua.LFunction
	events chan outputEvent
	ctx    context.Context
	cancel context.CancelFunc
	err    lua.LValue // what the callback raised
}

type outputEvent struct {
	stream, computer string
	text             []byte
}

func newPump(ctx context.Context, fn *lua.LFunction) *pump {
	p := &pump{fn: fn, events: make(chan outputEvent)}
	p.ctx, p.cancel = context.WithCancel(ctx)
	return p
}

func (p *pump) stop() { p.cancel() }

// sink is a CommandRequest.OnOutput handing each piece to the Lua side
// and waiting until it is taken (so output is held back while Lua is
// busy); nil without a pump.
func (p *pump) sink(ctx context.Context, computer string) func(string, []byte) {
	if p == nil {
		return nil
	}
	return func(stream string, text []byte) {
		select {
		case p.events <- outputEvent{stream: stream, computer: computer, text: text}:
		case <-ctx.Done():
		}
	}
}

// deliver calls the Lua function with one piece of output; when it
// raises, the error is kept and the commands are cancelled.
func (p *pump) deliver(L *lua.LState, ev outputEvent) {
	if p.err != nil {
		return
	}
	err := L.CallByParam(lua.P{Fn: p.fn, NRet: 0, Protect: true},
		lua.LString(ev.stream), lua.LString(ev.text), lua.LString(ev.computer))
	if err != nil {
		if ae, ok := err.(*lua.ApiError); ok && ae.Object != nil {
			p.err = ae.Object
		} else {
			p.err = lua.LString(err.Error())
		}
		p.cancel()
	}
}

// awaitPumped is await that also makes p's calls while f runs (p nil:
// await itself).
func (m *Module) awaitPumped(ctx context.Context, p *pump, f, after func()) bool {
	if p == nil {
		return m.await(ctx, f, after)
	}
	done := make(chan struct{})
	var panicked any
	go func() {
		defer close(done)
		defer func() { panicked = recover() }()
		f()
	}()
	for {
		select {
		case ev := <-p.events:
			p.deliver(m.L, ev)
		case <-done:
			if panicked != nil {
				panic(panicked)
			}
			return true
		case <-ctx.Done():
			if after != nil {
				m.background(func() { <-done; after() })
			} else {
				m.addPending(done)
			}
			return false
		}
	}
}

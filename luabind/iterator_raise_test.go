package luabind

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/luabind/luatest"
	lua "github.com/yuin/gopher-lua"
)

// failingProvider serves the luatest world, except that an enumeration
// of Cimsh_Item fails after three instances, as a server dropping the
// enumeration context would.
type failingProvider struct{ model.Provider }

func (p failingProvider) Enumerate(ctx context.Context, req *model.EnumerateRequest) (model.Enumerator, error) {
	e, err := p.Provider.Enumerate(ctx, req)
	if err != nil || !strings.EqualFold(req.ClassName, "Cimsh_Item") {
		return e, err
	}
	return &failAfter{Enumerator: e, left: 3}, nil
}

type failAfter struct {
	model.Enumerator
	left int
	err  error
}

func (f *failAfter) Next(ctx context.Context) bool {
	if f.left == 0 {
		f.err = &model.Fault{Category: model.CategoryProtocol, Reason: "wsman: the enumeration context is no longer valid"}
		return false
	}
	f.left--
	return f.Enumerator.Next(ctx)
}

func (f *failAfter) Err() error { return f.err }

func newFailingEnv(t *testing.T) *env {
	t.Helper()
	L := lua.NewState()
	out := &bytes.Buffer{}
	base := luatest.Factory()
	m := New(L, Options{Stdout: out, Getenv: func(string) string { return "" },
		NewProvider: func(cfg cim.Config) (model.Provider, error) {
			p, err := base(cfg)
			return failingProvider{p}, err
		}})
	t.Cleanup(func() { m.CloseAll(); L.Close() })
	return &env{t: t, L: L, m: m, out: out}
}

// TestIteratorRaisesWhenSessionCloses checks that closing the session in
// the middle of a loop raises on the next step instead of ending the
// loop as if the results were complete.
func TestIteratorRaisesWhenSessionCloses(t *testing.T) {
	e := newEnv(t)
	for _, closeIt := range []string{"s:close()", "cim.remove_session(s)", "cim.remove_session{id = s.id}"} {
		msg := e.fails(`
			s = cim.new_session()
			n = 0
			for inst in s:instances("Cimsh_Item") do
				n = n + 1
				if n == 2 then ` + closeIt + ` end
			end`)
		want := "s:instances: the session was closed during the enumeration, after 2 instances"
		if !strings.Contains(msg, want) {
			t.Errorf("%s in the loop: %q, want %q", closeIt, msg, want)
		}
	}
	// The module function and each_instance say so too.
	msg := e.fails(`
		s = cim.new_session()
		s:each_instance("Cimsh_Item", function(i) if i.Id == 1 then s:close() end end)`)
	if !strings.Contains(msg, "s:each_instance: the session was closed during the enumeration, after 1 instance") {
		t.Error(msg)
	}
	msg = e.fails(`
		s = cim.new_session()
		for inst in cim.instances("Cimsh_Item", {cim_session = s}) do s:close() end`)
	if !strings.Contains(msg, "cim.instances: the session was closed during the enumeration") {
		t.Error(msg)
	}
	// it:close() ends the loop quietly: the script asked for it.
	e.ok(`
		s = cim.new_session()
		local it, n = s:instances("Cimsh_Item"), 0
		for inst in it do n = n + 1; if n == 4 then it:close() end end
		assert(n == 4 and it.done)
		assert(it() == nil)
	`)
}

// TestIteratorRaisesOnFailure checks that an enumeration failing after
// some instances raises, in a loop and in each_instance, without a Go
// package name in the message.
func TestIteratorRaisesOnFailure(t *testing.T) {
	e := newFailingEnv(t)
	msg := e.fails(`
		n = 0
		for inst in cim.new_session():instances("Cimsh_Item") do n = n + 1 end`)
	if !strings.Contains(msg, "s:instances: localhost: the enumeration context is no longer valid") || strings.Contains(msg, "wsman:") {
		t.Errorf("failing loop: %q", msg)
	}
	e.ok(`assert(n == 3, n)`)
	msg = e.fails(`cim.each_instance("Cimsh_Item", function() end)`)
	if !strings.Contains(msg, "cim.each_instance: localhost: the enumeration context is no longer valid") {
		t.Errorf("failing each_instance: %q", msg)
	}
	// The failed iterator keeps raising rather than ending quietly.
	e.ok(`it = cim.new_session():instances("Cimsh_Item"); ok1, err1 = pcall(function() for i in it do end end); ok2, err2 = pcall(it)`)
	e.ok(`assert(not ok1 and not ok2, "a failed iterator must keep raising")
		assert(tostring(err2):find("the enumeration failed: localhost: the enumeration context is no longer valid, after 3 instances", 1, true), tostring(err2))`)
	// get_instance of the same class returns nil, err (not raising).
	e.ok(`local r, err = cim.get_instance("Cimsh_Item"); assert(r == nil and err.category == "protocol", tostring(err))`)
}

// TestIteratorReleasedByChunkEndRaises checks that an iterator released
// at the end of the chunk that opened it (a REPL line) raises when used
// later, instead of looking like an empty result.
func TestIteratorReleasedByChunkEndRaises(t *testing.T) {
	e := newEnv(t)
	e.ok(`it = cim.new_session():instances("Cimsh_Item"); first = it()`)
	msg := e.fails(`return it()`)
	if !strings.Contains(msg, "s:instances: the iterator was released when the chunk that opened it ended") || !strings.Contains(msg, "ended, after 1 instance (Lua cannot see a break") {
		t.Error(msg)
	}
	// One that ran to its end stays ended quietly.
	e.ok(`it = cim.new_session():instances("Win32_Service"); for i in it do end`)
	e.ok(`assert(it() == nil)`)
}

// blockingProvider serves the luatest world; an enumeration of
// Cimsh_Item blocks after two instances until its context ends, and says
// so on blocked.
type blockingProvider struct {
	model.Provider
	blocked chan struct{}
}

func (p blockingProvider) Enumerate(ctx context.Context, req *model.EnumerateRequest) (model.Enumerator, error) {
	e, err := p.Provider.Enumerate(ctx, req)
	if err != nil || !strings.EqualFold(req.ClassName, "Cimsh_Item") {
		return e, err
	}
	return &blockAfter{Enumerator: e, left: 2, blocked: p.blocked}, nil
}

type blockAfter struct {
	model.Enumerator
	left    int
	blocked chan struct{}
	err     error
}

func (b *blockAfter) Next(ctx context.Context) bool {
	if b.left == 0 {
		close(b.blocked)
		<-ctx.Done()
		b.err = ctx.Err()
		return false
	}
	b.left--
	return b.Enumerator.Next(ctx)
}

func (b *blockAfter) Err() error { return b.err }

// TestIteratorInterrupted checks that Ctrl-C in the middle of a loop
// raises "operation canceled" and that the iterator keeps raising after.
func TestIteratorInterrupted(t *testing.T) {
	L := lua.NewState()
	blocked := make(chan struct{})
	base := luatest.Factory()
	m := New(L, Options{Getenv: func(string) string { return "" },
		NewProvider: func(cfg cim.Config) (model.Provider, error) {
			p, err := base(cfg)
			return blockingProvider{p, blocked}, err
		}})
	e := &env{t: t, L: L, m: m, out: &bytes.Buffer{}}
	t.Cleanup(func() { m.CloseAll(); L.Close() })
	go func() {
		<-blocked
		m.Interrupt()
	}()
	msg := e.fails(`it = cim.new_session():instances("Cimsh_Item"); for i in it do end`)
	if !strings.Contains(msg, "s:instances: operation canceled") {
		t.Errorf("interrupted loop: %q", msg)
	}
	msg = e.fails(`it()`)
	if !strings.Contains(msg, "s:instances: the enumeration was interrupted, after 2 instances") {
		t.Errorf("interrupted iterator called again: %q", msg)
	}
}

package luabind

import (
	"context"
	"io"
	"os"
	"sync"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/cdxml"
	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// Options configures a Module.
type Options struct {
	// NewProvider, when set, serves every session the module creates
	// instead of the connection cim would make (tests, embedding).
	NewProvider func(cfg cim.Config) (model.Provider, error)
	// ReadPassword prompts for a password without echo. Nil means no
	// terminal. credential() prompts only when CIMSH_PASSWORD is unset.
	ReadPassword func(prompt string) (string, error)
	// Getenv reads the environment (os.Getenv when nil).
	Getenv func(string) string
	// Stdout receives help() output (os.Stdout when nil).
	Stdout io.Writer
	// Width returns the terminal's width, to fit tables and help into;
	// nil or 0 means no limit (output to a file or a pipe).
	Width func() int
	// Trace, when set, receives the WS-Man traffic of every session the
	// module makes (cimsh --trace).
	Trace io.Writer
}

// Module is the `cim` module bound to one Lua state. Its methods must be
// called from the goroutine running the state, except Secrets and
// CloseAll, which are safe from any goroutine.
type Module struct {
	L    *lua.LState
	opts Options

	mu       sync.Mutex
	sessions []*sessionUD // live sessions, in creation order
	secrets  []string     // passwords of every credential made
	// envPassword is PasswordEnv, read once when the module is made.
	envPassword string
	local       *sessionUD // the default session for module functions

	iters []*iterator // iterators opened during the current chunk
	funcs map[*lua.LFunction]*FuncSpec
	// methodDocs is help() for the methods no FuncSpec describes.
	methodDocs map[*lua.LFunction]string
	cancel     context.CancelFunc
	inChunk    bool
	// interrupted is set by Interrupt until the next chunk begins.
	interrupted bool
	// pending are the background releases of cancelled operations.
	pending []chan struct{}
	// workers run what await waits for (spawn).
	workers workers
	// cdxmlTables are the tables import_cdxml returned, for help(m).
	cdxmlTables map[*lua.LTable]*cdxml.Module
	// instanceMT is the instances' metatable (registerTypes), set on
	// every instance a loop hands out.
	instanceMT lua.LValue
}

// New opens the module on L: the global `cim`, package.loaded.cim, and
// the metatables of its types.
func New(L *lua.LState, opts Options) *Module {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	m := &Module{L: L, opts: opts, funcs: map[*lua.LFunction]*FuncSpec{}, methodDocs: map[*lua.LFunction]string{},
		envPassword: opts.Getenv(PasswordEnv)}
	m.registerTypes()
	tbl := m.moduleTable()
	L.SetGlobal("cim", tbl)
	if loaded, ok := L.GetField(L.Get(lua.RegistryIndex), "_LOADED").(*lua.LTable); ok {
		loaded.RawSetString("cim", tbl)
	}
	L.SetGlobal("help", L.NewFunction(m.luaHelp))
	L.SetGlobal("assert", L.NewFunction(luaAssert))
	m.installStringFormat()
	return m
}

// BeginChunk gives the state a fresh context derived from ctx for one
// chunk (a script or a REPL line) and returns its cancel function.
func (m *Module) BeginChunk(ctx context.Context) context.CancelFunc {
	cctx, cancel := context.WithCancel(ctx)
	m.mu.Lock()
	m.cancel = cancel
	m.inChunk = true
	m.interrupted = false
	m.mu.Unlock()
	m.L.SetContext(cctx)
	return cancel
}

// EndChunk closes the iterators the chunk opened and left open (Lua 5.1
// cannot see a break) and removes the chunk's context from the state: a
// cancelled context would otherwise stop every later chunk.
func (m *Module) EndChunk() {
	m.closeIterators()
	m.mu.Lock()
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.inChunk = false
	m.mu.Unlock()
	m.L.RemoveContext()
}

// Interrupt cancels the running chunk's context; safe from any goroutine
// (a signal handler).
func (m *Module) Interrupt() {
	m.mu.Lock()
	if m.cancel != nil {
		m.interrupted = true
		m.cancel()
	}
	m.mu.Unlock()
}

// Running reports whether a chunk is running (between BeginChunk and
// EndChunk); safe from any goroutine.
func (m *Module) Running() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.inChunk
}

// Interrupted reports whether Interrupt cancelled the current (or last)
// chunk.
func (m *Module) Interrupted() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.interrupted
}

// CloseAll closes every session the module made (releasing their open
// enumerations). Safe from any goroutine; used on exit.
func (m *Module) CloseAll() {
	m.waitPending()
	m.mu.Lock()
	ss := append([]*sessionUD(nil), m.sessions...)
	m.mu.Unlock()
	for _, s := range ss {
		s.s.Close()
	}
}

// Secrets returns the passwords of every credential made in this
// process, so that the shell can keep them out of its history.
func (m *Module) Secrets() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.secrets...)
}

// OpenEnumerations counts the enumerations open on every live session.
func (m *Module) OpenEnumerations() int {
	m.waitPending()
	m.mu.Lock()
	ss := append([]*sessionUD(nil), m.sessions...)
	m.mu.Unlock()
	n := 0
	for _, s := range ss {
		n += s.s.OpenEnumerations()
	}
	return n
}

// width is the terminal's width, 0 for no limit.
func (m *Module) width() int {
	if m.opts.Width == nil {
		return 0
	}
	return max(m.opts.Width(), 0)
}

// ctx returns the context of the running chunk.
func (m *Module) ctx() context.Context {
	if c := m.L.Context(); c != nil {
		return c
	}
	return context.Background()
}

func (m *Module) addSecret(pw string) {
	if pw == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.secrets {
		if s == pw {
			return
		}
	}
	m.secrets = append(m.secrets, pw)
}

// newSession makes a session from cfg, through the provider hook when set.
func (m *Module) newSession(cfg cim.Config) (*sessionUD, error) {
	var (
		s   *cim.Session
		err error
	)
	if cfg.Trace == nil {
		cfg.Trace = m.opts.Trace
	}
	if m.opts.NewProvider != nil {
		var p model.Provider
		p, err = m.opts.NewProvider(cfg)
		if err != nil {
			return nil, err
		}
		s, err = cim.NewSessionWithProvider(cfg, p)
	} else {
		s, err = cim.NewSession(cfg)
	}
	if err != nil {
		return nil, err
	}
	ud := &sessionUD{s: s, m: m}
	m.mu.Lock()
	m.sessions = append(m.sessions, ud)
	m.mu.Unlock()
	return ud, nil
}

// forget drops a closed session from the live list.
func (m *Module) forget(ud *sessionUD) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, s := range m.sessions {
		if s == ud {
			m.sessions = append(m.sessions[:i], m.sessions[i+1:]...)
			break
		}
	}
	if m.local == ud {
		m.local = nil
	}
}

// localSession returns the module's default local session.
func (m *Module) localSession() (*sessionUD, error) {
	m.mu.Lock()
	l := m.local
	m.mu.Unlock()
	if l != nil {
		return l, nil
	}
	l, err := m.newSession(cim.Config{})
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.local = l
	m.mu.Unlock()
	return l, nil
}

// liveSessions returns the live sessions.
func (m *Module) liveSessions() []*sessionUD {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*sessionUD(nil), m.sessions...)
}

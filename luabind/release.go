package luabind

import "context"

// Ctrl-C must give the prompt back within half a second, but releasing
// what the cancelled operation opened (a WS-Man Release, or the rest of
// an operation that releases on its way out) is a round trip with its
// own deadline, and a slow server makes it slow. So once the chunk's
// context is cancelled that work finishes in the background; closing a
// session or the module waits for it first, so nothing is left open on
// the server and no enumeration is closed twice at once.

// background runs f on its own goroutine and remembers it until it ends.
// A panic there is dropped: nobody waits for the result.
func (m *Module) background(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { recover() }()
		f()
	}()
	m.addPending(done)
}

func (m *Module) addPending(done chan struct{}) {
	m.mu.Lock()
	m.pending = append(m.pending, done)
	m.mu.Unlock()
}

// waitPending waits for the background releases started so far. Safe
// from any goroutine.
func (m *Module) waitPending() {
	m.mu.Lock()
	pending := m.pending
	m.pending = nil
	m.mu.Unlock()
	for _, done := range pending {
		<-done
	}
}

// cancelled reports whether the running chunk's context is done
// (Ctrl-C, a signal, os.exit).
func (m *Module) cancelled() bool { return m.ctx().Err() != nil }

// await runs f and waits for it, unless ctx is cancelled first: then
// it returns false at once and f finishes (releasing what it opened) in
// the background, then after, when given, runs there too. f must not
// touch the Lua state.
func (m *Module) await(ctx context.Context, f, after func()) bool {
	done := make(chan struct{})
	var panicked any
	go func() {
		defer close(done)
		defer func() { panicked = recover() }()
		f()
	}()
	select {
	case <-done:
		if panicked != nil {
			// Panic where the caller runs, so that the Lua state's
			// PCall reports it as an error rather than the process
			// dying with a Go stack trace.
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

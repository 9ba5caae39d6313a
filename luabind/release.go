package luabind

import (
	"context"
	"slices"
	"sync"
	"time"
)

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
	m.spawn(func() {
		defer func() { panicked = recover() }()
		f()
	}, func() { close(done) })
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

// workerIdle is how long a worker waits for more work before it ends.
const workerIdle = 2 * time.Second

// A worker is a goroutine kept to run what await waits for. Operations
// run on workers kept between them because a new goroutine starts with a
// small stack and grows it, by copying every frame, as an operation's
// calls go deep (the decoder's are): two copies a query, a fifth of the
// instructions of a process making small queries one after another.
type worker struct {
	jobs chan job // one at most: handed over only to an idle worker
}

// workers are the Module's idle workers, under a lock of their own
// (await runs under none, but the Module's mu is taken in many places).
type workers struct {
	mu   sync.Mutex
	idle []*worker
	// idleFor is how long a worker waits for more work (workerIdle
	// when zero; tests set it short).
	idleFor time.Duration
	// timedOut, when set (by tests), runs on a worker whose wait ran
	// out, before it leaves the idle list.
	timedOut func()
}

type job struct{ f, then func() }

// spawn runs f, then then, on an idle worker, or a new one when none is
// idle. The worker is idle again before then runs, so that an operation
// started once then has run finds it.
func (m *Module) spawn(f, then func()) {
	ws := &m.workers
	ws.mu.Lock()
	var w *worker
	if n := len(ws.idle); n > 0 {
		w = ws.idle[n-1]
		ws.idle = ws.idle[:n-1]
	}
	ws.mu.Unlock()
	if w != nil {
		w.jobs <- job{f, then}
		return
	}
	w = &worker{jobs: make(chan job, 1)}
	go m.work(w, job{f, then})
}

// work runs j, then the jobs spawn hands w, until w has been idle for
// workerIdle.
func (m *Module) work(w *worker, j job) {
	ws := &m.workers
	idleFor := ws.idleFor
	if idleFor <= 0 {
		idleFor = workerIdle
	}
	t := time.NewTimer(idleFor)
	defer t.Stop()
	for {
		j.f()
		ws.mu.Lock()
		ws.idle = append(ws.idle, w)
		ws.mu.Unlock()
		j.then()
		t.Reset(idleFor)
		select {
		case j = <-w.jobs:
			continue
		case <-t.C:
		}
		if ws.timedOut != nil {
			ws.timedOut()
		}
		ws.mu.Lock()
		i := slices.Index(ws.idle, w)
		if i >= 0 {
			ws.idle = slices.Delete(ws.idle, i, i+1)
		}
		ws.mu.Unlock()
		if i >= 0 {
			return
		}
		j = <-w.jobs // taken from the idle list as the time ran out: its job comes
	}
}

package wsman

import (
	"context"
	"sync"
)

// ahead is the page after the one the consumer reads: its Pull, and
// then, when the consumer is still busy with the page before it (a Lua
// loop doing work per instance), its decoding on a goroutine of its own,
// so that on more than one core the consumer and the decoding overlap.
//
// The Pull goes out when the consumer starts on the page before (one
// Pull ahead of the consumer at most, as before): at the start of the
// consumer's own decoding of that page, or when it takes that page
// decoded ahead. Decoding ahead starts when the reply is here, the
// consumer has taken the page before (grant: e.idec is then free, one
// decoding at a time, and at most one decoded page waits) and the
// consumer is not already waiting for this page: then it decodes the
// page itself, sending the next Pull first, so that a fast consumer
// (get_instance collecting) keeps the network overlapping the decoding.
// No goroutine waits for the consumer: the Pull's goroutine decodes when
// the grant came first, else grant starts the decoding, so an
// enumeration abandoned without Close leaves nothing running.
type ahead struct {
	ctx    context.Context // the Pull's
	cancel context.CancelFunc
	base   context.Context // values only, for the Pull after this page

	fetched chan struct{} // closed when the Pull ended: body, max, err set
	done    chan struct{} // closed when decoding ahead ended (if it started)
	body    []byte
	max     int   // MaxElements after EncodingLimit retries
	err     error // the Pull's

	// Set by decoding ahead, read after done.
	batch  *batch
	decErr error

	mu      sync.Mutex
	arrived bool // fetched is closed
	granted bool // the consumer took the page before this one
	waiting bool // the consumer waits for this page: it decodes it itself
	started bool // decoding ahead started
	claimed bool // the consumer or settle took the reply undecoded
}

// pullAhead sends, on its own goroutine, the Pull that follows body when
// body leaves a live context with items (after an empty page, pull's
// pauses decide when to ask again; past EndOfSequence, OMI's context is
// dead). base carries values only: it is never cancelled.
func (e *enumerator) pullAhead(base context.Context, body []byte, max int) *ahead {
	end, ok := prescan(body)
	if !ok || !end.live() || !end.items {
		return nil
	}
	ctx, cancel := context.WithCancel(base)
	a := &ahead{ctx: ctx, cancel: cancel, base: base, fetched: make(chan struct{}), done: make(chan struct{})}
	go func() {
		a.body, a.max, a.err = e.pullBody(ctx, end.context, max)
		cancel()
		a.mu.Lock()
		a.arrived = true
		close(a.fetched)
		start := a.mayStart()
		a.mu.Unlock()
		if start {
			a.decode(e)
		}
	}()
	return a
}

// mayStart decides, under a.mu, whether decoding ahead starts now.
func (a *ahead) mayStart() bool {
	if !a.arrived || !a.granted || a.waiting || a.started || a.claimed || a.err != nil {
		return false
	}
	a.started = true
	return true
}

// grant lets a decode ahead: the consumer has taken the page before it.
func (a *ahead) grant(e *enumerator) {
	a.mu.Lock()
	a.granted = true
	start := a.mayStart()
	a.mu.Unlock()
	if start {
		go a.decode(e)
	}
}

// claim is the consumer wanting the page now, after its Pull ended: it
// reports whether the page was decoded ahead (wait for done), else the
// consumer decodes a.body itself.
func (a *ahead) claim() (decodedAhead bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.started {
		return true
	}
	a.claimed = true
	return false
}

// wait marks the consumer as waiting for the page (it decodes the page
// itself when the reply comes, unless decoding ahead has started).
func (a *ahead) wait() {
	a.mu.Lock()
	a.waiting = true
	a.mu.Unlock()
}

// halt stops a's Pull and keeps it from starting to decode; it reports
// whether decoding had started (done closes soon: decoding sends
// nothing).
func (a *ahead) halt() (decoding bool) {
	a.cancel()
	return a.claim()
}

// decode decodes a's page ahead.
func (a *ahead) decode(e *enumerator) {
	defer close(a.done)
	e.idec.maxItems = a.max // what the Pull that brought the page asked for
	a.batch, a.decErr = e.decodeBody(a.body)
}

package wsman

import (
	"context"
	"runtime"
	"sync"
)

// The pages after the one the consumer reads form a pipeline, so that
// decoding runs beside the consumer (a Lua loop) and beside the network
// instead of taking turns with them. With limit the pages it may hold
// ahead of the consumer (pipeLimit):
//
//   - A page's reply is pre-scanned on the goroutine that received it;
//     when it leaves a live context with items (never past EndOfSequence:
//     OMI's context there is dead; never after an empty page: pull's
//     pauses decide when to ask again), the Pull after it goes out at
//     once, unless limit pages already wait. Only the newest page is
//     ever followed, after its reply came: one Pull in flight at most.
//   - Every page that has come is decoded on a goroutine of its own, by
//     one of up to limit-1 decoders (each its own itemDecoder), started
//     in the order the pages came; the consumer takes them in that order.
//   - Memory is bounded by limit pages ahead (raw, decoding or decoded),
//     whatever the consumer does; a raw reply is dropped once decoded,
//     handed back to the transport to read a later reply into
//     (Recycler).
//   - No goroutine waits for the consumer: a Pull's goroutine or a
//     decoder that finishes starts what may start now and ends, and the
//     consumer taking a page does the same, so an enumeration abandoned
//     without Close leaves nothing running. settle (Close, errors, the
//     end) stops the pipeline, waits for the decoding under way (CPU
//     only) and for the Pull in flight at most ReleaseTimeout, and leaves
//     the context of the newest reply to release.
type pipe struct {
	mu      sync.Mutex
	pages   []*ahead // in the server's order; pages[0] is the next the consumer takes
	tail    *ahead   // the newest page (maybe already taken): the only one followed
	free    []*itemDecoder
	decoder int  // decoders made
	stopped bool // settle ran: nothing new starts

	// base is the ctx of the Pulls: values only, never cancelled (a
	// caller may cancel the ctx of each Next when it returns).
	base context.Context
	// proto is what each decoder starts as: e.idec's settings and schema
	// lookup, copied by the consumer (which decodes with e.idec itself).
	proto itemDecoder
}

// pipeLimit is how many pages may wait ahead of the consumer: one
// decoding per core up to three (the consumer needs a core too, and
// more pages would hold more memory for little), plus one arriving.
func pipeLimit() int {
	return min(max(runtime.GOMAXPROCS(0), 1), 3) + 1
}

// PagesAhead is how many pages an enumeration may pull and decode ahead
// of the one its consumer reads (on this machine: it follows the cores).
func PagesAhead() int { return pipeLimit() }

// ahead is one page after the one the consumer reads: its Pull, its
// pre-scan, and its decoding.
type ahead struct {
	ctx    context.Context // the Pull's
	cancel context.CancelFunc

	fetched chan struct{} // closed when the Pull ended: body, max, err, end set
	body    []byte        // the reply, until decoded
	max     int           // MaxElements after EncodingLimit retries
	err     error         // the Pull's
	end     pageEnd       // the pre-scan of body
	endOK   bool

	done   chan struct{} // closed when decoding ended (if it started)
	batch  *batch
	decErr error

	// Under pipe.mu.
	arrived  bool // fetched is closed
	started  bool // decoding started
	followed bool // the Pull after it went out
	bad      bool // decoding failed: nothing follows it
}

// pullAhead starts the pipeline after body, a page the consumer decodes
// itself (the Enumerate's, or one pulled while nothing was ahead), when
// body leaves a live context with items. base carries values only: it
// is never cancelled.
func (e *enumerator) pullAhead(base context.Context, body []byte, max int) {
	end, ok := prescan(body)
	if !ok || !end.live() || !end.items {
		return
	}
	p := &e.pipe
	p.mu.Lock()
	if !p.stopped && len(p.pages) == 0 {
		p.base = base
		p.proto = *e.idec
		p.proto.kept = 0
		p.proto.shapes = shapes{} // each decoder takes its own (their slices are scratch)
		p.launch(e, end.context, max)
	}
	p.mu.Unlock()
}

// launch queues the page the Pull for ctxID brings and sends that Pull;
// under p.mu.
func (p *pipe) launch(e *enumerator, ctxID string, max int) {
	ctx, cancel := context.WithCancel(p.base)
	a := &ahead{ctx: ctx, cancel: cancel, max: max, fetched: make(chan struct{}), done: make(chan struct{})}
	p.pages = append(p.pages, a)
	p.tail = a
	go e.fetch(a, ctxID)
}

// fetch sends a's Pull and pre-scans its reply, then starts what may
// start now.
func (e *enumerator) fetch(a *ahead, ctxID string) {
	body, max, err := e.pullBody(a.ctx, ctxID, a.max)
	a.cancel()
	var end pageEnd
	var ok bool
	if err == nil {
		end, ok = prescan(body)
	}
	p := &e.pipe
	p.mu.Lock()
	a.body, a.max, a.err, a.end, a.endOK = body, max, err, end, ok
	a.arrived = true
	close(a.fetched)
	p.pump(e)
	p.mu.Unlock()
}

// pump starts, under p.mu, the decoding of the pages that came (in
// order, while decoders are free) and the Pull after the newest page
// (when it leaves more to pull and the pages ahead are below the limit).
func (p *pipe) pump(e *enumerator) {
	if p.stopped {
		return
	}
	limit := e.c.aheadPages
	if limit <= 0 {
		limit = pipeLimit()
	}
	for _, a := range p.pages {
		if !a.arrived {
			break // only the newest can be in flight
		}
		if a.started || a.err != nil {
			continue
		}
		var d *itemDecoder
		switch {
		case len(p.free) > 0:
			d = p.free[len(p.free)-1]
			p.free = p.free[:len(p.free)-1]
		case p.decoder < max(limit-1, 1):
			p.decoder++
			c := p.proto // the same settings and schema lookup, a state of its own
			d = &c
		}
		if d == nil {
			break
		}
		a.started = true
		go e.decodeAhead(a, d)
	}
	if t := p.tail; t != nil && t.arrived && !t.followed && !t.bad && t.err == nil && t.endOK &&
		t.end.live() && t.end.items && len(p.pages) < limit {
		t.followed = true
		p.launch(e, t.end.context, t.max)
	}
}

// decodeAhead decodes a's page with d, then gives d back and starts what
// may start now.
func (e *enumerator) decodeAhead(a *ahead, d *itemDecoder) {
	d.maxItems = a.max // what the Pull that brought the page asked for
	b, err := e.decodeWith(d, a.body)
	if r, ok := e.c.t.(Recycler); ok && err == nil {
		// Nothing decoded refers to the reply (an error might quote it).
		r.Recycle(a.body)
	}
	p := &e.pipe
	p.mu.Lock()
	a.batch, a.decErr = b, err
	a.bad = err != nil
	a.body = nil
	p.free = append(p.free, d)
	close(a.done)
	p.pump(e)
	p.mu.Unlock()
}

// head is the page the consumer takes next, if any is ahead.
func (p *pipe) head() *ahead {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pages) == 0 {
		return nil
	}
	return p.pages[0]
}

// taken removes the head page, taken by the consumer, and starts what
// may start now (the pages ahead shrank).
func (p *pipe) taken(e *enumerator) {
	p.mu.Lock()
	p.pages[0] = nil
	p.pages = p.pages[1:]
	if len(p.pages) == 0 {
		p.pages = nil
	}
	p.pump(e)
	p.mu.Unlock()
}

// stop ends the pipeline (nothing new starts) and returns the pages
// ahead, their Pulls cancelled.
func (p *pipe) stop() []*ahead {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped = true
	pages := p.pages
	p.pages, p.tail = nil, nil
	for _, a := range pages {
		a.cancel()
	}
	return pages
}

// decoding reports, under p.mu, whether a's decoding started.
func (p *pipe) decoding(a *ahead) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return a.started
}

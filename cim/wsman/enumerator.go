package wsman

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	xml "github.com/cimsh/cimsh/cim/wsman/xmltok"
)

// enumerator iterates an enumeration (model.Enumerator).
//
// Rules any change here must keep (Pull prefetching included); a test
// holds each:
//
//   - A Pull and an Enumerate are never sent twice (EffectAdvance,
//     EffectOpen; see effect.go). A Pull or Enumerate whose connection died
//     after it was sent fails the enumeration with category connection
//     (the batch may be gone from the server), the context is released,
//     and collect-all callers get no partial list (TestPullNeverResent,
//     TestEnumerateNeverResent, luabind TestWSManLostPull).
//   - No request that the server may route to the enumerated class's
//     provider goes out while the enumeration is open (first page
//     delivered, EndOfSequence not yet seen): OMI's provider host serves
//     nothing else then, so the request would deadlock. The class schema
//     is fetched before the Enumerate; items are typed from the cache
//     only (deferredSchemas) and the schemas of classes met in the
//     results are fetched after the end (TestOMIBusyProviderStreaming,
//     TestOMIBusyProviderSubclasses).
//   - The context OMI sends beside EndOfSequence is dead: it is never
//     pulled nor released (take; wsmantest TestOMIEnumerateQuirks).
//   - An abandoned enumeration is released (Close, errors, cancellation),
//     with a deadline of its own (releaseLocked); a Pull sent ahead is
//     stopped and the context its reply carries released (settle;
//     TestEnumeratePullAndReleaseOnClose).
//   - Memory stays flat while streaming: the enumerator holds one batch
//     and lets each item go as Next hands it out, and a reply holding more
//     items than its request's MaxElements fails while being decoded
//     (idec.maxItems: the excess is never decoded). Pages decoded ahead
//     count against the same bounds (TestStreamingEndlessFlatMemory,
//     TestReplyWithTooManyItems, BenchmarkExcessItems).
//   - operation_timeout_sec bounds each response, never the whole
//     enumeration; only a run of empty batches that long fails it
//     (pull; TestEmptyBatchesFail, TestSlowProgressingEnumerationFinishes).
//   - At most one Pull is in flight, sent when the reply before it came
//     (while pages are decoded and read), never after an empty page
//     (TestNextPullOverlapsTheCurrentPage).
//   - Pages after the one the consumer reads are decoded meanwhile on
//     goroutines of their own (ahead.go): at most PagesAhead pages wait
//     ahead of the consumer, raw or decoded, and pages are handed out in
//     the order the server sent them (TestPagesDecodeAheadInOrder,
//     TestPagesDecodedAheadKeepOrder, TestCloseStopsThePagesDecodedAhead).
type enumerator struct {
	c       *Client
	spec    *enumSpec
	idec    *itemDecoder
	max     int
	timeout time.Duration

	// deferred types items from cached schemas only and fetches the
	// missing ones after the end (nil without schemas).
	deferred *deferredSchemas
	// ctx is the ctx of the running Pull of a subscription, whose schema
	// fetches happen as events arrive (a subscription has no end).
	ctx context.Context

	mu      sync.Mutex
	context string // the server's enumeration context; "" when none
	done    bool   // EndOfSequence seen, or the context is gone
	items   []*model.Instance
	pos     int
	cur     *model.Instance
	err     error
	closed  bool
	classes []*model.Class

	// sub is set for an event subscription: Pulls wait for events as
	// long as ctx allows, and Close unsubscribes.
	sub *subscription

	// pipe holds the pages after the one being read: their Pulls and
	// decoding, ahead of the consumer (ahead.go). Close stops it and
	// releases the context its newest reply carries.
	pipe pipe
}

// take absorbs a batch.
func (e *enumerator) take(b *batch) {
	e.items = b.items
	e.pos = 0
	e.classes = append(e.classes, b.classes...)
	if b.hasContext {
		e.context = b.context
	}
	if b.endOfSeq {
		// OMI sends a context with EndOfSequence: it is dead, neither
		// Pull nor Release it.
		e.done = true
		e.context = ""
	} else if e.context == "" {
		// No context and no end: nothing more can be pulled.
		e.done = true
	}
}

// roundTrip posts an Enumerate (EffectOpen) or a Pull (EffectAdvance)
// and decodes its response. Neither is ever sent twice: a connection that
// died under one fails the enumeration (category connection).
func (e *enumerator) roundTrip(ctx context.Context, env []byte, effect Effect) (*batch, error) {
	e.idec.maxItems = e.max // what env asks for
	body, err := e.postPage(ctx, env, effect)
	if err != nil {
		return nil, err
	}
	return e.decodePage(ctx, body)
}

// postPage posts an Enumerate or a Pull and returns the reply body.
func (e *enumerator) postPage(ctx context.Context, env []byte, effect Effect) ([]byte, error) {
	body, err := e.c.post(ctx, env, effect, e.timeout)
	if err != nil {
		if f, ok := model.AsFault(err); ok && f.Category == model.CategoryConnection {
			f.Reason = lostReply(effect)
		}
		return nil, err
	}
	return body, nil
}

// decodePage decodes an EnumerateResponse or PullResponse. When the
// reply leaves more to pull, the next Pull goes out first, so that the
// server prepares the next page while this one is decoded (decoding
// sends nothing: schemas come from the cache while the enumeration is
// open).
func (e *enumerator) decodePage(ctx context.Context, body []byte) (*batch, error) {
	e.prefetchAfter(ctx, body)
	b, err := e.decodeBody(body)
	return e.absorbErr(b, err)
}

// decodeBody decodes body with e.idec, the consumer's decoder.
func (e *enumerator) decodeBody(body []byte) (*batch, error) {
	return e.decodeWith(e.idec, body)
}

// decodeWith decodes body with idec. It touches no state of the
// enumerator's, so pages decoded ahead run it on goroutines of their
// own, each with its own decoder (ahead.go).
func (e *enumerator) decodeWith(idec *itemDecoder, body []byte) (*batch, error) {
	pooled, _ := pageDecoders.Get().(*xml.Decoder)
	d, se, ok, err := e.c.openBodyWith(pooled, body)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, e.c.protocolFault(errEmptyEnumResponse)
	}
	if se.Name.Local != "EnumerateResponse" && se.Name.Local != "PullResponse" {
		return nil, e.c.protocolFault(errUnexpected(se.Name.Local, "EnumerateResponse or PullResponse"))
	}
	b, err := decodeEnumResponse(d, idec)
	if err != nil {
		// Dropped: an error may quote what the decoder holds.
		return b, err
	}
	d.Reset(nil) // holding no reply while it waits in the pool
	pageDecoders.Put(d)
	for _, it := range b.items {
		it.ComputerName = e.c.opts.ComputerName
	}
	return b, nil
}

// absorbErr is decodeBody's result as the consumer takes it: a page that
// failed to decode keeps a context the server handed out, so that it is
// released rather than left open (OMI blocks on open enumerations).
func (e *enumerator) absorbErr(b *batch, err error) (*batch, error) {
	if err == nil {
		return b, nil
	}
	if b != nil && b.hasContext && !b.endOfSeq && b.context != "" {
		e.context = b.context
		e.done = false
	}
	if _, isFault := model.AsFault(err); isFault {
		return nil, err
	}
	return nil, e.c.protocolFault(err)
}

// prefetchAfter sends the Pull that follows body when body leaves a
// live context: never for a subscription (its Pulls wait for events),
// never past EndOfSequence (OMI's context beside it is dead), never
// twice at once.
func (e *enumerator) prefetchAfter(ctx context.Context, body []byte) {
	if e.sub != nil || e.closed {
		return
	}
	// Callers may cancel the ctx of each Next when it returns: the Pull
	// runs under its own (the request timeout still bounds it), and the
	// Next that wants its page waits under that Next's ctx.
	e.pullAhead(context.WithoutCancel(ctx), body, e.max)
}

// settle stops the pages ahead (nobody wants them now): the Pull in
// flight, waited for at most ReleaseTimeout, and the decoding under way.
// The context the newest reply carries becomes the one to release: the
// enumeration has moved on to it, or ended.
func (e *enumerator) settle() {
	pages := e.pipe.stop()
	if len(pages) == 0 {
		return
	}
	var t *time.Timer
	defer func() {
		if t != nil {
			t.Stop()
		}
	}()
	for _, a := range pages {
		if e.pipe.decoding(a) {
			<-a.done // CPU only: decoding sends nothing
			continue
		}
		select {
		case <-a.fetched:
			continue
		default:
		}
		if t == nil {
			t = time.NewTimer(e.c.opts.ReleaseTimeout)
		}
		select {
		case <-a.fetched:
		case <-t.C:
			// The last context known is released.
		}
	}
	for _, a := range pages {
		select {
		case <-a.fetched:
		default:
			return // still in flight: what came before it stands
		}
		if a.err != nil {
			return
		}
		switch end := a.end; {
		case !a.endOK:
		case end.endOfSeq:
			e.context, e.done = "", true
		case end.hasContext && end.context != "":
			e.context = end.context
		}
	}
}

// Next advances to the next instance, pulling a batch when needed.
func (e *enumerator) Next(ctx context.Context) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for {
		if e.err != nil || e.closed {
			e.cur = nil
			return false
		}
		if e.advance() {
			return true
		}
		if e.done {
			e.cur = nil
			// A page ahead can only be left here by a reply whose pre-scan
			// and decoding disagreed: stop it, so that nothing decodes
			// (and touches the deferred schemas) while they are fetched.
			e.settle()
			e.finish()
			if e.deferred != nil {
				e.deferred.fetch(ctx) // the enumeration has ended: no provider is busy with it
			}
			return false
		}
		if err := e.pull(ctx); err != nil {
			e.err = err
			e.cur = nil
			if !isSubcode(err, "InvalidEnumerationContext") {
				e.releaseLocked()
			}
			e.finish()
			return false
		}
	}
}

// NextBuffered advances to the next instance when the page being read
// still holds one: no request, no wait, nothing that needs a ctx. False
// means the caller calls Next (which pulls, or reports the end or an
// error), with nothing consumed.
func (e *enumerator) NextBuffered() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err == nil && !e.closed && e.advance()
}

// advance hands out the page's next instance (of the shallow class when
// the query asked for one), if the page holds one; under e.mu.
func (e *enumerator) advance() bool {
	for e.pos < len(e.items) {
		it := e.items[e.pos]
		e.items[e.pos] = nil
		e.pos++
		if e.spec.shallow != "" && !strings.EqualFold(it.ClassName, e.spec.shallow) {
			continue
		}
		e.cur = it
		return true
	}
	return false
}

// pull fetches and decodes the next batch: the one prefetched, or a
// Pull sent now (pullBody retries server-side timeouts and shrinks
// MaxElements when a batch did not fit the envelope). Empty batches that
// do not end the enumeration are pulled again, with growing pauses (no
// Pull goes ahead of an empty batch), until the operation timeout has
// passed without an item: then the enumeration fails (a server that
// never progresses must not hold the client forever).
func (e *enumerator) pull(ctx context.Context) error {
	var stalled time.Time // since when batches came empty
	pause := emptyBatchPause
	for {
		var body []byte
		var err error
		var b *batch
		var decoded *ahead // the page, decoded ahead
		if a := e.pipe.head(); a != nil {
			if err := ctx.Err(); err != nil {
				// Cancelled: not even a page already here is read.
				return e.c.transportFault(ctx, err)
			}
			select {
			case <-a.fetched:
			case <-ctx.Done():
				// Still in flight: Close's settle stops it.
				return e.c.transportFault(ctx, ctx.Err())
			}
			if a.err == nil {
				select {
				case <-a.done:
				case <-ctx.Done():
					return e.c.transportFault(ctx, ctx.Err())
				}
				decoded = a
			}
			e.pipe.taken(e)
			e.max, err = a.max, a.err
		} else {
			body, e.max, err = e.pullBody(ctx, e.context, e.max)
		}
		if err != nil {
			if isSubcode(err, "InvalidEnumerationContext") {
				e.context = ""
				e.done = true
				if f, ok := model.AsFault(err); ok && f.Reason == "" {
					f.Reason = "the enumeration context expired or is invalid"
				}
			}
			return err
		}
		if decoded != nil {
			b, err = e.absorbErr(decoded.batch, decoded.decErr)
		} else {
			e.idec.maxItems = e.max // what the Pull that brought body asked for
			e.ctx = ctx
			b, err = e.decodePage(ctx, body)
			e.ctx = nil
		}
		if err != nil {
			return err
		}
		e.take(b)
		if len(e.classes) > maxEnumeratedClasses {
			return &model.Fault{Category: model.CategoryQuota, ComputerName: e.c.opts.ComputerName,
				Reason: fmt.Sprintf("the server listed more than %d classes without ending the class enumeration", maxEnumeratedClasses)}
		}
		if e.done || e.sub != nil || len(b.items) > 0 || len(b.classes) > 0 {
			return nil
		}
		now := time.Now()
		if stalled.IsZero() {
			stalled = now
		}
		wait := e.progressTimeout()
		if now.Sub(stalled) >= wait {
			return e.noProgress(wait)
		}
		if err := sleepCtx(ctx, min(pause, wait-now.Sub(stalled))); err != nil {
			return e.c.transportFault(ctx, err)
		}
		pause = min(2*pause, maxEmptyBatchPause)
	}
}

// pullBody sends a Pull for ctxID and returns the reply body, retrying a
// server-side timeout a bounded number of times (a subscription's
// without end) and asking for fewer elements when the batch did not fit
// in the envelope; max is the MaxElements that went out last. It only
// reads the enumerator's settings, so a prefetch runs it concurrently.
func (e *enumerator) pullBody(ctx context.Context, ctxID string, max int) ([]byte, int, error) {
	timeouts := 0
	for {
		env := e.c.appendHeader(nil, &request{action: ActionPull, resourceURI: e.spec.uri, selectors: e.spec.selectors, timeout: e.timeout})
		env = append(env, "<n:Pull>"...)
		env = appendElem(env, "n:EnumerationContext", ctxID)
		env = append(env, "<n:MaxElements>"...)
		env = strconv.AppendInt(env, int64(max), 10)
		env = append(env, "</n:MaxElements></n:Pull>"...)
		env = appendEnvelopeEnd(env)
		body, err := e.postPage(ctx, env, EffectAdvance)
		switch {
		case err == nil:
			return body, max, nil
		case ctx.Err() != nil:
			return nil, max, err
		case isSubcode(err, "TimedOut") && e.sub != nil:
			// No event within the operation timeout: wait again.
		case isSubcode(err, "TimedOut") && timeouts < e.c.opts.PullRetries:
			// The server had nothing within OperationTimeout; the
			// context stays valid.
			timeouts++
		case isSubcode(err, "EncodingLimit") && max > 1 && e.c.opts.MaxEnvelopeSize >= MinEnvelopeSize:
			max = max1(max / 4)
		default:
			return nil, max, err
		}
	}
}

// maxEnumeratedClasses bounds a class enumeration, which is collected
// whole (Windows' root/cimv2 has about 1,100 classes).
const maxEnumeratedClasses = 100000

// Pauses between Pulls that brought nothing.
const (
	emptyBatchPause    = 10 * time.Millisecond
	maxEmptyBatchPause = time.Second
)

// errNoProgress is the cause of an enumeration that made no progress.
var errNoProgress = errors.New("wsman: the enumeration made no progress")

// progressTimeout is how long an enumeration may bring only empty
// batches: the operation timeout, the wait for one response.
func (e *enumerator) progressTimeout() time.Duration {
	switch {
	case e.timeout > 0:
		return e.timeout
	case e.c.opts.OperationTimeout > 0:
		return e.c.opts.OperationTimeout
	}
	return MaxOperationTimeout
}

// noProgress is the failure of an enumeration whose batches stayed empty.
func (e *enumerator) noProgress(wait time.Duration) *model.Fault {
	return &model.Fault{Category: model.CategoryTimeout, ComputerName: e.c.opts.ComputerName, Err: errNoProgress,
		Reason: fmt.Sprintf("the server sent only empty batches for %s without ending the enumeration (no instance within the operation timeout)", wait)}
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Instance returns the current instance.
func (e *enumerator) Instance() *model.Instance {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cur
}

// Err returns the error that ended the iteration, if any.
func (e *enumerator) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// Close releases a server-side enumeration that has not reached its
// end. It is safe to call more than once.
func (e *enumerator) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	e.releaseLocked()
	e.finish()
	e.items = nil
	return nil
}

// release is Close's work, for Client.Close.
func (e *enumerator) release() {
	e.Close()
}

// releaseLocked sends Release for a live context with its own short
// deadline, so that it runs even after the caller's ctx was cancelled.
func (e *enumerator) releaseLocked() {
	if e.sub != nil {
		e.sub.unsubscribe(e)
		return
	}
	e.settle()
	if e.done || e.context == "" {
		return
	}
	ctxID := e.context
	e.context = ""
	e.done = true
	ctx, cancel := context.WithTimeout(context.Background(), e.c.opts.ReleaseTimeout)
	defer cancel()
	env := e.c.appendHeader(nil, &request{action: ActionRelease, resourceURI: e.spec.uri, selectors: e.spec.selectors, timeout: e.c.opts.ReleaseTimeout})
	env = append(env, "<n:Release>"...)
	env = appendElem(env, "n:EnumerationContext", ctxID)
	env = append(env, "</n:Release>"...)
	env = appendEnvelopeEnd(env)
	// Best effort: a failed Release leaves the server to expire the
	// context.
	_, _ = e.c.t.Post(ctx, env, EffectEnd)
}

// finish unregisters the enumerator from its client.
func (e *enumerator) finish() {
	e.c.untrack(e)
}

// lostReply says what a connection that died under an Enumerate or a Pull
// means for the enumeration.
func lostReply(effect Effect) string {
	if effect == EffectOpen {
		return "the connection dropped after the Enumerate was sent, before its reply: the enumeration is not started again, since a second Enumerate would open a second server-side context"
	}
	return "the connection dropped after a Pull was sent, before its reply: the batch the server handed out may be lost, so the enumeration stops rather than return a short result (a Pull is never sent twice)"
}

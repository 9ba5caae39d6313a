// Package gctune sizes the garbage collector's goal to what cimsh holds.
//
// Decoding a large enumeration makes a great deal of short-lived garbage
// (every page's strings and values) while the live heap stays small: a
// streamed loop holds one page. With Go's default GOGC=100 the collector
// then runs every few megabytes and took about a third of the CPU of a
// 19,800-instance loop. A fixed higher GOGC would fix that but multiply
// the peak of a script that keeps a million instances. So the goal is a
// fixed headroom over the live heap (at least GOGC=100, at most 800):
// small heaps collect rarely, big heaps as Go would by default. Measured
// with the bench harness: a streamed 19,800-instance loop 1.1 s -> 0.7 s
// of CPU, 100,000 instances 5.4 s -> 3.0 s, peak RSS 23 MB -> 48 MB.
package gctune

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

const (
	// headroom is how much the heap may grow over the live heap between
	// collections, for small heaps.
	headroom = 24 << 20
	// minPercent and maxPercent bound the GOGC chosen.
	minPercent, maxPercent = 100, 800
	// minHeap is the runtime's minimum heap goal at GOGC 100, what a
	// process starts with.
	minHeap = 4 << 20
)

// Start tunes the collector after every collection from now on. A GOGC
// set in the environment is the user's choice and is left alone.
func Start() {
	if os.Getenv("GOGC") != "" {
		return
	}
	// No live heap is known before the first collection: its goal is
	// the headroom over Go's minimum heap, as later ones are over the
	// live heap. (maxPercent put it at 32 MB: every page of a streamed
	// loop's heap up to there is faulted in fresh, 3-4 us each on a VM,
	// and a collection of the little that lives then costs less.)
	debug.SetGCPercent(Percent(minHeap))
	arm()
}

// Percent is the GOGC for a live heap of live bytes.
func Percent(live uint64) int {
	if live == 0 {
		return maxPercent
	}
	p := uint64(headroom) * 100 / live
	return int(max(minPercent, min(p, maxPercent)))
}

// sentinel is garbage whose finalizer runs after each collection. It
// holds a pointer so that it is never allocated by the tiny allocator,
// whose objects may never be finalized.
type sentinel struct{ _ *int }

func arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		adjust()
		arm()
	})
}

var liveSample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}

func adjust() {
	metrics.Read(liveSample)
	if liveSample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	debug.SetGCPercent(Percent(liveSample[0].Value.Uint64()))
}

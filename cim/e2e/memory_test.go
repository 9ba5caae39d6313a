package e2e

import (
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/internal/testenv"
)

// heapMB is the live heap after a collection, in MB.
func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / 1e6
}

// Streaming 200,000 instances from a server that never ends the
// enumeration keeps the client's memory flat: each batch is let go as it
// is consumed. (Not under the race detector, whose shadow memory
// distorts the figures.) Keeping one instance in four makes it fail
// (+47 MB).
func TestStreamingEndlessFlatMemory(t *testing.T) {
	if raceEnabled {
		testenv.Skip(t, "memory figures are meaningless under the race detector")
	}
	srv := basicServer(t, wsmantest.Windows, wsmantest.Options{Provider: numbersProvider(1000), EndlessEnumerations: true})
	s := basicSession(t, srv)
	ctx := longCtx(t)
	en, err := s.Enumerate(ctx, cim.InstanceQuery{ClassName: "XYZ_Number", Namespace: "root/test"})
	if err != nil {
		t.Fatal(err)
	}
	defer en.Close()
	// The live heap at any instant depends on how many pages wait
	// decoded ahead of the reader (up to wsman.PagesAhead) and on where
	// the collector is, so single samples jitter by several megabytes.
	// Flat means the typical heap over the last quarter of a long run is
	// not above the peak over the first 10,000 instances: a leak of even
	// 100 bytes an instance would add 15 MB by then.
	const total = 200000
	var base float64
	var late []float64
	start := time.Now()
	for n := 1; n <= total; n++ {
		if !en.Next(ctx) {
			t.Fatalf("the endless enumeration ended after %d: %v", n-1, en.Err())
		}
		switch {
		case n <= 10000 && n%1000 == 0:
			base = max(base, heapMB())
		case n > total*3/4 && n%2000 == 0:
			late = append(late, heapMB())
		case n%50000 == 0:
			t.Logf("%6d instances, %5.1f s: live heap %.1f MB", n, time.Since(start).Seconds(), heapMB())
		}
	}
	slices.Sort(late)
	median := late[len(late)/2]
	t.Logf("live heap peak over the first 10,000 instances %.1f MB; over the last %d, median %.1f MB, highest %.1f MB (client and server in one process)", base, total/4, median, late[len(late)-1])
	if median-base > 4 {
		t.Fatalf("the live heap grew by %.1f MB while streaming: not flat", median-base)
	}
}

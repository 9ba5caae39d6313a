package e2e

import (
	"runtime"
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

// Streaming 50,000 instances from a server that never ends the
// enumeration keeps the client's memory flat: each batch is let go as it
// is consumed. (Not under the race detector, whose shadow memory
// distorts the figures. The report's 100,000-instance figure is this test
// with total raised.)
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
	// decoded ahead of the reader (up to wsman.PagesAhead): flat means
	// its peak over the first 10,000 instances is not outgrown later.
	const total = 50000
	var base, peak float64
	start := time.Now()
	for n := 1; n <= total; n++ {
		if !en.Next(ctx) {
			t.Fatalf("the endless enumeration ended after %d: %v", n-1, en.Err())
		}
		switch {
		case n <= 10000 && n%1000 == 0:
			base = max(base, heapMB())
		case n > 10000 && n%2000 == 0:
			h := heapMB()
			peak = max(peak, h)
			if n%10000 == 0 {
				t.Logf("%6d instances, %5.1f s: live heap %.1f MB", n, time.Since(start).Seconds(), h)
			}
		}
	}
	t.Logf("live heap peak over the first 10,000 instances %.1f MB, over the next %d %.1f MB (client and server in one process)", base, total-10000, peak)
	if peak-base > 8 {
		t.Fatalf("the live heap grew by %.1f MB while streaming: not flat", peak-base)
	}
}

package gctune

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/cimsh/cimsh/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestPercent(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 800},
		{1 << 20, 800},  // 24 MB over 1 MB would be 2400%
		{3 << 20, 800},  // exactly 800%
		{8 << 20, 300},  // 24 MB over 8 MB
		{24 << 20, 100}, // as Go's default from here on
		{1 << 30, 100},
	} {
		if got := Percent(c.live); got != c.want {
			t.Errorf("Percent(%d MB) = %d, want %d", c.live>>20, got, c.want)
		}
	}
}

// Before any collection, Start's goal is the headroom over the runtime's
// 4 MB minimum heap (GOGC 600), not the most it allows.
func TestStartFirstGoal(t *testing.T) {
	t.Setenv("GOGC", "")
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	Start()
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	// A collection may have come between (the finalizer sets the
	// percent for the live heap then): any value but maxPercent.
	if p == maxPercent || p < minPercent {
		t.Errorf("GOGC %d after Start, want %d (24 MB over 4 MB)", p, Percent(minHeap))
	}
}

// TestStartTunesAfterCollections holds a live heap of 16 MB: after a
// collection the goal is 24 MB of headroom over it (GOGC 150), not Go's
// default nor Start's initial 800.
func TestStartTunesAfterCollections(t *testing.T) {
	t.Setenv("GOGC", "")
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	Start()
	live := make([][]byte, 16)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		runtime.GC()
		// Reading the setting means setting it; put it back at once.
		p := debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
		if p >= 130 && p <= 170 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GOGC is %d with 16 MB live, want about 150", p)
		}
		time.Sleep(10 * time.Millisecond) // poll: the finalizer runs on its own goroutine
	}
	runtime.KeepAlive(live)
}

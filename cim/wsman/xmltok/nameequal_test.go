package xmltok

import (
	"bytes"
	"testing"
)

// TestNameEqualMatchesBytesEqual checks NameEqual against bytes.Equal for
// every length up to 40 (the word paths and the fallback on both sides),
// with each byte changed in turn and lengths that differ by one.
func TestNameEqualMatchesBytesEqual(t *testing.T) {
	for n := 0; n <= 40; n++ {
		x := make([]byte, n)
		for i := range x {
			x[i] = byte('a' + i%26)
		}
		y := bytes.Clone(x)
		if !NameEqual(x, y) {
			t.Fatalf("length %d: equal names compare unequal", n)
		}
		for i := 0; i < n; i++ {
			for _, c := range []byte{y[i] ^ 1, y[i] ^ 0x80, 0} {
				z := bytes.Clone(x)
				z[i] = c
				if got, want := NameEqual(x, z), bytes.Equal(x, z); got != want {
					t.Fatalf("length %d, byte %d changed to %#x: NameEqual %v, want %v", n, i, c, got, want)
				}
			}
		}
		if n > 0 && NameEqual(x, x[:n-1]) {
			t.Fatalf("length %d: a shorter name compares equal", n)
		}
	}
}

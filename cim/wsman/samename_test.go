package wsman

import (
	"bytes"
	"testing"
)

// TestSameNameMatchesEquality checks sameName against == for every
// length up to 40, with each byte changed in turn.
func TestSameNameMatchesEquality(t *testing.T) {
	for n := 0; n <= 40; n++ {
		x := make([]byte, n)
		for i := range x {
			x[i] = byte('A' + i%26)
		}
		if !sameName(x, string(x)) {
			t.Fatalf("length %d: equal names compare unequal", n)
		}
		for i := 0; i < n; i++ {
			z := bytes.Clone(x)
			z[i] ^= 0x20 // the same letter in the other case: a different name here
			if sameName(x, string(z)) {
				t.Fatalf("length %d, byte %d changed: %q and %q compare equal", n, i, x, z)
			}
		}
		if n > 0 && sameName(x, string(x[:n-1])) {
			t.Fatalf("length %d: a shorter name compares equal", n)
		}
	}
}

package xmltok

import (
	"bytes"
	"testing"
)

// The eight-bytes-at-a-time scans stop where the byte tables say, for
// every byte at every position, behind any other byte (a borrow from a
// stop byte must not hide an earlier one).
func TestSWARScansMatchTables(t *testing.T) {
	scans := []struct {
		name string
		scan func([]byte, int) int
		stop func(byte) bool
	}{
		{"scanText", scanText, func(c byte) bool { return textStop[c] }},
		{"scanAttr", scanAttr, func(c byte) bool { return attrStop[c] }},
		{"indexLT", func(b []byte, i int) int {
			if k := indexLT(b, i); k >= 0 {
				return k
			}
			return len(b)
		}, func(c byte) bool { return c == '<' }},
	}
	for _, s := range scans {
		for before := 0; before < 256; before++ {
			for c := 0; c < 256; c++ {
				for pos := 0; pos < 10; pos++ {
					b := bytes.Repeat([]byte{'a'}, 12)
					if pos > 0 {
						b[pos-1] = byte(before)
					}
					b[pos] = byte(c)
					want := len(b)
					for i, x := range b {
						if s.stop(x) {
							want = i
							break
						}
					}
					if got := s.scan(b, 0); got != want {
						t.Fatalf("%s(% x) = %d, want %d", s.name, b, got, want)
					}
				}
			}
		}
	}
}

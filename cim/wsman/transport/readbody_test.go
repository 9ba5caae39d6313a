package transport

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// readBody reads the whole body whatever the Content-Length says (none,
// right, too small for what came, beyond maxPresize), and one it can
// size is read with a single buffer, not grown step by step.
func TestReadBody(t *testing.T) {
	body := []byte(strings.Repeat("<p:Name>svchost.exe</p:Name>", 20000)) // 560 KB, a page
	var none bufPool
	for _, tc := range []struct {
		name string
		cl   int64
	}{
		{"unknown", -1}, {"exact", int64(len(body))}, {"short", 100}, {"beyond presizing", maxPresize + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readBody(bytes.NewReader(body), tc.cl, &none)
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("read %d bytes of %d, %v", len(got), len(body), err)
			}
		})
	}
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := readBody(bytes.NewReader(body), int64(len(body)), &none); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 3 {
		t.Errorf("%v allocations to read a body of known length", allocs)
	}
	if _, err := readBody(io.MultiReader(bytes.NewReader(body[:10]), errReader{}), int64(len(body)), &none); err == nil {
		t.Error("a failed read reported no error")
	}
}

// A body handed back is read into again: the next reply of a size it
// holds takes its memory (no allocation of a page's size), and what is
// read is the new reply whole.
func TestRecycledBodyIsReused(t *testing.T) {
	first := bytes.Repeat([]byte("a"), 600<<10)
	next := bytes.Repeat([]byte("b"), 590<<10)
	var p bufPool
	got, err := readBody(bytes.NewReader(first), int64(len(first)), &p)
	if err != nil {
		t.Fatal(err)
	}
	p.put(got)
	again, err := readBody(bytes.NewReader(next), int64(len(next)), &p)
	if err != nil || !bytes.Equal(again, next) {
		t.Fatalf("read %d bytes, %v", len(again), err)
	}
	if &again[0] != &got[0] {
		t.Error("the body handed back was not read into")
	}
	allocs := testing.AllocsPerRun(5, func() {
		b, err := readBody(bytes.NewReader(next), int64(len(next)), &p)
		if err != nil {
			t.Fatal(err)
		}
		p.put(b)
	})
	if allocs > 2 {
		t.Errorf("%v allocations to read into a recycled body", allocs)
	}
	// A reply larger than every buffer kept gets a new one; the pool
	// stays bounded.
	for i := 0; i < 2*maxPooled; i++ {
		p.put(make([]byte, 0, 1<<10+i))
	}
	if len(p.free) > maxPooled {
		t.Errorf("%d buffers kept, at most %d", len(p.free), maxPooled)
	}
	big := bytes.Repeat([]byte("c"), 2<<20)
	if b, err := readBody(bytes.NewReader(big), int64(len(big)), &p); err != nil || !bytes.Equal(b, big) {
		t.Fatalf("a larger reply: %d bytes, %v", len(b), err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// A page a little longer than the one before it still fits the buffer
// that one handed back (the pages of an enumeration vary in length).
func TestRecycledBodyFitsALongerPage(t *testing.T) {
	var p bufPool
	first := bytes.Repeat([]byte("a"), 580<<10)
	got, err := readBody(bytes.NewReader(first), int64(len(first)), &p)
	if err != nil {
		t.Fatal(err)
	}
	p.put(got)
	longer := bytes.Repeat([]byte("b"), 600<<10)
	again, err := readBody(bytes.NewReader(longer), int64(len(longer)), &p)
	if err != nil || !bytes.Equal(again, longer) {
		t.Fatalf("read %d bytes, %v", len(again), err)
	}
	if &again[0] != &got[0] {
		t.Error("a page 3% longer than the buffer handed back got a new one")
	}
}

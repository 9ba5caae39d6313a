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
	for _, tc := range []struct {
		name string
		cl   int64
	}{
		{"unknown", -1}, {"exact", int64(len(body))}, {"short", 100}, {"beyond presizing", maxPresize + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readBody(bytes.NewReader(body), tc.cl)
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("read %d bytes of %d, %v", len(got), len(body), err)
			}
		})
	}
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := readBody(bytes.NewReader(body), int64(len(body))); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 3 {
		t.Errorf("%v allocations to read a body of known length", allocs)
	}
	if _, err := readBody(io.MultiReader(bytes.NewReader(body[:10]), errReader{}), int64(len(body))); err == nil {
		t.Error("a failed read reported no error")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

package wsman

import (
	"bytes"
	"encoding/xml"
	"io"
	"testing"
)

// BenchmarkTokenizeOnly is the floor: encoding/xml's Token loop over the
// same PullResponse, with no decoding.
func BenchmarkTokenizeOnly(b *testing.B) {
	body := pullResponse(1000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		d := xml.NewDecoder(bytes.NewReader(body))
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkPrescan is the look past a page's items for its context and
// EndOfSequence, done for every page before its decoding.
func BenchmarkPrescan(b *testing.B) {
	body := pullResponse(200)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, ok := prescan(body); !ok {
			b.Fatal("prescan failed")
		}
	}
}

package wsman

import (
	"bytes"
	"strings"
	"testing"

	xml "github.com/cimsh/cimsh/cim/wsman/xmltok"
)

// Enumeration replies are read by decoders kept from one reply to the
// next (pageDecoders): nothing decoded may refer to a decoder's buffers
// (its unescaped text and attribute values), as nothing may refer to the
// reply. Each reply below is decoded, its buffer overwritten as the
// transport reads the next reply into it, and the next reply decoded by
// the same decoder; the first reply's instances must read as they did.
func TestReusedDecoderLeavesResultsAlone(t *testing.T) {
	render := func(b *batch) string {
		var s strings.Builder
		dumpItems(&s, b.items)
		return s.String()
	}
	replies := leafReplies()
	var d *xml.Decoder
	var prev *batch
	var prevAt, checked int
	var prevDump string
	for i, body := range replies {
		body = bytes.Clone(body)
		var se xml.StartElement
		var ok bool
		var err error
		d, se, ok, err = openBodyWith(d, body)
		if err != nil || !ok || !strings.HasSuffix(se.Name.Local, "Response") {
			d = nil // a reply that is no enumeration page: a new decoder next
			continue
		}
		idec := &itemDecoder{namespace: "root/cimv2", fragClass: "C", schema: cachedLeafSchema()}
		b, err := decodeEnumResponse(d, idec)
		if err != nil {
			d = nil // as decodeWith drops it
			continue
		}
		if prev != nil {
			if got := render(prev); got != prevDump {
				t.Errorf("reply %d changed after the decoder read reply %d:\n%s\nwas:\n%s", prevAt, i, got, prevDump)
			}
			checked++
		}
		prev, prevAt, prevDump = b, i, render(b)
		for j := range body {
			body[j] = '#'
		}
	}
	if checked < 10 {
		t.Fatalf("%d replies checked after the next", checked)
	}
}

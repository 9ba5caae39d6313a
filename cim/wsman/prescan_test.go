package wsman

import (
	"os"
	"path/filepath"
	"testing"

	xml "github.com/cimsh/cimsh/cim/wsman/xmltok"
	"github.com/cimsh/cimsh/internal/testenv"
)

// prescanDiff pre-scans body and decodes it: where both read it, they
// must agree on the context, EndOfSequence and whether items came. The
// intended difference: in a reply with two Items elements, the pre-scan
// looks from the end back to the last one, and misses what lies between
// them (no server sends two).
func prescanDiff(t *testing.T, body []byte) {
	t.Helper()
	if itemsElements(body) > 1 {
		return
	}
	p, ok := prescan(body)
	d, se, open, err := OpenBody(body)
	if !ok || err != nil || !open || se.Name.Space != NsEnumeration {
		return
	}
	b, err := decodeEnumResponse(d, &itemDecoder{namespace: "root/cimv2"})
	if err != nil {
		return
	}
	if p.context != b.context || p.hasContext != b.hasContext || p.endOfSeq != b.endOfSeq || p.items != (b.count > 0) {
		t.Fatalf("pre-scan %+v; decoding: context %q %v, EndOfSequence %v, %d items\n%.300q", p, b.context, b.hasContext, b.endOfSeq, b.count, body)
	}
}

func prescanSeeds() [][]byte {
	out := [][]byte{pullResponse(3), pullResponse(0), enumReply(false, "uuid:x", true, "a", "b"), enumReply(true, "uuid:y", false, "a"), enumReply(true, "-", true)}
	return append(out, leafReplies()...)
}

func TestPrescanAgreesWithDecoding(t *testing.T) {
	for _, body := range prescanSeeds() {
		prescanDiff(t, body)
	}
	files, _ := filepath.Glob(filepath.Join(testenv.Fixtures(t), "*.xml"))
	for _, name := range files {
		body, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		prescanDiff(t, body)
	}
}

func FuzzPrescanAgreesWithDecoding(f *testing.F) {
	addFixtureSeeds(f, func(b []byte) { f.Add(b) })
	for _, b := range prescanSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) { prescanDiff(t, body) })
}

// itemsElements counts the elements named Items four deep (in a reply's
// response element).
func itemsElements(body []byte) int {
	d := NewDecoder(body)
	n := 0
	for {
		k, err := d.Next()
		if err != nil || k == xml.EOF {
			return n
		}
		if k == xml.StartTag && d.Depth() == 4 && string(d.Local()) == "Items" {
			n++
		}
	}
}

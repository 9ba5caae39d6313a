package xmltok

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
)

// Attribute lists read again from the bytes of one read before give the
// same attributes as encoding/xml reads, as views of their own element
// (not of the first), namespaces resolved where they are; lists with
// references, and lists that differ in a byte, are read afresh.
func TestRepeatedAttributeListsReadAlike(t *testing.T) {
	list := ` x="1" p:y="v>w" z='é'/>`
	doc := `<r xmlns:p="urn:one">` +
		`<a` + list + `<a` + list + // the same list, twice
		`<b q="1&amp;2"/><b q="1&amp;2"/>` + // unescaped: not remembered
		`<c xmlns:p="urn:two"><a` + list + `</c>` + // the same bytes, p bound elsewhere
		`<a x="1"  p:y="v>w" z='é'/>` + // one byte more
		`<a` + list + `</r>`
	d := NewDecoder([]byte(doc))
	ref := xml.NewDecoder(strings.NewReader(doc))
	for {
		k, err := d.Next()
		if err != nil {
			t.Fatal(err)
		}
		tok, rerr := ref.Token()
		if k == EOF {
			if rerr != io.EOF {
				t.Fatalf("encoding/xml goes on: %v %v", tok, rerr)
			}
			break
		}
		if k != StartTag {
			continue
		}
		for {
			if _, ok := tok.(xml.StartElement); ok || rerr != nil {
				break
			}
			tok, rerr = ref.Token()
		}
		se := tok.(xml.StartElement)
		var got, want []string
		for _, a := range d.Attrs() {
			got = append(got, fmt.Sprintf("{%s}%s=%q", a.Space, a.Local, a.Value))
			if off := int(d.offset(a.Local)); off < int(d.qEnd) || off >= d.pos {
				t.Errorf("<%s> at %d: the name %q is a view of byte %d, outside its tag", se.Name.Local, d.pos, a.Local, off)
			}
		}
		for _, a := range se.Attr {
			space := a.Name.Space
			if space == "xmlns" || a.Name.Local == "xmlns" && space == "" {
				space = "xmlns"
			}
			want = append(want, fmt.Sprintf("{%s}%s=%q", space, a.Name.Local, a.Value))
		}
		if g, w := strings.Join(got, " "), strings.Join(want, " "); g != w {
			t.Errorf("<%s> at %d: attributes %s, encoding/xml reads %s", se.Name.Local, d.pos, g, w)
		}
	}
	// The three repeats of list after the first were replayed; the
	// escaped list and the one with a byte more were not.
	if d.replayed != 3 {
		t.Errorf("%d lists replayed, want 3", d.replayed)
	}
}

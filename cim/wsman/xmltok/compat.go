package xmltok

import (
	"io"
	"unsafe"
)

// Tokens shaped like encoding/xml's, for code written against it: the
// same type names and fields, read through Decoder.Token.
//
// Their strings share the document's memory where they can (names
// always, attribute values without references): they stay valid while
// the document is unchanged. Clone what is kept beyond the document's
// life, or it keeps the whole document alive.

// Name is a resolved name.
type Name struct {
	Space, Local string
}

// Attr is an attribute.
type Attr struct {
	Name  Name
	Value string
}

// StartElement is an element's start tag.
type StartElement struct {
	Name Name
	Attr []Attr
}

// EndElement is an element's end tag.
type EndElement struct {
	Name Name
}

// CharData is character data, valid until the next call to Token or Next.
type CharData []byte

// Token is a StartElement, an EndElement or a CharData.
type Token any

// view returns a string sharing b's memory.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// inDoc reports whether b lies in the document (rather than in scratch
// space).
func (d *Decoder) inDoc(b []byte) bool {
	if len(b) == 0 || len(d.b) == 0 {
		return true
	}
	p := uintptr(unsafe.Pointer(&b[0]))
	start := uintptr(unsafe.Pointer(&d.b[0]))
	return p >= start && p < start+uintptr(len(d.b))
}

// Start returns the current start element in encoding/xml's shape.
func (d *Decoder) Start() StartElement {
	se := StartElement{Name: Name{Space: d.uris[d.space], Local: view(d.Local())}}
	if len(d.attrs) > 0 {
		// From a pool carved in chunks: one allocation for many
		// elements' attributes.
		if cap(d.attrPool)-len(d.attrPool) < len(d.attrs) {
			d.attrPool = make([]Attr, 0, max(64, len(d.attrs)))
		}
		n := len(d.attrPool)
		d.attrPool = d.attrPool[:n+len(d.attrs)]
		se.Attr = d.attrPool[n : n+len(d.attrs) : n+len(d.attrs)]
		for i := range d.attrs {
			a := &d.attrs[i]
			var v string
			if d.inDoc(a.Value) {
				v = view(a.Value)
			} else {
				v = string(a.Value) // unescaped into scratch space, which is reused
			}
			se.Attr[i] = Attr{Name: Name{Space: a.Space, Local: view(a.Local)}, Value: v}
		}
	}
	return se
}

// End returns the current end element in encoding/xml's shape.
func (d *Decoder) End() EndElement {
	return EndElement{Name: Name{Space: d.uris[d.space], Local: view(d.Local())}}
}

// Token returns the next token in encoding/xml's shape, or io.EOF at the
// end of the document.
func (d *Decoder) Token() (Token, error) {
	k, err := d.Next()
	if err != nil {
		return nil, err
	}
	switch k {
	case StartTag:
		return d.Start(), nil
	case EndTag:
		return d.End(), nil
	case Text:
		return CharData(d.Text()), nil
	}
	return nil, io.EOF
}

// Skip reads to the end of the element whose start was just read.
func (d *Decoder) Skip() error {
	target := len(d.stack) - 1
	for {
		k, err := d.Next()
		if err != nil {
			return err
		}
		if k == EOF {
			return io.ErrUnexpectedEOF
		}
		if k == EndTag && len(d.stack) == target {
			return nil
		}
	}
}

// Abort makes every later call fail with err (a document that cannot be
// read at all, such as one in an unknown encoding).
func (d *Decoder) Abort(err error) {
	d.err = err
}

// Keep returns b's bytes as a string that does not share the document's
// memory and may be kept. Kept strings are carved from blocks rather
// than allocated one by one; StartBlock begins a new block, so that what
// is kept together (one instance's strings) is freed together.
func (d *Decoder) Keep(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(d.block)-len(d.block) < len(b) {
		d.block = make([]byte, 0, max(len(b), d.blockHint, 256))
	}
	start := len(d.block)
	d.block = append(d.block, b...)
	d.kept += len(b)
	return unsafe.String(&d.block[start], len(b))
}

// StartBlock makes the next kept string begin a new block of at least
// size bytes (the strings kept before stay valid).
func (d *Decoder) StartBlock(size int) {
	d.block = nil
	d.blockHint = size
	d.kept = 0
}

// KeptSince returns how many bytes have been kept since StartBlock (in
// its block and any that followed when it filled up).
func (d *Decoder) KeptSince() int { return d.kept }

// Intern returns b as a string shared by every equal one this decoder
// interns (namespace URIs, names, addresses that repeat in every item).
func (d *Decoder) Intern(b []byte) string { return d.internBytes(b) }

// Str returns b, a name, text or attribute value of the current token,
// as a string: a view when b lies in the document (valid while the
// document is), else a copy (unescaped text lives in scratch space that
// the next token reuses).
func (d *Decoder) Str(b []byte) string {
	if d.inDoc(b) {
		return view(b)
	}
	return string(b)
}

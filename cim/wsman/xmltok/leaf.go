package xmltok

import "encoding/binary"

// Leaf is a fast path for the element shape that makes up most of a
// reply: a property holding plain text, <p:Name>text</p:Name>, or empty
// with attributes, <p:Name xsi:nil="true"/>. Reading one takes a start
// tag, a text token and an end tag through Next, each dispatched and
// checked on its own; Leaf reads the three in one pass over the same
// bytes, with the same checks, and gives up (consuming nothing) on
// anything it does not read alike, which Next then reads as it always
// does. So a document reads the same whichever is called, error for
// error (a differential fuzz test holds that).

// Leaf reads, when it can, one whole element at the current position:
// white space (spaces, tabs and line feeds, which Next would give as a
// Text token), a start tag whose attributes declare no namespace, then
// either nothing more (<a/>), or character data holding no references,
// carriage returns, CDATA sections, comments or elements, and the
// element's end tag. It reports whether it did. Then the current token
// is the element's end tag (Space, Local and Prefix name it), Text
// returns its character data (a view of the document) and Attrs its
// attributes, until the next call. Otherwise nothing was consumed, and
// Next reads what is there; either way the attributes of the token
// before are gone (read them first).
func (d *Decoder) Leaf() bool {
	if d.err != nil || d.pendingEnd {
		return false
	}
	b := d.b
	from := d.pos
	i := from
	if i < len(b) && b[i] != '<' {
		for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t') {
			i++
		}
	}
	// '<' then a name: not '/', '!' or '?'.
	if i+1 >= len(b) || b[i] != '<' || !nameStart[b[i+1]] {
		return false
	}
	max := d.MaxDepth
	if max <= 0 {
		max = DefaultMaxDepth
	}
	if len(d.stack) >= max {
		return false
	}
	qs := i + 1
	prev := d.memoPrev
	var qe, ls int
	// The name that followed the previous one last time, as qname
	// finds it; else qname.
	if p := prev; p > 0 && d.memo[p-1].next > 0 {
		nx := d.memo[p-1].next
		m := &d.memo[nx-1]
		if e := qs + int(m.n); e < len(b) && nameClass[b[e]] == 0 && NameEqual(b[qs:e], d.memoBytes[m.off:m.off+m.n]) {
			qe, ls = e, qs+int(m.local)
			d.memoPrev = nx
		}
	}
	var err error
	if qe == 0 {
		d.pos = qs
		if qe, ls, err = d.qname(""); err != nil {
			return d.noLeaf(from, prev)
		}
	}
	i = qe // a byte follows the name
	empty := false
	d.attrs, d.attrSpans, d.scratchA = d.attrs[:0], d.attrSpans[:0], d.scratchA[:0]
	switch c := b[i]; {
	case c == '>':
		i++
	case c == '/':
		if i+1 >= len(b) || b[i+1] != '>' {
			return d.noLeaf(from, prev)
		}
		i += 2
		empty = true
	case isSpace(c):
		d.pos = i
		if empty, err = d.attributes(); err != nil || d.declares() {
			return d.noLeaf(from, prev)
		}
		i = d.pos
	default:
		return d.noLeaf(from, prev)
	}
	ts, te := i, i
	if !empty {
		// Character data, as charData reads it, up to the end tag.
		if te = PlainText(b, ts); te < 0 {
			return d.noLeaf(from, prev)
		}
		i = te
		// The end tag: exactly this element's name, then '>'.
		n := qe - qs
		e := i + 2 + n
		if e >= len(b) || b[i+1] != '/' || b[e] != '>' || !NameEqual(b[i+2:e], b[qs:qe]) {
			return d.noLeaf(from, prev)
		}
		i = e + 1
	}
	// The prefix resolved last, unless the bindings changed since: as
	// resolveElement finds it, without the call.
	if lp := d.lastPrefix; ls > qs && d.lastPrefixIsValid && d.lastGen == d.nsGen && lp.end-lp.start == ls-1-qs && samePrefix(b, lp.start, qs, ls-1-qs) {
		d.space = d.lastURI
	} else {
		d.space = d.resolveElement(qs, ls, qe)
	}
	for k := range d.attrs {
		a := &d.attrs[k]
		a.Space = d.uris[d.resolveAttr(a.Prefix, a.Local)]
	}
	d.pos = i
	d.kind = EndTag
	d.qStart, d.localStart, d.qEnd = int32(qs), int32(ls), int32(qe)
	d.textStart, d.textEnd, d.textScratch = int32(ts), int32(te), false
	return true
}

// noLeaf gives up on a leaf: Next reads from where Leaf started, as if
// it had not been called (the name memo as it was, so that Next's
// reading of the same name finds it).
func (d *Decoder) noLeaf(from int, memoPrev int32) bool {
	d.pos = from
	if int(memoPrev) <= len(d.memo) { // else the memo started afresh
		d.memoPrev = memoPrev
	}
	d.attrs, d.attrSpans = d.attrs[:0], d.attrSpans[:0]
	return false
}

// declares reports whether the current start tag's attributes declare a
// namespace.
func (d *Decoder) declares() bool {
	for i := range d.attrs {
		a := &d.attrs[i]
		if string(a.Prefix) == "xmlns" || len(a.Prefix) == 0 && string(a.Local) == "xmlns" {
			return true
		}
	}
	return false
}

// samePrefix reports whether b holds the same n bytes at i and j (n is a
// prefix's length: short).
func samePrefix(b []byte, i, j, n int) bool {
	for k := 0; k < n; k++ {
		if b[i+k] != b[j+k] {
			return false
		}
	}
	return true
}

// NameEqual reports whether x and y hold the same bytes. Most names are
// 8 to 24 bytes long: compared as two or three words (overlapping),
// inline, they take fewer instructions than the runtime's comparison
// takes to start.
func NameEqual(x, y []byte) bool {
	n := len(x)
	if n != len(y) || n < 8 || n > 24 {
		return string(x) == string(y)
	}
	le := binary.LittleEndian
	return le.Uint64(x) == le.Uint64(y) && le.Uint64(x[n-8:]) == le.Uint64(y[n-8:]) &&
		(n <= 16 || le.Uint64(x[8:]) == le.Uint64(y[8:]))
}

package xmltok

import "bytes"

// maxTailTags bounds the tags SkipFromEnd walks back over.
const maxTailTags = 64

// SkipFromEnd skips, when it can, to just after the end tag of the last
// element of the document at the current one's depth bearing its name:
// the current element's own end when it is that element (a reply's one
// Items element). It finds that end tag by walking back from the end of
// the document over the tags after it, never reading the content between
// (a reply's items, looked past to the few elements after them, are most
// of the reply); what follows is then read forward, and checked, as ever.
// child reports whether the skipped content starts with an element.
//
// ok is false, the decoder unmoved, where the content does not start
// with an element or an end tag, or the tail holds what cannot be read
// backwards without doubt: a comment, CDATA section or processing
// instruction, a '>' in text, more than a few dozen tags. SkipContent
// skips forward then.
func (d *Decoder) SkipFromEnd() (child, ok bool) {
	if d.err != nil || d.pendingEnd || len(d.stack) == 0 {
		return false, false
	}
	b := d.b
	i := d.pos
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i+1 >= len(b) || b[i] != '<' || b[i+1] != '/' && !nameStart[b[i+1]] {
		return false, false
	}
	child = b[i+1] != '/'
	p, found := d.tailEnd()
	if !found {
		return false, false
	}
	f := &d.stack[len(d.stack)-1]
	e := p + 2 + int(f.qEnd-f.qStart)
	for e < len(b) && isSpace(b[e]) {
		e++
	}
	if e >= len(b) || b[e] != '>' {
		return false, false
	}
	d.pos = e + 1
	d.end()
	return child, true
}

// tailEnd walks back from the end of the document to the end tag of the
// current element (the top of the stack, whose qualified name it must
// bear) and returns where that tag starts.
func (d *Decoder) tailEnd() (int, bool) {
	b := d.b
	depth := len(d.stack)
	top := d.stack[depth-1].qname(b)
	e := len(b) - 1
	for e >= 0 && isSpace(b[e]) {
		e--
	}
	level := 0 // elements open at e, from the root down
	for tags := 0; tags < maxTailTags; tags++ {
		if e < d.pos || b[e] != '>' {
			return 0, false
		}
		s := bytes.LastIndexByte(b[:e], '<')
		if s < d.pos {
			return 0, false
		}
		end, empty, ok := tagShape(b[s : e+1])
		switch {
		case !ok:
			return 0, false
		case end:
			level++
			if level == depth {
				// An element at the current one's level: it, or one after it.
				if qnameAt(b, s+2, top) {
					// Every '<' in the tail begins a tag when none
					// begins a comment, CDATA or an instruction.
					tail := b[s:]
					if bytes.Contains(tail, []byte("<!")) || bytes.Contains(tail, []byte("<?")) {
						return 0, false
					}
					return s, true
				}
			}
		case empty:
			if level == depth-1 && qnameAt(b, s+1, top) {
				return 0, false // the last namesake has no end tag
			}
		default:
			level--
			if level < depth-1 {
				// Back out of the current element's parent: no end tag of
				// its own in the tail.
				return 0, false
			}
		}
		// The text before the tag, back to the previous one's '>': no
		// markup in it.
		p := bytes.LastIndexByte(b[:s], '>')
		if p < d.pos || bytes.IndexByte(b[p+1:s], '<') >= 0 {
			return 0, false
		}
		e = p
	}
	return 0, false
}

// qnameAt reports whether b holds name at i followed by white space,
// '/' or '>'.
func qnameAt(b []byte, i int, name []byte) bool {
	e := i + len(name)
	return e < len(b) && string(b[i:e]) == string(name) && (b[e] == '>' || b[e] == '/' || isSpace(b[e]))
}

// tagShape checks that t ('<' to '>') is one end tag or start tag, read
// forward: a name, then for a start tag attributes with quoted values
// (no '<' in them) and maybe '/'. ok is false for anything else (a
// comment, CDATA, a processing instruction, a '>' that is text).
func tagShape(t []byte) (end, empty, ok bool) {
	i := 1
	if i < len(t) && t[i] == '/' {
		end = true
		i++
	}
	n := i
	for i < len(t) && nameClass[t[i]] != 0 {
		i++
	}
	if i == n || !nameStart[t[n]] {
		return false, false, false
	}
	last := len(t) - 1 // the '>'
	if end {
		for i < last && isSpace(t[i]) {
			i++
		}
		return true, false, i == last
	}
	for {
		sp := i
		for i < last && isSpace(t[i]) {
			i++
		}
		switch {
		case i == last:
			return false, false, true
		case t[i] == '/':
			return false, true, i+1 == last
		case i == sp:
			return false, false, false // no space before an attribute
		}
		a := i
		for i < last && nameClass[t[i]] != 0 {
			i++
		}
		if i == a {
			return false, false, false
		}
		for i < last && isSpace(t[i]) {
			i++
		}
		if i >= last || t[i] != '=' {
			return false, false, false
		}
		i++
		for i < last && isSpace(t[i]) {
			i++
		}
		if i >= last || t[i] != '"' && t[i] != '\'' {
			return false, false, false
		}
		q := bytes.IndexByte(t[i+1:last], t[i])
		if q < 0 {
			return false, false, false
		}
		i += 1 + q + 1
	}
}

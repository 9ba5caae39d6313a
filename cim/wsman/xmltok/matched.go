package xmltok

// A caller that has read a stretch of a document token by token may read
// the next stretch holding the same markup (say, the next item of an
// enumeration) by comparing bytes: the markup is the same, so it is well
// formed, balanced and declares the same namespaces; only character data
// differs, and PlainText checks that as Leaf would. These are the two
// steps it needs from the decoder.

// Document returns the document being read (not to be changed).
func (d *Decoder) Document() []byte { return d.b }

// PlainText returns where the character data starting at offset i ends
// (the offset of the '<' after it) when it is text Leaf reads in one
// pass (Leaf reads it so): no references, carriage returns, "]]>", bytes that are not
// UTF-8 or characters XML forbids. Otherwise, or at the end of the
// document, it returns -1.
func PlainText(b []byte, i int) int {
	ts := i
	for {
		i = scanText(b, i)
		if i >= len(b) {
			return -1
		}
		switch c := b[i]; c {
		case '<':
			return i
		case '>':
			if i-2 >= ts && b[i-1] == ']' && b[i-2] == ']' {
				return -1
			}
			i++
		case '&', '\r':
			return -1
		default: // from 0x80 up
			n, err := checkRune(b, i)
			if err != nil {
				return -1
			}
			i += n
		}
	}
}

// SkipMatched moves the reading position to offset to, past content the
// caller matched byte for byte (PlainText for the text in it) against
// content this decoder read from the same depth of the same document:
// elements that all end before to. Nothing is checked; Next then reads
// on from to.
func (d *Decoder) SkipMatched(to int) {
	d.pos = to
	d.pendingEnd = false
	d.attrs, d.attrSpans = d.attrs[:0], d.attrSpans[:0]
}

package xmltok

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// SkipContent skips the rest of the element whose start tag was just
// read, its end tag included, by looking at tags only: no names are
// resolved and little is checked (a reply's items, looked past to what
// follows them, are decoded and checked later). It fails on a document
// that ends first.
func (d *Decoder) SkipContent() error {
	if d.err != nil {
		return d.err
	}
	if d.pendingEnd {
		d.pendingEnd = false
		d.end()
		return nil
	}
	b := d.b
	i := d.pos
	depth := 1
	for depth > 0 {
		k := indexLT(b, i)
		if k < 0 || k+1 >= len(b) {
			d.pos = len(b)
			_, err := d.fail("unexpected EOF")
			return err
		}
		i = k + 1
		switch b[i] {
		case '/':
			depth--
			gt := tagEnd(b, i)
			if gt < 0 {
				d.pos = len(b)
				_, err := d.fail("unexpected EOF")
				return err
			}
			i = gt + 1
		case '!':
			end := "-->"
			if bytes.HasPrefix(b[i:], []byte("![CDATA[")) {
				end = "]]>"
			}
			e := bytes.Index(b[i:], []byte(end))
			if e < 0 {
				d.pos = len(b)
				_, err := d.fail("unexpected EOF")
				return err
			}
			i += e + len(end)
		case '?':
			e := bytes.Index(b[i:], []byte("?>"))
			if e < 0 {
				d.pos = len(b)
				_, err := d.fail("unexpected EOF")
				return err
			}
			i += e + 2
		default:
			// A start tag: its end is the first '>' outside quotes.
			gt := tagEnd(b, i)
			if gt < 0 {
				d.pos = len(b)
				_, err := d.fail("unexpected EOF")
				return err
			}
			if b[gt-1] != '/' {
				depth++
			}
			i = gt + 1
		}
	}
	d.pos = i
	// The skipped element's end: its frame goes, as after an end tag.
	d.end()
	return nil
}

// The runs SkipContent looks past are short (a value between two tags,
// a tag's name): eight bytes at a time inline beats a call to
// bytes.IndexByte each.

// indexLT returns the offset of the first '<' from b[i] on, or -1.
func indexLT(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if m := zeroBytes(binary.LittleEndian.Uint64(b[i:]) ^ ('<' * lsb)); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b); i++ {
		if b[i] == '<' {
			return i
		}
	}
	return -1
}

// tagStops has the high bit set in the lowest byte of x that is '>' or
// a quote (and maybe in bytes above it, never below).
func tagStops(x uint64) uint64 {
	return zeroBytes(x^('>'*lsb)) | zeroBytes(x^('"'*lsb)) | zeroBytes(x^('\''*lsb))
}

// tagEnd returns the offset of the '>' that ends the tag whose content
// starts at b[i] (the first outside quotes), or -1.
func tagEnd(b []byte, i int) int {
	for {
		for i+8 <= len(b) {
			m := tagStops(binary.LittleEndian.Uint64(b[i:]))
			if m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		for i < len(b) && b[i] != '>' && b[i] != '"' && b[i] != '\'' {
			i++
		}
		if i >= len(b) {
			return -1
		}
		if b[i] == '>' {
			return i
		}
		// Past the quoted value, then on.
		e := bytes.IndexByte(b[i+1:], b[i])
		if e < 0 {
			return -1
		}
		i += 1 + e + 1
	}
}

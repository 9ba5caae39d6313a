package xmltok

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// Byte classes. Bytes from 0x80 up (multi-byte characters) are name
// characters once checked to be UTF-8 (non-ASCII name characters are not
// checked further), and stop the scans of character data and attribute
// values so that they are checked there.
var (
	nameStart [256]bool  // may begin a name
	nameClass [256]uint8 // nameByte, nameColon, nameMulti, or 0: not in a name
	textStop  [256]bool  // ends a plain run of character data
	attrStop  [256]bool  // ends a plain run of an attribute value
)

// Name byte classes: they AND to nameByte only when all are nameByte.
const (
	nameByte  = 1
	nameColon = 2
	nameMulti = 4
)

func init() {
	for c := 0; c < 256; c++ {
		b := byte(c)
		letter := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
		nameStart[c] = letter || b == '_' || b == ':' || b >= 0x80
		switch {
		case b == ':':
			nameClass[c] = nameColon
		case b >= 0x80:
			nameClass[c] = nameMulti
		case letter || b == '_' || '0' <= b && b <= '9' || b == '.' || b == '-':
			nameClass[c] = nameByte
		}
		textStop[c] = b >= 0x80
		attrStop[c] = b >= 0x80
	}
	for _, c := range []byte("<&\r>") {
		textStop[c] = true
	}
	for _, c := range []byte("<&\r\"'") {
		attrStop[c] = true
	}
}

// SWAR: eight bytes of character data at a time.
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// zeroBytes has the high bit set in the lowest zero byte of v (and
// maybe in bytes above it, never below).
func zeroBytes(v uint64) uint64 { return (v - lsb) &^ v & msb }

// textStops has the high bit set in the lowest byte of x that stops
// plain character data ('<', '>', '&', '\r', or from 0x80 up), and maybe
// in bytes above it, never below.
//
// Each v-lsb sets the high bit of a byte of v that is zero (zeroBytes),
// and of one from 0x81 up: as the constants are below 0x80, such a byte
// of v is one of x from 0x80 up, which stops anyway. So zeroBytes' &^ v,
// which keeps those out, is left out here (and in attrStops).
func textStops(x uint64) uint64 {
	return ((((x | 0x02*lsb) ^ '>'*lsb) - lsb) | // '<' and '>' differ in bit 1 only
		((x ^ '&'*lsb) - lsb) |
		((x ^ '\r'*lsb) - lsb) |
		x) & msb
}

// scanText returns the offset of the first byte from i on that stops
// plain character data, or len(b).
func scanText(b []byte, i int) int {
	for i+8 <= len(b) {
		if m := textStops(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(b) && !textStop[b[i]] {
		i++
	}
	return i
}

// attrStops has the high bit set in the lowest byte of x that stops a
// plain run of an attribute value ('<', '&', '\r', a quote, or from 0x80
// up), and maybe in bytes above it, never below.
func attrStops(x uint64) uint64 {
	return (((x ^ '<'*lsb) - lsb) |
		(((x | 0x04*lsb) ^ '&'*lsb) - lsb) | // '"' and '&' differ in bit 2 only
		((x ^ '\''*lsb) - lsb) |
		((x ^ '\r'*lsb) - lsb) |
		x) & msb
}

// scanAttr returns the offset of the first byte from i on that stops a
// plain run of an attribute value, or len(b).
func scanAttr(b []byte, i int) int {
	for i+8 <= len(b) {
		if m := attrStops(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(b) && !attrStop[b[i]] {
		i++
	}
	return i
}

// charData reads character data up to the next '<' or the end.
func (d *Decoder) charData() (Kind, error) {
	b := d.b
	start := d.pos
	i := start
	var out []byte // nil while the text is a plain view of b
	copied := start
	for {
		i = scanText(b, i)
		if i >= len(b) {
			break
		}
		c := b[i]
		if c == '<' {
			break
		}
		switch c {
		case '>':
			// "]]>" is only allowed to end a CDATA section.
			if i-2 >= copied && b[i-1] == ']' && b[i-2] == ']' {
				d.pos = i
				return d.fail("unescaped ]]> not in CDATA section")
			}
			i++
		case '\r':
			if out == nil {
				out = d.scratch[:0]
			}
			out = append(out, b[copied:i]...)
			out = append(out, '\n')
			i++
			if i < len(b) && b[i] == '\n' {
				i++
			}
			copied = i
		case '&':
			if out == nil {
				out = d.scratch[:0]
			}
			out = append(out, b[copied:i]...)
			var err error
			if out, i, err = d.reference(out, i); err != nil {
				d.err = err
				return EOF, err
			}
			copied = i
		default: // from 0x80 up
			n, err := checkRune(b, i)
			if err != nil {
				d.pos = i
				d.err = err
				return EOF, err
			}
			i += n
		}
	}
	d.pos = i
	d.kind = Text
	if out == nil {
		d.textStart, d.textEnd, d.textScratch = int32(start), int32(i), false
		return Text, nil
	}
	out = append(out, b[copied:i]...)
	d.scratch = out
	d.textStart, d.textEnd, d.textScratch = 0, int32(len(out)), true
	return Text, nil
}

// attrValue reads a quoted attribute value after its opening quote. A
// value without references or carriage returns is a view of the
// document; otherwise it is appended to scratchA and its span returned
// (end > 0).
func (d *Decoder) attrValue(quote byte) ([]byte, span, error) {
	b := d.b
	start := d.pos
	i := start
	var sp span
	unescaped := false
	copied := start
	for {
		if i >= len(b) {
			d.pos = i
			return nil, sp, &SyntaxError{Msg: "unexpected EOF", Offset: i}
		}
		i = scanAttr(b, i)
		if i >= len(b) {
			continue // the EOF above
		}
		c := b[i]
		switch c {
		case quote:
			d.pos = i + 1
			if !unescaped {
				return b[start:i:i], sp, nil
			}
			d.scratchA = append(d.scratchA, b[copied:i]...)
			sp.end = len(d.scratchA) // > sp.start: a reference or \r wrote something
			return nil, sp, nil
		case '"', '\'':
			i++
		case '<':
			d.pos = i
			return nil, sp, &SyntaxError{Msg: "unescaped < inside quoted string", Offset: i}
		case '\r':
			if !unescaped {
				unescaped, sp.start = true, len(d.scratchA)
			}
			d.scratchA = append(d.scratchA, b[copied:i]...)
			d.scratchA = append(d.scratchA, '\n')
			i++
			if i < len(b) && b[i] == '\n' {
				i++
			}
			copied = i
		case '&':
			if !unescaped {
				unescaped, sp.start = true, len(d.scratchA)
			}
			d.scratchA = append(d.scratchA, b[copied:i]...)
			var err error
			if d.scratchA, i, err = d.reference(d.scratchA, i); err != nil {
				return nil, sp, err
			}
			copied = i
		default: // from 0x80 up
			n, err := checkRune(b, i)
			if err != nil {
				d.pos = i
				return nil, sp, err
			}
			i += n
		}
	}
}

// reference decodes the reference at b[i] ('&') onto out and returns
// the offset after it.
func (d *Decoder) reference(out []byte, i int) ([]byte, int, error) {
	b := d.b
	j := i + 1
	if j < len(b) && b[j] == '#' {
		j++
		base := uint32(10)
		if j < len(b) && b[j] == 'x' {
			base = 16
			j++
		}
		var n uint32
		digits := 0
		for j < len(b) {
			c := b[j]
			var v uint32
			switch {
			case '0' <= c && c <= '9':
				v = uint32(c - '0')
			case base == 16 && 'a' <= c && c <= 'f':
				v = uint32(c-'a') + 10
			case base == 16 && 'A' <= c && c <= 'F':
				v = uint32(c-'A') + 10
			default:
				goto digitsDone
			}
			if n <= utf8.MaxRune {
				n = n*base + v
			}
			digits++
			j++
		}
	digitsDone:
		if j >= len(b) {
			return out, j, &SyntaxError{Msg: "unexpected EOF", Offset: j}
		}
		if digits == 0 || b[j] != ';' || n > utf8.MaxRune {
			return out, j, &SyntaxError{Msg: "invalid character entity " + string(b[i:min(j+1, len(b))]), Offset: i}
		}
		r := rune(n)
		if 0xD800 <= r && r <= 0xDFFF {
			return out, j, &SyntaxError{Msg: "reference to a surrogate code point " + string(b[i:j+1]), Offset: i}
		}
		if r == 0xFFFE || r == 0xFFFF {
			return out, j, &SyntaxError{Msg: "illegal character code in " + string(b[i:j+1]), Offset: i}
		}
		// C0 controls are accepted (OMI writes them as references).
		return utf8.AppendRune(out, r), j + 1, nil
	}
	for _, e := range entities {
		if len(b)-j > len(e.name) && string(b[j:j+len(e.name)]) == e.name && b[j+len(e.name)] == ';' {
			return append(out, e.char), j + len(e.name) + 1, nil
		}
	}
	k := j
	for k < len(b) && nameClass[b[k]] != 0 {
		k++
	}
	if k >= len(b) {
		return out, k, &SyntaxError{Msg: "unexpected EOF", Offset: k}
	}
	return out, k, &SyntaxError{Msg: "invalid character entity " + string(b[i:min(k+1, len(b))]), Offset: i}
}

var entities = [...]struct {
	name string
	char byte
}{{"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"apos", '\''}, {"quot", '"'}}

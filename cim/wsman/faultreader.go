package wsman

import (
	"bufio"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// faultReader bounds a fault's XML as it streams to the XML decoder, so
// that a fault is never held whole however large the server makes it:
// the text between two tags (CDATA included) keeps at most runLimit
// bytes, and the document at most textBudget; the bytes beyond are
// replaced by a cut mark counting them (cappedText turns it back into
// "...(N bytes cut)"). Comments are dropped. Names, processing
// instructions, attributes, nesting and elements are bounded too, and a
// DTD refused: past a bound the reader fails with errFaultTooLarge.
// Like NewDecoder, it turns control characters XML cannot carry (raw, or
// as OMI's &#N; references) into the private-use stand-ins that
// restoreControls undoes. Its input is UTF-8 (utf8Reader).
type faultReader struct {
	src *bufio.Reader
	out []byte // produced, not yet read
	err error  // the input's end or failure, returned once out is drained

	scratch  [32]byte
	run      int   // text bytes kept in the current run
	cut      int64 // text bytes dropped in the current run, not yet marked
	kept     int   // text bytes kept in the document
	depth    int
	elements int
}

// The bounds of faultReader. A real fault has a few dozen elements and
// texts under a kilobyte.
const (
	faultRunLimit   = MaxServerText
	faultTextBudget = 256 << 10
	faultMaxName    = 1 << 10
	faultMaxPI      = 1 << 10
	faultMaxAttrs   = 64
	faultMaxDepth   = 64
	faultMaxElems   = 10000
)

var errFaultTooLarge = errors.New("wsman: fault too large or too deeply nested to read")

func newFaultReader(r io.Reader) *faultReader {
	return &faultReader{src: bufio.NewReaderSize(r, 32<<10)}
}

func (f *faultReader) Read(p []byte) (int, error) {
	for len(f.out) == 0 {
		if f.err != nil {
			return 0, f.err
		}
		if err := f.step(); err != nil {
			f.err = err
		}
	}
	n := copy(p, f.out)
	f.out = f.out[n:]
	if len(f.out) == 0 {
		f.out = f.out[:0:0]
	}
	return n, nil
}

// step produces the next piece of output: a run of text, or one piece
// of markup.
func (f *faultReader) step() error {
	c, err := f.src.ReadByte()
	if err != nil {
		f.mark()
		return err
	}
	if c != '<' {
		return f.text(c)
	}
	next, err := f.src.Peek(1)
	if err != nil {
		return unexpectedEOF(err)
	}
	switch next[0] {
	case '/':
		f.mark()
		f.depth--
		return f.copyUntil("</", ">", faultMaxName)
	case '?':
		f.mark()
		return f.copyUntil("<", "?>", faultMaxPI)
	case '!':
		return f.bang()
	}
	f.mark()
	return f.startTag()
}

// text copies character data from c up to the next '<', within the
// run's budget, counting what it drops.
func (f *faultReader) text(c byte) error {
	for {
		if err := f.textUnit(c, false); err != nil {
			return err
		}
		if f.budget() == 0 {
			// Over budget: count up to the next markup without copying.
			n, err := f.skipTo('<')
			f.cut += n
			if err != nil {
				f.mark()
				return err
			}
			return nil
		}
		b, err := f.src.Peek(1)
		if err != nil || b[0] == '<' {
			return nil
		}
		c, _ = f.src.ReadByte()
	}
}

// budget is what the current run may still keep.
func (f *faultReader) budget() int {
	return max(0, min(faultRunLimit-f.run, faultTextBudget-f.kept))
}

// textUnit copies one unit of text starting with c: a whole UTF-8
// sequence, a whole reference, or a byte, as a stand-in when it is a
// control character XML forbids; cdata copies references as text.
// Past the budget, the unit is counted as cut instead.
func (f *faultReader) textUnit(c byte, cdata bool) error {
	unit := append(f.scratch[:0], c)
	switch {
	case c >= utf8.RuneSelf:
		if n := utf8SeqLen(c); n > 1 {
			rest, err := f.src.Peek(n - 1)
			if err != nil {
				return unexpectedEOF(err)
			}
			unit = append(unit, rest...)
			f.src.Discard(n - 1)
		}
	case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
		unit = utf8.AppendRune(f.scratch[:0], ctrlBase+rune(c))
	case c == '&' && !cdata:
		peek, _ := f.src.Peek(31)
		if i := indexByte(peek, ';'); i >= 0 {
			unit = append(unit, peek[:i+1]...)
			f.src.Discard(i + 1)
			if n, _, ok := parseCharRef(unit); ok && forbiddenChar(n) {
				unit = utf8.AppendRune(f.scratch[:0], ctrlBase+rune(n))
			}
		}
	}
	if len(unit) > f.budget() {
		// The run ends here: what follows is counted, not kept.
		f.cut += int64(len(unit))
		f.run = faultRunLimit
		return nil
	}
	f.out = append(f.out, unit...)
	f.run += len(unit)
	f.kept += len(unit)
	return nil
}

// skipTo consumes input up to (not including) delim, returning how many
// bytes it consumed.
func (f *faultReader) skipTo(delim byte) (int64, error) {
	var n int64
	for {
		b, err := f.src.Peek(max(1, f.src.Buffered()))
		if len(b) == 0 {
			return n, err
		}
		if i := indexByte(b, delim); i >= 0 {
			f.src.Discard(i)
			return n + int64(i), nil
		}
		f.src.Discard(len(b))
		n += int64(len(b))
	}
}

// mark ends the current run: the bytes it dropped become a cut mark.
func (f *faultReader) mark() {
	if f.cut > 0 {
		f.out = utf8.AppendRune(f.out, cutMark)
		f.out = strconv.AppendInt(f.out, f.cut, 10)
		f.out = utf8.AppendRune(f.out, cutMarkEnd)
		f.cut = 0
	}
	f.run = 0
}

// copyUntil copies markup that started with open (its '<' consumed)
// through the terminator, at most limit bytes.
func (f *faultReader) copyUntil(open, end string, limit int) error {
	f.out = append(f.out, '<')
	if len(open) > 1 {
		f.src.Discard(len(open) - 1)
		f.out = append(f.out, open[1:]...)
	}
	for n := 0; ; n++ {
		if n > limit {
			return errFaultTooLarge
		}
		c, err := f.src.ReadByte()
		if err != nil {
			return unexpectedEOF(err)
		}
		f.out = append(f.out, c)
		if c == end[len(end)-1] && hasSuffix(f.out, end) {
			return nil
		}
	}
}

// bang handles "<!": a comment (dropped), a CDATA section (text within
// the run's budget) or a DTD (refused).
func (f *faultReader) bang() error {
	p, _ := f.src.Peek(8)
	switch {
	case string(p[:min(3, len(p))]) == "!--":
		f.src.Discard(3)
		for {
			if _, err := f.skipTo('-'); err != nil {
				return unexpectedEOF(err)
			}
			if p, _ := f.src.Peek(3); string(p) == "-->" {
				f.src.Discard(3)
				return nil
			}
			f.src.Discard(1)
		}
	case string(p) == "![CDATA[":
		f.src.Discard(8)
		f.out = append(f.out, "<![CDATA["...)
		for {
			c, err := f.src.ReadByte()
			if err != nil {
				return unexpectedEOF(err)
			}
			if c == ']' {
				if p, _ := f.src.Peek(2); string(p) == "]>" {
					f.src.Discard(2)
					// The mark of what this section dropped goes inside
					// it; the run goes on after it.
					run := f.run
					f.mark()
					f.run = run
					f.out = append(f.out, "]]>"...)
					return nil
				}
			}
			if err := f.textUnit(c, true); err != nil {
				return err
			}
		}
	}
	return errors.New("wsman: a DTD or declaration in a fault is not read")
}

// startTag copies a start tag, bounding its name, attributes and values.
func (f *faultReader) startTag() error {
	f.elements++
	if f.elements > faultMaxElems {
		return errFaultTooLarge
	}
	f.out = append(f.out, '<')
	if err := f.name(); err != nil {
		return err
	}
	for attrs := 0; ; attrs++ {
		if err := f.space(); err != nil {
			return err
		}
		c, err := f.src.ReadByte()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch c {
		case '>':
			f.out = append(f.out, c)
			f.depth++
			if f.depth > faultMaxDepth {
				return errFaultTooLarge
			}
			return nil
		case '/':
			f.out = append(f.out, c)
			c, err = f.src.ReadByte()
			if err != nil {
				return unexpectedEOF(err)
			}
			f.out = append(f.out, c)
			return nil // '>' or malformed, for the decoder to say
		}
		if attrs >= faultMaxAttrs {
			return errFaultTooLarge
		}
		f.src.UnreadByte()
		if err := f.name(); err != nil {
			return err
		}
		if err := f.space(); err != nil {
			return err
		}
		if c, err = f.src.ReadByte(); err != nil {
			return unexpectedEOF(err)
		}
		f.out = append(f.out, c)
		if c != '=' {
			return nil // malformed: the decoder says so
		}
		if err := f.space(); err != nil {
			return err
		}
		if err := f.attrValue(); err != nil {
			return err
		}
	}
}

// name copies a name (up to white space, '=', '/' or '>').
func (f *faultReader) name() error {
	for n := 0; ; n++ {
		b, err := f.src.Peek(1)
		if err != nil {
			return unexpectedEOF(err)
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n', '=', '/', '>':
			return nil
		}
		if n >= faultMaxName {
			return errFaultTooLarge
		}
		f.out = append(f.out, b[0])
		f.src.Discard(1)
	}
}

func (f *faultReader) space() error {
	for {
		b, err := f.src.Peek(1)
		if err != nil {
			return unexpectedEOF(err)
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			f.out = append(f.out, b[0])
			f.src.Discard(1)
		default:
			return nil
		}
	}
}

// attrValue copies a quoted attribute value within the run's budget,
// marking what it drops inside the quotes.
func (f *faultReader) attrValue() error {
	q, err := f.src.ReadByte()
	if err != nil {
		return unexpectedEOF(err)
	}
	f.out = append(f.out, q)
	if q != '"' && q != '\'' {
		return nil // malformed: the decoder says so
	}
	f.run = 0
	for {
		if f.budget() == 0 {
			n, err := f.skipTo(q)
			f.cut += n
			if err != nil {
				return unexpectedEOF(err)
			}
		}
		c, err := f.src.ReadByte()
		if err != nil {
			return unexpectedEOF(err)
		}
		if c == q {
			f.mark()
			f.out = append(f.out, q)
			return nil
		}
		if c == '<' {
			f.out = append(f.out, c) // not allowed: the decoder says so
			continue
		}
		if err := f.textUnit(c, false); err != nil {
			return err
		}
	}
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func utf8SeqLen(c byte) int {
	switch {
	case c&0xE0 == 0xC0:
		return 2
	case c&0xF0 == 0xE0:
		return 3
	case c&0xF8 == 0xF0:
		return 4
	}
	return 1
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

func hasSuffix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[len(b)-len(s):]) == s
}

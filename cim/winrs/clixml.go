package winrs

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
)

// PowerShell writes its error stream (and warnings, verbose and debug
// messages) as CLIXML when stderr is not a console: a "#< CLIXML" line,
// then an <Objs> document with one <S S="Error"> element per line of
// each record, text escaped as XML and then with _xHHHH_ for control
// characters (CR LF is _x000D__x000A_), and progress records as <Obj
// S="progress">. The bytes arrive in arbitrary pieces: several stream
// elements per Receive, an element or even an escape split across
// Receives.

const clixmlHeader = "#< CLIXML"

// clixmlDecoder turns a CLIXML stderr stream into readable text as it
// arrives. Text that is not CLIXML passes through unchanged, and nothing
// is ever dropped: what cannot be decoded comes out as it came.
type clixmlDecoder struct {
	buf   []byte
	state int
}

const (
	cxStart  = iota // before the first bytes are known
	cxHeader        // expecting "#< CLIXML" (or plain text)
	cxObjs          // inside <Objs>
	cxPlain         // not CLIXML: pass through
)

// streamPrefixes are how PowerShell's console host labels the streams
// that are not errors.
var streamPrefixes = map[string]string{"warning": "WARNING: ", "verbose": "VERBOSE: ", "debug": "DEBUG: "}

// Write decodes p and returns the text now complete.
func (d *clixmlDecoder) Write(p []byte) []byte {
	d.buf = append(d.buf, p...)
	return d.decode(false)
}

// Close returns what is left: text of an unfinished document as it came.
func (d *clixmlDecoder) Close() []byte {
	return d.decode(true)
}

func (d *clixmlDecoder) decode(final bool) []byte {
	var out []byte
	for len(d.buf) > 0 {
		switch d.state {
		case cxStart, cxHeader:
			line, ok := d.headerLine(final)
			if !ok {
				if final {
					out, d.buf = append(out, d.buf...), nil
				}
				return out
			}
			if line < 0 {
				// Not CLIXML, or text after a document (PowerShell
				// starts another document with another header line).
				d.state = cxPlain
				continue
			}
			d.buf = d.buf[line:]
			d.state = cxObjs
		case cxPlain:
			out, d.buf = append(out, d.buf...), nil
		case cxObjs:
			text, n, end, err := nextObject(d.buf)
			if errors.Is(err, errIncomplete) {
				if final {
					out, d.buf = append(out, d.buf...), nil
				}
				return out
			}
			if err != nil {
				// Not CLIXML after all: keep every byte.
				out, d.buf = append(out, d.buf...), nil
				d.state = cxPlain
				return out
			}
			out = append(out, text...)
			d.buf = d.buf[n:]
			if end {
				d.state = cxHeader
			}
		}
	}
	return out
}

// headerLine reports whether buf starts with the header line, and how
// long the line is (-1: not a header); false when too little has come
// to tell.
func (d *clixmlDecoder) headerLine(final bool) (int, bool) {
	b := d.buf
	if d.state == cxHeader {
		// Between documents only white space may stand.
		i := 0
		for i < len(b) && (b[i] == '\r' || b[i] == '\n' || b[i] == ' ') {
			i++
		}
		if i == len(b) {
			d.buf = b[:0]
			return 0, false
		}
		b = b[i:]
		d.buf = b
	}
	n := min(len(b), len(clixmlHeader))
	if !bytes.Equal(b[:n], []byte(clixmlHeader)[:n]) {
		return -1, true
	}
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 {
		if final {
			return -1, true
		}
		return 0, false
	}
	if strings.TrimRight(string(b[:nl]), "\r ") != clixmlHeader {
		return -1, true
	}
	return nl + 1, true
}

var errIncomplete = errors.New("incomplete")

// nextObject reads one top-level item inside <Objs> from b: the <Objs>
// start tag itself (no text), a complete child element (the readable
// text of an <S> element, nothing for others), or the </Objs> end (end
// true). n is how many bytes it took.
func nextObject(b []byte) (text []byte, n int, end bool, err error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	depth := 0
	var stream string
	var inS bool
	var sb strings.Builder
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return nil, 0, false, errIncomplete
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) && strings.Contains(se.Msg, "unexpected EOF") {
				return nil, 0, false, errIncomplete
			}
			return nil, 0, false, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 && t.Name.Local == "Objs" {
				return nil, int(dec.InputOffset()), false, nil
			}
			if depth == 0 && t.Name.Local == "S" {
				inS = true
				for _, a := range t.Attr {
					if a.Name.Local == "S" {
						stream = strings.ToLower(a.Value)
					}
				}
			}
			depth++
		case xml.EndElement:
			if depth == 0 {
				if t.Name.Local != "Objs" {
					return nil, 0, false, errors.New("unexpected end tag")
				}
				return nil, int(dec.InputOffset()), true, nil
			}
			depth--
			if depth == 0 {
				var out string
				if inS {
					out = streamPrefixes[stream] + unescapeCLIXML(sb.String())
				}
				return []byte(out), int(dec.InputOffset()), false, nil
			}
		case xml.CharData:
			if inS && depth == 1 {
				sb.Write(t)
			}
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return nil, 0, false, errors.New("text outside an element")
			}
			if depth == 0 && dec.InputOffset() == int64(len(b)) {
				return nil, 0, false, errIncomplete
			}
		}
	}
}

// unescapeCLIXML decodes PowerShell's _xHHHH_ escapes (UTF-16 code
// units, a surrogate pair as two escapes; "_x005F_" is an underscore).
func unescapeCLIXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var units []uint16
	var b strings.Builder
	flush := func() {
		if len(units) > 0 {
			b.WriteString(string(utf16.Decode(units)))
			units = units[:0]
		}
	}
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' {
			if v, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				units = append(units, uint16(v))
				i += 7
				continue
			}
		}
		flush()
		b.WriteByte(s[i])
		i++
	}
	flush()
	return b.String()
}

package wsman

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Characters XML 1.0 cannot carry travel through the decoder as code
// points of this private-use block (U+10FF00 + the character) and are
// restored when text is read. OMI writes control characters as &#N;
// references, which encoding/xml rejects.
const ctrlBase = 0x10FF00

// NewDecoder returns a streaming decoder over a response body. It reads
// OMI's &#N; references to control characters (and raw control bytes)
// instead of failing on them; text read through this package's helpers
// gets the original characters back. UTF-16, US-ASCII, ISO-8859-1 and
// Windows-1252 bodies are read too (charset.go); a body in another
// encoding gives a *CharsetError from the first token.
func NewDecoder(body []byte) *xml.Decoder {
	utf8Body, err := toUTF8(body)
	var r io.Reader = bytes.NewReader(sanitizeControls(utf8Body))
	if err != nil {
		r = errReader{err}
	}
	d := xml.NewDecoder(r)
	d.Strict = true
	d.CharsetReader = charsetReader
	return d
}

// errReader fails every read with err.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// sanitizeControls rewrites references to, and raw bytes of, characters
// XML forbids into private-use code points. Bodies without either are
// returned unchanged (the common case costs two scans).
func sanitizeControls(body []byte) []byte {
	if !hasRawControl(body) && !bytes.Contains(body, []byte("&#")) {
		return body
	}
	out := make([]byte, 0, len(body)+16)
	for i := 0; i < len(body); {
		c := body[i]
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			out = utf8.AppendRune(out, ctrlBase+rune(c))
			i++
			continue
		}
		if c == '&' && i+2 < len(body) && body[i+1] == '#' {
			if n, width, ok := parseCharRef(body[i:]); ok && forbiddenChar(n) {
				out = utf8.AppendRune(out, ctrlBase+rune(n))
				i += width
				continue
			}
		}
		out = append(out, c)
		i++
	}
	return out
}

func hasRawControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return true
		}
	}
	return false
}

// parseCharRef parses "&#N;" or "&#xH;" at the start of b.
func parseCharRef(b []byte) (n int, width int, ok bool) {
	end := bytes.IndexByte(b[:min(len(b), 16)], ';')
	if end < 3 {
		return 0, 0, false
	}
	digits := string(b[2:end])
	base := 10
	if digits[0] == 'x' || digits[0] == 'X' {
		digits, base = digits[1:], 16
	}
	v, err := strconv.ParseUint(digits, base, 32)
	if err != nil {
		return 0, 0, false
	}
	return int(v), end + 1, true
}

// forbiddenChar reports whether XML 1.0 forbids code point n (below
// 0x20, other than tab, newline and carriage return).
func forbiddenChar(n int) bool {
	return n < 0x20 && n != '\t' && n != '\n' && n != '\r'
}

// restoreControls maps the private-use stand-ins back to the characters.
func restoreControls(s string) string {
	if strings.IndexByte(s, 0xF4) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= ctrlBase && r < ctrlBase+0x20 {
			b.WriteRune(r - ctrlBase)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// errUnexpectedEOF names a truncated document.
var errUnexpectedEOF = errors.New("wsman: unexpected end of XML")

// nextToken returns the next token, turning io.EOF inside an element
// into an error that says so.
func nextToken(d *xml.Decoder) (xml.Token, error) {
	t, err := d.Token()
	if err == io.EOF {
		return nil, errUnexpectedEOF
	}
	if err != nil {
		var ce *CharsetError
		if errors.As(err, &ce) || errors.Is(err, errFaultTooLarge) {
			return nil, err
		}
		return nil, fmt.Errorf("wsman: malformed XML: %w", err)
	}
	return t, nil
}

// readText returns the character data of the element just started,
// ignoring comments and the text of any nested elements, and consumes its
// end tag.
func readText(d *xml.Decoder) (string, error) {
	var buf []byte
	var first string
	n := 0
	depth := 0
	for {
		t, err := nextToken(d)
		if err != nil {
			return "", err
		}
		switch t := t.(type) {
		case xml.CharData:
			if depth == 0 {
				if n == 0 {
					first = string(t)
				} else {
					if n == 1 {
						buf = append(buf, first...)
					}
					buf = append(buf, t...)
				}
				n++
			}
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				switch n {
				case 0:
					return "", nil
				case 1:
					return restoreControls(first), nil
				}
				return restoreControls(string(buf)), nil
			}
			depth--
		}
	}
}

// readTrimmed is readText with surrounding white space removed (URIs,
// selector values, codes: pretty-printing servers indent them).
func readTrimmed(d *xml.Decoder) (string, error) {
	s, err := readText(d)
	return strings.TrimSpace(s), err
}

// attr returns the value of the attribute with the given namespace and
// local name ("" namespace matches unqualified attributes).
func attr(se xml.StartElement, space, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == local && a.Name.Space == space {
			return restoreControls(a.Value), true
		}
	}
	return "", false
}

// attrFold returns an unqualified attribute by case-insensitive name.
func attrFold(se xml.StartElement, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Space == "" && strings.EqualFold(a.Name.Local, local) {
			return restoreControls(a.Value), true
		}
	}
	return "", false
}

// isNil reports xsi:nil="true".
func isNil(se xml.StartElement) bool {
	v, ok := attr(se, NsXSI, "nil")
	return ok && (v == "true" || v == "1" || strings.EqualFold(v, "true"))
}

// findStart advances to the next start element at the current level and
// returns it; ok is false when the enclosing element ends first (its end
// tag consumed).
func findStart(d *xml.Decoder) (xml.StartElement, bool, error) {
	for {
		t, err := nextToken(d)
		if err != nil {
			return xml.StartElement{}, false, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			return t, true, nil
		case xml.EndElement:
			return xml.StartElement{}, false, nil
		}
	}
}

// skip consumes the rest of the element just started.
func skip(d *xml.Decoder) error {
	if err := d.Skip(); err != nil {
		if err == io.EOF {
			return errUnexpectedEOF
		}
		return fmt.Errorf("wsman: malformed XML: %w", err)
	}
	return nil
}

// is reports whether se is namespace:local.
func is(se xml.StartElement, space, local string) bool {
	return se.Name.Local == local && se.Name.Space == space
}

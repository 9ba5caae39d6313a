package wsman

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// The encodings a reply may come in. WS-Management servers send UTF-8
// (Windows sends UTF-16, with a byte order mark, when asked for it); an
// XML declaration may name a single-byte charset. Bodies are turned into
// UTF-8 before the XML decoder sees them, so that everything after
// (control-character stand-ins, tokenizers) deals with UTF-8 alone.
//
//	UTF-8         as is (a byte order mark dropped)
//	UTF-16 LE/BE  by its byte order mark, or without one by the "<?"
//	              it starts with (XML 1.0 appendix F)
//	US-ASCII      as is, refused if a byte is above 0x7F
//	ISO-8859-1    byte for byte (latin1, l1, iso_8859-1, cp819 too)
//	Windows-1252  by its table: 0x80-0x9F are € ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž
//	              ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ, not C1 controls
//
// Any other declared encoding is refused with a *CharsetError naming it.

// CharsetError is a reply in an encoding this package does not read, or
// not in the encoding it declares.
type CharsetError struct {
	Label  string // the encoding the XML declaration names
	Reason string // what is wrong, when the label itself is known
}

func (e *CharsetError) Error() string {
	if e.Reason != "" {
		return "wsman: the reply, declared " + quoteName(e.Label) + ", " + e.Reason
	}
	return "wsman: the reply's XML declaration names encoding " + quoteName(e.Label) +
		", which is not supported (UTF-8, UTF-16, US-ASCII, ISO-8859-1 and Windows-1252 are)"
}

// bodyEncoding is how a body's bytes become UTF-8.
type bodyEncoding struct {
	dec   encoding.Encoding // nil: the bytes are UTF-8 already
	skip  int               // bytes to drop first (a byte order mark)
	ascii string            // the label, when it says US-ASCII (bytes above 0x7F refused)
}

// detectEncoding reads the encoding from the start of a body: a byte
// order mark, UTF-16 without one, or the XML declaration's label.
func detectEncoding(prefix []byte) (bodyEncoding, error) {
	switch {
	case bytes.HasPrefix(prefix, []byte{0xEF, 0xBB, 0xBF}):
		return bodyEncoding{skip: 3}, nil
	case bytes.HasPrefix(prefix, []byte{0xFF, 0xFE}):
		return bodyEncoding{dec: unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), skip: 2}, nil
	case bytes.HasPrefix(prefix, []byte{0xFE, 0xFF}):
		return bodyEncoding{dec: unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), skip: 2}, nil
	case bytes.HasPrefix(prefix, []byte{'<', 0, '?', 0}):
		return bodyEncoding{dec: unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)}, nil
	case bytes.HasPrefix(prefix, []byte{0, '<', 0, '?'}):
		return bodyEncoding{dec: unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)}, nil
	}
	label, ok := declaredEncoding(prefix)
	if !ok {
		return bodyEncoding{}, nil
	}
	switch strings.ToLower(label) {
	case "utf-8", "utf8":
		return bodyEncoding{}, nil
	case "utf-16", "utf16", "utf-16le", "utf-16be", "ucs-2":
		// Declared UTF-16 yet ASCII-compatible (no byte order mark, no
		// zero bytes): the declaration is wrong, the bytes are UTF-8.
		return bodyEncoding{}, nil
	case "us-ascii", "ascii", "iso646-us", "ansi_x3.4-1968":
		return bodyEncoding{ascii: label}, nil
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819":
		return bodyEncoding{dec: charmap.ISO8859_1}, nil
	case "windows-1252", "cp1252", "x-cp1252":
		return bodyEncoding{dec: charmap.Windows1252}, nil
	}
	return bodyEncoding{}, &CharsetError{Label: label}
}

// declaredEncoding returns the encoding label of an XML declaration at
// the start of b.
func declaredEncoding(b []byte) (string, bool) {
	if !bytes.HasPrefix(b, []byte("<?xml")) {
		return "", false
	}
	end := bytes.Index(b, []byte("?>"))
	if end < 0 {
		return "", false
	}
	decl := string(b[5:end])
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return "", false
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	if !strings.HasPrefix(rest, "=") {
		return "", false
	}
	rest = strings.TrimLeft(rest[1:], " \t\r\n")
	if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
		return "", false
	}
	q := rest[0]
	j := strings.IndexByte(rest[1:], q)
	if j < 0 {
		return "", false
	}
	return strings.TrimSpace(rest[1 : 1+j]), true
}

// toUTF8 returns body in UTF-8: itself when it is UTF-8 already (the
// common case costs no copy), else transcoded, without its XML
// declaration (which would name the old encoding).
func toUTF8(body []byte) ([]byte, error) {
	enc, err := detectEncoding(body[:min(len(body), 1024)])
	if err != nil {
		return nil, err
	}
	body = body[enc.skip:]
	if enc.ascii != "" {
		if i := firstNonASCII(body); i >= 0 {
			return nil, &CharsetError{Label: enc.ascii, Reason: fmt.Sprintf("has byte 0x%02X at offset %d, which is not ASCII", body[i], i+enc.skip)}
		}
		return body, nil
	}
	if enc.dec == nil {
		return body, nil
	}
	out, _, err := transform.Bytes(enc.dec.NewDecoder(), body)
	if err != nil {
		return nil, fmt.Errorf("wsman: transcoding the reply: %w", err)
	}
	return dropDeclaration(out), nil
}

// utf8Reader is toUTF8 for a stream: it reads r in UTF-8 without holding
// it whole.
func utf8Reader(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 4096)
	prefix, _ := br.Peek(1024)
	enc, err := detectEncoding(prefix)
	if err != nil {
		return nil, err
	}
	if _, err := br.Discard(enc.skip); err != nil {
		return nil, err
	}
	switch {
	case enc.ascii != "":
		return &asciiReader{r: br, label: enc.ascii, off: int64(enc.skip)}, nil
	case enc.dec == nil:
		return br, nil
	}
	tr := bufio.NewReader(transform.NewReader(br, enc.dec.NewDecoder()))
	if p, _ := tr.Peek(5); string(p) == "<?xml" {
		if _, err := tr.ReadSlice('>'); err != nil {
			return nil, err
		}
	}
	return tr, nil
}

// dropDeclaration removes a leading XML declaration.
func dropDeclaration(b []byte) []byte {
	if bytes.HasPrefix(b, []byte("<?xml")) {
		if i := bytes.Index(b, []byte("?>")); i >= 0 {
			return b[i+2:]
		}
	}
	return b
}

func firstNonASCII(b []byte) int {
	for i, c := range b {
		if c >= 0x80 {
			return i
		}
	}
	return -1
}

// asciiReader refuses bytes above 0x7F in a body declared US-ASCII.
type asciiReader struct {
	r     io.Reader
	label string
	off   int64
}

func (a *asciiReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if i := firstNonASCII(p[:n]); i >= 0 {
		return i, &CharsetError{Label: a.label, Reason: fmt.Sprintf("has byte 0x%02X at offset %d, which is not ASCII", p[i], a.off+int64(i))}
	}
	a.off += int64(n)
	return n, err
}

// charsetReader is the XML decoder's hook for the declaration's label.
// Bodies reach the decoder in UTF-8 (toUTF8, utf8Reader), so the labels
// left to see are UTF-8's and, on a UTF-16 body read through its byte
// order mark, UTF-16's; the rest were transcoded or refused before.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "utf-16", "utf16", "utf-16le", "utf-16be", "ucs-2", "us-ascii", "ascii", "iso646-us", "ansi_x3.4-1968":
		return in, nil
	}
	return nil, &CharsetError{Label: label}
}

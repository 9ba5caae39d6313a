package wsman

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	xml "github.com/cimsh/cimsh/cim/wsman/xmltok"
)

// NewDecoder returns a decoder over a response body (cim/wsman/xmltok:
// allocation-free, namespace-aware). It reads OMI's &#N; references to
// control characters, and raw control characters, as the characters
// themselves. UTF-16, US-ASCII, ISO-8859-1 and Windows-1252 bodies are
// read too (charset.go); a body in another encoding gives a
// *CharsetError from the first token.
func NewDecoder(body []byte) *xml.Decoder {
	return resetDecoder(nil, body)
}

// resetDecoder is NewDecoder reusing d (nil: a new one), which keeps what
// it learned of the replies before: their names, namespaces and interned
// strings. Nothing decoded refers to a decoder's buffers, as nothing
// refers to the reply, so a decoder can read the next reply as soon as
// what it decoded is built.
func resetDecoder(d *xml.Decoder, body []byte) *xml.Decoder {
	utf8Body, err := toUTF8(body)
	if d == nil {
		d = xml.NewDecoder(utf8Body)
	} else {
		d.Reset(utf8Body)
	}
	if err != nil {
		d.Abort(err)
	}
	d.Encoding = acceptEncoding
	return d
}

// acceptEncoding is the decoders' Encoding: toUTF8 transcoded the body
// (dropping its declaration) or found it UTF-8 compatible as declared.
func acceptEncoding(label string) bool {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "utf-16", "utf16", "utf-16le", "utf-16be", "ucs-2",
		"us-ascii", "ascii", "iso646-us", "ansi_x3.4-1968":
		return true
	}
	return false
}

// pageDecoders are the decoders enumeration replies are read with, kept
// from one reply to the next: a new decoder learns every name of the
// envelope and the instance again (a tenth of the client's CPU in a
// process making small queries one after another).
var pageDecoders sync.Pool

// errUnexpectedEOF names a truncated document.
var errUnexpectedEOF = errors.New("wsman: unexpected end of XML")

// nextToken returns the next token, turning io.EOF inside an element
// into an error that says so.
func nextToken(d *xml.Decoder) (xml.Token, error) {
	t, err := d.Token()
	if err != nil {
		return nil, tokenError(err)
	}
	return t, nil
}

// tokenError is what a tokenizer's error means to a caller: the end of
// the document inside an element, a charset or size refusal as it is,
// anything else malformed XML.
func tokenError(err error) error {
	if err == io.EOF {
		return errUnexpectedEOF
	}
	var ce *CharsetError
	if errors.As(err, &ce) || errors.Is(err, errFaultTooLarge) {
		return err
	}
	return fmt.Errorf("wsman: malformed XML: %w", err)
}

// textRun gathers an element's character data. Most elements hold one
// text token, kept as a view of the reply (valid until the next token);
// only a second token makes a copy.
type textRun struct {
	first, joined []byte
	n             int
}

func (r *textRun) add(t []byte) {
	switch r.n {
	case 0:
		r.first = t
	case 1:
		r.joined = append(append(r.joined, r.first...), t...)
	default:
		r.joined = append(r.joined, t...)
	}
	r.n++
}

// hold copies a lone view, which the next token may overwrite.
func (r *textRun) hold() {
	if r.n == 1 {
		r.joined = append(r.joined, r.first...)
		r.n = 2
	}
}

// bytes is the text gathered.
func (r *textRun) bytes() []byte {
	if r.n > 1 {
		return r.joined
	}
	return r.first
}

// readText returns the character data of the element just started,
// ignoring comments and the text of any nested elements, and consumes its
// end tag.
func readText(d *xml.Decoder) (string, error) {
	b, err := readTextBytes(d)
	if err != nil {
		return "", err
	}
	return d.Keep(b), nil
}

// readTextBytes is readText's bytes, valid until the next token.
func readTextBytes(d *xml.Decoder) ([]byte, error) {
	var text textRun
	depth := 0
	for {
		k, err := nextKind(d)
		if err != nil {
			return nil, err
		}
		switch k {
		case xml.Text:
			if depth == 0 {
				text.add(d.Text())
			}
		case xml.StartTag:
			if depth == 0 {
				// The nested element's text may reuse the space the
				// text so far lies in.
				text.hold()
			}
			depth++
		case xml.EndTag:
			if depth == 0 {
				return text.bytes(), nil
			}
			depth--
		}
	}
}

// nextKind advances to the next token, turning the end of the document
// inside an element into an error that says so.
func nextKind(d *xml.Decoder) (xml.Kind, error) {
	k, err := d.Next()
	if err != nil {
		var ce *CharsetError
		if errors.As(err, &ce) {
			return xml.EOF, err
		}
		return xml.EOF, fmt.Errorf("wsman: malformed XML: %w", err)
	}
	if k == xml.EOF {
		return xml.EOF, errUnexpectedEOF
	}
	return k, nil
}

// readInterned is readTrimmed for text that repeats in every item (EPR
// addresses, resource URIs): one string for all of them.
func readInterned(d *xml.Decoder) (string, error) {
	b, err := readTextBytes(d)
	if err != nil {
		return "", err
	}
	return d.Intern(bytes.TrimSpace(b)), nil
}

// readTrimmed is readText with surrounding white space removed (URIs,
// selector values, codes: pretty-printing servers indent them).
func readTrimmed(d *xml.Decoder) (string, error) {
	s, err := readText(d)
	return strings.TrimSpace(s), err
}

// attr returns the value of the attribute with the given namespace and
// local name ("" namespace matches unqualified attributes), a copy that
// may be kept.
func attr(se xml.StartElement, space, local string) (string, bool) {
	v, ok := attrView(se, space, local)
	if !ok {
		return "", false
	}
	return strings.Clone(v), true
}

// attrView is attr sharing the reply's memory: for values looked at,
// not kept.
func attrView(se xml.StartElement, space, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == local && a.Name.Space == space {
			return a.Value, true
		}
	}
	return "", false
}

// attrFold returns an unqualified attribute by case-insensitive name.
func attrFold(se xml.StartElement, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Space == "" && strings.EqualFold(a.Name.Local, local) {
			return strings.Clone(a.Value), true
		}
	}
	return "", false
}

// isNil reports xsi:nil="true".
func isNil(se xml.StartElement) bool {
	v, ok := attrView(se, NsXSI, "nil")
	return ok && (v == "true" || v == "1" || strings.EqualFold(v, "true"))
}

// findStart advances to the next start element at the current level and
// returns it; ok is false when the enclosing element ends first (its end
// tag consumed).
func findStart(d *xml.Decoder) (xml.StartElement, bool, error) {
	for {
		k, err := nextKind(d)
		if err != nil {
			return xml.StartElement{}, false, err
		}
		switch k {
		case xml.StartTag:
			return d.Start(), true, nil
		case xml.EndTag:
			return xml.StartElement{}, false, nil
		}
	}
}

// skip consumes the rest of the element just started.
func skip(d *xml.Decoder) error {
	if err := d.Skip(); err != nil {
		if err == io.ErrUnexpectedEOF {
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

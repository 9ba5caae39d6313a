package cdxml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Limits on what a document may hold, so that a hostile file costs
// bounded time and memory.
const (
	maxFileSize = 32 << 20 // bytes
	maxDepth    = 64
	maxElements = 1 << 20
)

// elem is one element of a parsed document, with the line it starts on.
type elem struct {
	space, local string
	attrs        []xml.Attr
	children     []*elem
	text         strings.Builder // character data directly inside
	line         int
}

// attr returns an unqualified attribute's value.
func (e *elem) attr(name string) (string, bool) {
	for _, a := range e.attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// ParseError is a document that cannot be used: not XML, not CDXML, or
// against the schema. File and Line say where (Line 0 when the problem is
// the file as a whole).
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("cdxml: ")
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrAdapter is wrapped by the error for a document whose CmdletAdapter is
// not the default (CIM) one: its cmdlets run .NET code cimsh cannot run.
var ErrAdapter = errors.New("cdxml: only the default CIM cmdlet adapter is supported")

// AdapterError is a document that names a CmdletAdapter other than the
// CIM one.
type AdapterError struct {
	ParseError
	Adapter string
}

func (e *AdapterError) Unwrap() error { return ErrAdapter }

// toUTF8 returns data as UTF-8: a UTF-8 byte order mark is dropped and
// UTF-16 (either byte order, with its mark, as Windows' editors save) is
// converted. Other text is returned as is.
func toUTF8(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		big := data[0] == 0xFE
		data = data[2:]
		if len(data)%2 != 0 {
			return nil, errors.New("the file has a UTF-16 byte order mark but an odd number of bytes")
		}
		units := make([]uint16, len(data)/2)
		for i := range units {
			if big {
				units[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			} else {
				units[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
			}
		}
		return []byte(string(utf16.Decode(units))), nil
	}
	return data, nil
}

// parseTree reads an XML document into a tree of elements. Comments,
// processing instructions and directives are skipped; entities beyond
// XML's five are refused (the decoder is strict).
func parseTree(file string, data []byte) (*elem, error) {
	fail := func(line int, format string, args ...any) error {
		return &ParseError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if len(data) > maxFileSize {
		return nil, fail(0, "the file is larger than %d MB", maxFileSize>>20)
	}
	data, err := toUTF8(data)
	if err != nil {
		return nil, fail(0, "%v", err)
	}
	if !utf8.Valid(data) {
		return nil, fail(0, "the file is neither UTF-8 nor UTF-16 text")
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	// The text was converted to UTF-8 above, whatever the declaration says.
	d.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) {
		switch strings.ToLower(charset) {
		case "utf-8", "utf8", "utf-16", "utf-16le", "utf-16be", "unicode", "us-ascii", "ascii":
			return r, nil
		}
		return nil, fmt.Errorf("encoding %q is not supported (save the file as UTF-8 or UTF-16)", clip(charset))
	}
	line, lineAt := 1, 0 // line number of data[lineAt]
	lineOf := func(off int64) int {
		o := int(min(off, int64(len(data))))
		if o > lineAt {
			line += bytes.Count(data[lineAt:o], []byte{'\n'})
			lineAt = o
		}
		return line
	}
	var (
		root  *elem
		stack []*elem
		count int
	)
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, fail(se.Line, "not well-formed XML: %s", se.Msg)
			}
			return nil, fail(lineOf(d.InputOffset()), "not well-formed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			count++
			if count > maxElements {
				return nil, fail(lineOf(off), "more than %d elements", maxElements)
			}
			if len(stack) >= maxDepth {
				return nil, fail(lineOf(off), "elements nested deeper than %d", maxDepth)
			}
			e := &elem{space: t.Name.Space, local: t.Name.Local, attrs: t.Attr, line: lineOf(off)}
			if len(stack) == 0 {
				if root != nil {
					return nil, fail(e.line, "a second root element <%s>", clip(e.local))
				}
				root = e
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, e)
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, fail(lineOf(off), "text outside the root element")
			}
		}
	}
	if root == nil {
		return nil, fail(0, "the file holds no XML element")
	}
	return root, nil
}

// clip quotes at most 80 bytes of s, for messages.
func clip(s string) string {
	const n = 80
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

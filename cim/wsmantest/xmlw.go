package wsmantest

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// xw builds XML text. The server writes responses by hand, not through
// encoding/xml, because the exact prefixes, namespace declarations and
// line breaks are part of what each dialect's shape is.
type xw struct {
	bytes.Buffer
	// charRefs writes control characters as &#N; references (OMI does;
	// Go's own decoder rejects them) instead of '?' (Windows does).
	charRefs bool
}

// raw appends markup.
func (w *xw) raw(parts ...string) {
	for _, p := range parts {
		w.WriteString(p)
	}
}

// text appends escaped character data.
func (w *xw) text(s string) { w.escape(s, false) }

// attr appends ` name="value"` with the value escaped.
func (w *xw) attr(name, value string) {
	w.WriteByte(' ')
	w.WriteString(name)
	w.WriteString(`="`)
	w.escape(value, true)
	w.WriteByte('"')
}

// elem appends <name>text</name>.
func (w *xw) elem(name, text string) {
	w.WriteByte('<')
	w.WriteString(name)
	w.WriteByte('>')
	w.text(text)
	w.WriteString("</")
	w.WriteString(name)
	w.WriteByte('>')
}

func (w *xw) escape(s string, inAttr bool) {
	// Most text needs no escaping: copy the plain ASCII run at once.
	plain := 0
	for plain < len(s) {
		c := s[plain]
		if c < 0x20 || c >= 0x80 || c == '<' || c == '>' || c == '&' || c == '"' {
			break
		}
		plain++
	}
	w.WriteString(s[:plain])
	for i := plain; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '<':
			w.WriteString("&lt;")
		case r == '>':
			w.WriteString("&gt;")
		case r == '&':
			w.WriteString("&amp;")
		case r == '"' && inAttr:
			w.WriteString("&quot;")
		case r == '\n' && inAttr:
			w.WriteString("&#xA;")
		case r == '\r':
			w.WriteString("&#xD;")
		case r == '\t' && inAttr:
			w.WriteString("&#x9;")
		case r == utf8.RuneError && size == 1:
			w.WriteString("\uFFFD")
		case r < 0x20 && r != '\n' && r != '\t', r == 0xFFFE, r == 0xFFFF:
			if w.charRefs {
				w.WriteString("&#")
				w.WriteString(strconv.Itoa(int(r)))
				w.WriteByte(';')
			} else {
				w.WriteByte('?')
			}
		default:
			w.WriteRune(r)
		}
	}
}

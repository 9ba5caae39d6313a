package wsman

import (
	"strconv"
	"unicode/utf8"
)

// appendText appends s escaped for XML character data. Characters XML 1.0
// cannot carry (control characters other than tab, newline and carriage
// return) are written as &#N; references, as OMI does: nothing is dropped
// silently, and this package's decoder reads them back. A strict XML
// parser rejects them, so a server may answer with a fault rather than
// receive altered data. Invalid UTF-8 becomes U+FFFD.
func appendText(dst []byte, s string) []byte { return appendEscaped(dst, s, false) }

// appendAttr appends s escaped for a double-quoted attribute value.
func appendAttr(dst []byte, s string) []byte { return appendEscaped(dst, s, true) }

func appendEscaped(dst []byte, s string, attr bool) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
				dst = append(dst, s[last:i]...)
				dst = append(dst, "\uFFFD"...)
				i += n
				last = i
				continue
			}
			i += n
			continue
		}
		var esc string
		switch c {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case '"':
			if attr {
				esc = "&quot;"
			}
		case '\t', '\n', '\r':
			if attr {
				// Attribute value normalization would turn these into
				// spaces; references keep them.
				esc = "&#" + strconv.Itoa(int(c)) + ";"
			} else if c == '\r' {
				// A bare CR in text is normalized to LF by parsers.
				esc = "&#13;"
			}
		default:
			if c < 0x20 {
				esc = "&#" + strconv.Itoa(int(c)) + ";"
			}
		}
		if esc != "" {
			dst = append(dst, s[last:i]...)
			dst = append(dst, esc...)
			last = i + 1
		}
		i++
	}
	return append(dst, s[last:]...)
}

// appendElem appends <qname>text</qname> with text escaped.
func appendElem(dst []byte, qname, text string) []byte {
	dst = append(dst, '<')
	dst = append(dst, qname...)
	dst = append(dst, '>')
	dst = appendText(dst, text)
	dst = append(dst, "</"...)
	dst = append(dst, qname...)
	return append(dst, '>')
}

// appendAttrPair appends ` name="value"` with value escaped.
func appendAttrPair(dst []byte, name, value string) []byte {
	dst = append(dst, ' ')
	dst = append(dst, name...)
	dst = append(dst, `="`...)
	dst = appendAttr(dst, value)
	return append(dst, '"')
}

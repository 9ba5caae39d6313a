package wsman

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
)

// Faults are read as a stream (capped, never held whole: fault.go), so
// through encoding/xml rather than the response decoder (xmltok reads a
// reply held in memory); these are the helpers of decoder.go for its
// tokens.

// nextTokenStd returns the next token, turning io.EOF inside an element
// into an error that says so.
func nextTokenStd(d *xml.Decoder) (xml.Token, error) {
	t, err := d.Token()
	if err != nil {
		return nil, tokenError(err)
	}
	return t, nil
}

// isStd reports whether se is namespace:local.
func isStd(se xml.StartElement, space, local string) bool {
	return se.Name.Local == local && se.Name.Space == space
}

// attrFoldStd returns an unqualified attribute by case-insensitive name.
func attrFoldStd(se xml.StartElement, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Space == "" && strings.EqualFold(a.Name.Local, local) {
			return a.Value, true
		}
	}
	return "", false
}

// Characters XML 1.0 cannot carry travel through encoding/xml as code
// points of this private-use block (U+10FF00 + the character) and are
// restored when text is read (faultreader.go maps them). OMI writes
// control characters as &#N; references, which encoding/xml rejects.
const ctrlBase = 0x10FF00

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

// isNilStd reports xsi:nil="true".
func isNilStd(se xml.StartElement) bool {
	for _, a := range se.Attr {
		if a.Name.Local == "nil" && a.Name.Space == NsXSI {
			return a.Value == "true" || a.Value == "1" || strings.EqualFold(a.Value, "true")
		}
	}
	return false
}

// hasRawControl reports a raw control character XML forbids.
func hasRawControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return true
		}
	}
	return false
}

// attrStd returns the value of the attribute with the given namespace
// and local name, its control characters restored.
func attrStd(se xml.StartElement, space, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == local && a.Name.Space == space {
			return restoreControls(a.Value), true
		}
	}
	return "", false
}

package wsman

import (
	"unicode"
	"unicode/utf8"
)

// validName reports whether s can be written as an element's local name
// (an XML NCName). Every CIM class, property and parameter name is one;
// AppendInstance leaves out properties whose names are not.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || unicode.IsLetter(r):
		case i > 0 && (r == '-' || r == '.' || unicode.IsDigit(r)):
		case r == utf8.RuneError:
			return false
		default:
			return false
		}
	}
	return true
}

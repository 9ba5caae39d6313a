package model

import (
	"strconv"
	"unicode/utf8"
)

// MaxQuoted is how much of a user's or a server's text an error message
// quotes: enough to recognise it, never a 10 MB class name echoed back.
const MaxQuoted = 200

// Quote returns s quoted for an error message (Go syntax, as %q), cut to
// MaxQuoted bytes on a character boundary with the full length noted.
// Every error that quotes user or server input goes through it.
func Quote(s string) string {
	if len(s) <= MaxQuoted {
		return strconv.Quote(s)
	}
	cut := MaxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "... (" + strconv.Itoa(len(s)) + " bytes)"
}

// Clip returns s unquoted, cut as Quote cuts it: for text that an error
// shows as it is (a query, a server's message).
func Clip(s string) string {
	if len(s) <= MaxQuoted {
		return s
	}
	cut := MaxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "... (" + strconv.Itoa(len(s)) + " bytes)"
}

package luabind

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// Text from servers (property values, fault messages, computer and class
// names) is shown, never executed: a terminal acts on control characters,
// so a value holding ESC [2J would clear the user's screen, OSC 0 would
// retitle the window, a carriage return or a bidi override would forge
// what the user reads. Everything cimsh formats for display passes
// through EscapeControls; the data functions (to_json, to_csv, the
// export files) keep values exact, and the base print stays raw for the
// user's own text.

// EscapeControls returns s with every character a terminal would act on
// shown as an escape: C0 controls and DEL as \xNN (\r as \r), C1 controls
// (U+0080-U+009F) as \xNN, Unicode's bidirectional controls (U+061C,
// U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) as \uNNNN, and bytes that
// are not UTF-8 as \xNN. Newline and tab are kept where they lay text out
// (a list value, a message) and escaped as \n and \t on one line (a table
// cell, where they would break the columns): oneLine says which.
// A backslash is not escaped, so the result is the same when escaped
// again (text passes through several layers on its way out).
func EscapeControls(s string, oneLine bool) string {
	i := firstControl(s, oneLine)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			writeHex(&b, "\\x", uint32(s[i]), 2)
		case !isControl(r, oneLine):
			b.WriteString(s[i : i+n])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r <= 0xFF:
			writeHex(&b, "\\x", uint32(r), 2)
		default:
			writeHex(&b, "\\u", uint32(r), 4)
		}
		i += n
	}
	return b.String()
}

// firstControl returns the index of the first byte EscapeControls
// changes, or -1.
func firstControl(s string, oneLine bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if isControl(rune(c), oneLine) {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || isControl(r, oneLine) {
			return i
		}
		i += n
	}
	return -1
}

func isControl(r rune, oneLine bool) bool {
	switch {
	case r == '\n' || r == '\t':
		return oneLine
	case r < 0x20 || r >= 0x7F && r <= 0x9F:
		return true
	case r < 0x61C:
		return false
	}
	return unicode.Is(unicode.Bidi_Control, r)
}

func writeHex(b *strings.Builder, prefix string, v uint32, digits int) {
	h := strconv.FormatUint(uint64(v), 16)
	b.WriteString(prefix)
	b.WriteString(strings.Repeat("0", digits-len(h)))
	b.WriteString(h)
}

// luaEscapeControls is cim.escape_controls(text): what scripts print of
// a server's text passes through the same rule as cimsh's own output.
func luaEscapeControls(L *lua.LState) int {
	L.Push(lua.LString(EscapeControls(L.CheckString(1), false)))
	return 1
}

package luabind

import (
	"strings"
	"unicode"
)

// Terminal cell widths, so that tables with CJK text line up: Han,
// Hangul, Hiragana and Katakana take two cells, combining marks and
// control characters none (the same classes readline uses to place the
// cursor).

var (
	doubleWidth = []*unicode.RangeTable{unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana}
	zeroWidth   = []*unicode.RangeTable{unicode.Mn, unicode.Me, unicode.Cc, unicode.Cf}
)

func runeWidth(r rune) int {
	switch {
	case r < 0x300 && r >= 0x20 && r != 0x7f:
		return 1
	case unicode.IsOneOf(zeroWidth, r):
		return 0
	case unicode.IsOneOf(doubleWidth, r) || r >= 0xFF01 && r <= 0xFF60 || r >= 0xFFE0 && r <= 0xFFE6:
		return 2
	}
	return 1
}

// width is the number of terminal cells s takes.
func width(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

// truncate puts s on one line and cuts it to at most n cells, ending
// with "..." when it was cut.
func truncate(s string, n int) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r", " "), "\n", " ")
	if width(s) <= n {
		return s
	}
	if n < 4 {
		return cutWidth(s, max(n, 0))
	}
	return cutWidth(s, n-3) + "..."
}

// cutWidth returns the longest prefix of s that fits in n cells.
func cutWidth(s string, n int) string {
	w := 0
	for i, r := range s {
		if w+runeWidth(r) > n {
			return s[:i]
		}
		w += runeWidth(r)
	}
	return s
}

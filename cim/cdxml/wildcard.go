package cdxml

import (
	"strings"
	"unicode"
)

// PowerShell wildcard patterns (about_Wildcards): * any run of
// characters, ? one character, [abc] one of a set, [a-c] one of a range,
// and a backtick escaping the next character. Matching ignores case.

// wcItem is one element of a parsed pattern.
type wcItem struct {
	kind   byte      // '*', '?', '[' or 0 (a literal)
	lit    rune      // kind 0
	set    []rune    // kind '[': single members
	ranges [][2]rune // kind '[': lo-hi ranges
}

// parseWildcard splits a pattern into items. An unclosed [ is a literal.
func parseWildcard(p string) []wcItem {
	r := []rune(p)
	var out []wcItem
	for i := 0; i < len(r); i++ {
		switch c := r[i]; {
		case c == '`' && i+1 < len(r):
			i++
			out = append(out, wcItem{lit: r[i]})
		case c == '*':
			if len(out) == 0 || out[len(out)-1].kind != '*' {
				out = append(out, wcItem{kind: '*'})
			}
		case c == '?':
			out = append(out, wcItem{kind: '?'})
		case c == '[':
			end := -1
			for j := i + 1; j < len(r); j++ {
				if r[j] == '`' {
					j++
					continue
				}
				if r[j] == ']' && j > i+1 {
					end = j
					break
				}
			}
			if end < 0 {
				out = append(out, wcItem{lit: c})
				continue
			}
			it := wcItem{kind: '['}
			body := r[i+1 : end]
			for k := 0; k < len(body); k++ {
				m := body[k]
				if m == '`' && k+1 < len(body) {
					k++
					m = body[k]
				} else if k+2 < len(body) && body[k+1] == '-' {
					it.ranges = append(it.ranges, [2]rune{m, body[k+2]})
					k += 2
					continue
				}
				it.set = append(it.set, m)
			}
			out = append(out, it)
			i = end
		default:
			out = append(out, wcItem{lit: c})
		}
	}
	return out
}

// hasWildcard reports whether s holds an unescaped *, ? or [.
func hasWildcard(s string) bool {
	for _, it := range parseWildcard(s) {
		if it.kind != 0 {
			return true
		}
	}
	return false
}

func foldEq(a, b rune) bool {
	return a == b || unicode.ToLower(a) == unicode.ToLower(b) || unicode.ToUpper(a) == unicode.ToUpper(b)
}

func (it *wcItem) matches(c rune) bool {
	switch it.kind {
	case '?':
		return true
	case 0:
		return foldEq(it.lit, c)
	}
	for _, m := range it.set {
		if foldEq(m, c) {
			return true
		}
	}
	lc, uc := unicode.ToLower(c), unicode.ToUpper(c)
	for _, r := range it.ranges {
		for _, x := range []rune{c, lc, uc} {
			if x >= r[0] && x <= r[1] {
				return true
			}
		}
	}
	return false
}

// wildcardMatch reports whether s matches the pattern, ignoring case.
// Backtracking to the last * keeps it linear in practice.
func wildcardMatch(pattern, s string) bool {
	items := parseWildcard(pattern)
	str := []rune(s)
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(str) {
		switch {
		case pi < len(items) && items[pi].kind == '*':
			starP, starS = pi, si
			pi++
		case pi < len(items) && items[pi].matches(str[si]):
			pi++
			si++
		case starP >= 0:
			starS++
			si = starS
			pi = starP + 1
		default:
			return false
		}
	}
	for pi < len(items) && items[pi].kind == '*' {
		pi++
	}
	return pi == len(items)
}

// wildcardToLike translates a pattern into a WQL LIKE operand (% _ and
// [set], WMI's LIKE), exactly; ok is false when a set cannot be written
// in LIKE's syntax (then the query filters on the client alone).
func wildcardToLike(pattern string) (string, bool) {
	var b strings.Builder
	lit := func(c rune) {
		switch c {
		case '%', '_', '[':
			b.WriteByte('[')
			b.WriteRune(c)
			b.WriteByte(']')
		default:
			b.WriteRune(c)
		}
	}
	for _, it := range parseWildcard(pattern) {
		switch it.kind {
		case '*':
			b.WriteByte('%')
		case '?':
			b.WriteByte('_')
		case 0:
			lit(it.lit)
		case '[':
			b.WriteByte('[')
			for _, m := range it.set {
				// ] ends a LIKE set, ^ first negates it, - makes a range:
				// such members have no spelling that is sure to mean the
				// same to every server.
				if m == ']' || m == '^' || m == '-' || m == '[' {
					return "", false
				}
				b.WriteRune(m)
			}
			for _, r := range it.ranges {
				if r[0] == ']' || r[0] == '^' || r[1] == ']' || r[0] > r[1] {
					return "", false
				}
				b.WriteRune(r[0])
				b.WriteByte('-')
				b.WriteRune(r[1])
			}
			b.WriteByte(']')
		}
	}
	return b.String(), true
}

package wql

import (
	"errors"
	"unicode"
	"unicode/utf8"
)

// LIKE patterns, as WMI defines them: % matches any run of characters
// (none included), _ any one character, [abc] or [a-z] one character of a
// set or range, [^...] one character not in it; [%] matches a literal %.
// Matching ignores case, as WMI's string comparisons do.

// checkPattern reports a malformed pattern (an unclosed bracket).
func checkPattern(p string) error {
	for i := 0; i < len(p); i++ {
		if p[i] == '[' {
			j := setEnd(p, i)
			if j < 0 {
				return errors.New("unclosed \"[\" in LIKE pattern")
			}
			i = j
		}
	}
	return nil
}

// setEnd returns the index of the ] closing the set that opens at p[i],
// or -1. A ] right after [ or [^ is a member, not the end.
func setEnd(p string, i int) int {
	j := i + 1
	if j < len(p) && p[j] == '^' {
		j++
	}
	if j < len(p) && p[j] == ']' {
		j++
	}
	for ; j < len(p); j++ {
		if p[j] == ']' {
			return j
		}
	}
	return -1
}

// like reports whether s matches pattern p.
func like(s, p string) bool {
	// Iterative matching with backtracking to the last %, linear in
	// practice and never exponential.
	si, pi := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch p[pi] {
			case '%':
				starP, starS = pi, si
				pi++
				continue
			case '_':
				_, n := utf8.DecodeRuneInString(s[si:])
				si += n
				pi++
				continue
			case '[':
				if end := setEnd(p, pi); end >= 0 {
					r, n := utf8.DecodeRuneInString(s[si:])
					if inSet(r, p[pi+1:end]) {
						si += n
						pi = end + 1
						continue
					}
					break
				}
				fallthrough
			default:
				r, n := utf8.DecodeRuneInString(s[si:])
				q, m := utf8.DecodeRuneInString(p[pi:])
				if foldEq(r, q) {
					si += n
					pi += m
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		// Let the last % absorb one more character and retry.
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		si, pi = starS, starP+1
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}

// inSet reports whether r is in the set body (between [ and ]).
func inSet(r rune, body string) bool {
	neg := false
	if len(body) > 0 && body[0] == '^' {
		neg, body = true, body[1:]
	}
	found := false
	for i := 0; i < len(body); {
		lo, n := utf8.DecodeRuneInString(body[i:])
		i += n
		hi := lo
		if i+1 < len(body) && body[i] == '-' {
			hi, n = utf8.DecodeRuneInString(body[i+1:])
			i += 1 + n
		}
		if inRange(r, lo, hi) {
			found = true
		}
	}
	return found != neg
}

func inRange(r, lo, hi rune) bool {
	if lo <= r && r <= hi {
		return true
	}
	l, u := unicode.ToLower(r), unicode.ToUpper(r)
	return (lo <= l && l <= hi) || (lo <= u && u <= hi)
}

func foldEq(a, b rune) bool {
	return a == b || unicode.ToLower(a) == unicode.ToLower(b) || unicode.ToUpper(a) == unicode.ToUpper(b)
}

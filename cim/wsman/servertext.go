package wsman

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxServerText is the most bytes of one server-supplied text (a fault's
// reason or message, an HTTP error body) that an error carries. A server
// decides how long its texts are; a 60 MB fault reason must not become a
// 60 MB error message.
const MaxServerText = 4 << 10

// maxQuoted is the most characters of a server value quoted in an error
// that is about the value (a property that does not fit its type).
const maxQuoted = 200

// CapServerText returns s cut to at most MaxServerText bytes, the cut
// ending in "...(N bytes cut)". It is the one place where server text
// is bounded before it goes into an error: fault texts, HTTP error
// bodies, reason texts.
func CapServerText(s string) string { return capText(s, 0, MaxServerText) }

// capText cuts s (of which cut further bytes were dropped already, by a
// reader that bounded it) to at most limit bytes including the
// "...(N bytes cut)" suffix, at a UTF-8 boundary.
func capText(s string, cut int64, limit int) string {
	if cut == 0 && len(s) <= limit {
		return s
	}
	total := int64(len(s)) + cut
	keep := len(s)
	for {
		suffix := cutSuffix(total - int64(keep))
		if keep+len(suffix) <= limit || keep == 0 {
			return s[:keep] + suffix
		}
		keep = limit - len(suffix)
		if keep > len(s) {
			keep = len(s)
		}
		if keep < 0 {
			keep = 0
		}
		for keep > 0 && keep < len(s) && !utf8.RuneStart(s[keep]) {
			keep--
		}
	}
}

func cutSuffix(n int64) string {
	return "...(" + strconv.FormatInt(n, 10) + " bytes cut)"
}

// quoteValue quotes a server value for an error about it: Go-quoted (so
// control characters show escaped, never act on a terminal), at most
// maxQuoted characters of it, the rest counted.
func quoteValue(s string) string {
	n, i := 0, 0
	for i < len(s) && n < maxQuoted {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
		n++
	}
	if i >= len(s) {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:i]) + cutSuffix(int64(len(s)-i))
}

// quoteName quotes a name the server chose (an element, a class): like
// quoteValue, for errors about unexpected replies.
func quoteName(s string) string { return quoteValue(s) }

// A cutting reader (faultReader) replaces the excess of a long text by
// cutMark, the number of bytes dropped in decimal, and cutMarkEnd:
// private-use characters that cappedText turns back into a count.
const (
	cutMark    = '\U0010FF7F'
	cutMarkEnd = '\U0010FF7E'
)

// cappedText accumulates server text up to a limit, counting what is
// dropped, so a text is never held whole however long the server makes
// it. It also takes the counts of text that a cutting reader (faultReader)
// replaced by a cut mark.
type cappedText struct {
	b     strings.Builder
	cut   int64
	limit int
}

func (c *cappedText) writeString(s string) {
	for s != "" {
		i := strings.IndexRune(s, cutMark)
		if i < 0 {
			c.add(s)
			return
		}
		c.add(s[:i])
		s = s[i+utf8.RuneLen(cutMark):]
		j := strings.IndexRune(s, cutMarkEnd)
		if j < 0 {
			return // a mark without an end: not one of ours
		}
		if n, err := strconv.ParseInt(s[:j], 10, 64); err == nil {
			c.cut += n
		}
		s = s[j+utf8.RuneLen(cutMarkEnd):]
	}
}

func (c *cappedText) add(s string) {
	room := c.limit - c.b.Len()
	if room >= len(s) {
		c.b.WriteString(s)
		return
	}
	if room > 0 {
		k := room
		for k > 0 && !utf8.RuneStart(s[k]) {
			k--
		}
		c.b.WriteString(s[:k])
		s = s[k:]
	}
	c.cut += int64(len(s))
}

// String returns the text kept, with the cut counted.
func (c *cappedText) String() string { return capText(c.b.String(), c.cut, c.limit) }

package luabind

import (
	"strings"
	"unicode/utf8"
)

// wrapText fits help text into width columns: a longer line breaks at
// spaces and goes on under its description column (the text after the
// first run of two spaces), so "  cim.name  description" stays a
// readable entry on an 80-column terminal instead of wrapping at
// column 0. width <= 0 leaves the text alone.
func wrapText(text string, width int) string {
	if width <= 0 {
		return text
	}
	var b strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		nl := strings.HasSuffix(line, "\n")
		line = strings.TrimSuffix(line, "\n")
		b.WriteString(wrapLine(line, width))
		if nl {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func wrapLine(line string, width int) string {
	if utf8.RuneCountInString(line) <= width {
		return line
	}
	indent := hangingIndent(line)
	if indent >= width/2 {
		indent = len(line) - len(strings.TrimLeft(line, " ")) + 2
	}
	pad := strings.Repeat(" ", indent)
	var b strings.Builder
	cur := ""
	for _, w := range strings.SplitAfter(line, " ") {
		if cur != "" && strings.TrimSpace(cur) != "" && utf8.RuneCountInString(strings.TrimRight(cur+w, " ")) > width {
			b.WriteString(strings.TrimRight(cur, " ") + "\n")
			cur = pad
		}
		cur += w
	}
	b.WriteString(strings.TrimRight(cur, " "))
	return b.String()
}

// hangingIndent is where a line's description starts: after the first
// run of two or more spaces that follows text.
func hangingIndent(line string) int {
	lead := len(line) - len(strings.TrimLeft(line, " "))
	rest := line[lead:]
	i := strings.Index(rest, "  ")
	if i < 0 {
		return lead + 2
	}
	j := i
	for j < len(rest) && rest[j] == ' ' {
		j++
	}
	return utf8.RuneCountInString(line[:lead+j])
}

package winrs

import (
	"errors"
	"fmt"
	"strings"
)

// cmdArgument quotes one argument for a command line that cmd.exe reads
// first and the program then splits with CommandLineToArgvW (or the C
// runtime's equivalent): the argument comes back to the program exactly
// as given.
func cmdArgument(s string) (string, error) {
	if strings.ContainsAny(s, "\r\n\x00") {
		return "", fmt.Errorf("contains a line break or NUL, which a Windows command line cannot carry")
	}
	return escapeCmd(quoteArgv(s)), nil
}

// quoteArgv quotes s by CommandLineToArgvW's rules: in double quotes when
// it is empty or holds white space or a quote; a quote is preceded by a
// backslash, and backslashes are doubled before a quote (and before the
// closing one), where they would otherwise escape it.
func quoteArgv(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\v\"") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			slashes++
			continue
		case '"':
			b.WriteString(strings.Repeat(`\`, 2*slashes+1))
		default:
			b.WriteString(strings.Repeat(`\`, slashes))
		}
		slashes = 0
		b.WriteByte(c)
	}
	b.WriteString(strings.Repeat(`\`, 2*slashes))
	b.WriteByte('"')
	return b.String()
}

// escapeCmd puts a caret before every character cmd.exe would act on,
// quotes included, so that cmd passes the text through unchanged: no
// redirection, no command separator, no %VAR% expansion.
func escapeCmd(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(`()%!^"<>&|`, s[i]) >= 0 {
			b.WriteByte('^')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// cdataSafe prepares text for masterzen/winrm's request builder, which
// writes a command and each argument as "<![CDATA[" + text + "]]>" with
// no escaping: a "]]>" inside would end the section early (malformed XML,
// or markup injected into the request), so it is split across two
// sections. Characters XML cannot carry at all are refused.
func cdataSafe(s string) (string, error) {
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return "", fmt.Errorf("contains the control character %U, which XML cannot carry", r)
		}
	}
	return strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>"), nil
}

// xmlText escapes text for masterzen/simplexml, which writes element
// content and attribute values as given.
func xmlText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

var errNUL = errors.New("contains a NUL, which a command line cannot carry")

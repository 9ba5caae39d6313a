package luabind

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cimsh/cimsh/cim/model"
)

// Go-side error strings start with their package's name ("memprov: ",
// "wql: ", "cim: ") for developers, and wrap one another ("memprov: wql:
// syntax error"). Users read the operation they called instead
// (DESIGN.md): userText drops those prefixes wherever a message or a
// wrapped cause begins, and cuts any quoted text beyond model.MaxQuoted.

// internalPackages are the names of cimsh's Go packages that prefix
// error strings.
var internalPackages = []string{
	"cim", "memprov", "local", "model", "wql", "wsman", "wsmantest", "transport", "sealed", "krbwrap",
	"milog", "luabind", "orpc", "rpc", "ndr", "dcom", "dcomtest", "wmi", "wmio", "xmltok", "winrs", "cdxml", "shell",
	"krb5gss", "ntlmsec",
}

// packagePrefix matches a package prefix at the start of a message or
// of a wrapped cause (after ": ", "(", "; " or a newline).
var packagePrefix = regexp.MustCompile(`(^|: |\(|; |\n)(?:` + strings.Join(internalPackages, "|") + `): `)

// maxMessage bounds a whole message, whatever it quotes: a server's
// fault text or a path can be long, but not megabytes.
const maxMessage = 8 << 10

// userText rewrites a Go-side error message for users.
func userText(s string) string {
	if len(s) > model.MaxQuoted {
		s = clipQuoted(s)
	}
	if len(s) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "... (" + strconv.Itoa(len(s)) + " bytes)"
	}
	for {
		t := packagePrefix.ReplaceAllString(s, "$1")
		if t == s {
			break
		}
		s = t
	}
	return s
}

// clipQuoted cuts every Go-quoted string in s longer than
// model.MaxQuoted, in one pass (a regexp takes seconds on 10 MB).
func clipQuoted(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(s) && s[j] != '"' {
			if s[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(s) {
			break // unterminated: leave the rest to the length cap
		}
		if j-i-1 > model.MaxQuoted {
			q := s[i : j+1]
			b.WriteString(s[last:i])
			if u, err := strconv.Unquote(q); err == nil {
				b.WriteString(model.Quote(u))
			} else {
				b.WriteString(model.Clip(q))
			}
			last = j + 1
		}
		i = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

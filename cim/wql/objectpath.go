package wql

import (
	"fmt"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// ParseObjectPath parses a WMI object path:
//
//	Win32_Service.Name="WinRM"
//	\\host\root\cimv2:Win32_Process.Handle="4"
//	root/cimv2:Class.Key=1,K2="x"
//	Win32_OperatingSystem=@            (a singleton)
//	Win32_Service                      (a class path, no keys)
//
// Key values are quoted strings (backslash escapes \" and \\) or bare
// numbers and booleans. A quoted value that is itself an object path with
// keys (an association's reference key) also gets Selector.Ref; its
// Value keeps the text. The namespace is returned with forward slashes;
// the host is dropped (see ParseObjectPathHost).
func ParseObjectPath(s string) (*model.Reference, error) {
	_, r, err := ParseObjectPathHost(s)
	return r, err
}

// ParseObjectPathHost is ParseObjectPath that also returns the host of a
// \\host\namespace:... path ("" when there is none; "." is kept).
func ParseObjectPathHost(s string) (host string, ref *model.Reference, err error) {
	return parseObjectPath(s, 0)
}

func parseObjectPath(s string, depth int) (string, *model.Reference, error) {
	orig := s
	s = strings.TrimSpace(s)
	if depth > 8 {
		return "", nil, fmt.Errorf("wql: object path %s nests references too deeply", model.Quote(orig))
	}
	if s == "" {
		return "", nil, fmt.Errorf("wql: empty object path")
	}
	var host string
	if strings.HasPrefix(s, `\\`) || strings.HasPrefix(s, "//") {
		rest := s[2:]
		i := strings.IndexAny(rest, `\/`)
		if i <= 0 {
			return "", nil, fmt.Errorf("wql: object path %s: a host must be followed by a namespace", model.Quote(orig))
		}
		host, s = rest[:i], rest[i+1:]
		if strings.ContainsAny(host, " \t\"':") {
			return "", nil, fmt.Errorf("wql: object path %s: %s is not a host name", model.Quote(orig), model.Quote(host))
		}
		if !strings.Contains(prefixBeforeKeys(s), ":") {
			return "", nil, fmt.Errorf("wql: object path %s: missing \":\" after the namespace", model.Quote(orig))
		}
	}
	ref := &model.Reference{}
	if pre := prefixBeforeKeys(s); strings.Contains(pre, ":") {
		i := strings.Index(s, ":")
		ns := strings.Trim(strings.ReplaceAll(s[:i], `\`, "/"), "/")
		if ns == "" {
			return "", nil, fmt.Errorf("wql: object path %s: empty namespace", model.Quote(orig))
		}
		for _, part := range strings.Split(ns, "/") {
			if !isIdent(part) && !isDigits(part) {
				return "", nil, fmt.Errorf("wql: object path %s: %s is not a namespace", model.Quote(orig), model.Quote(s[:i]))
			}
		}
		ref.Namespace = ns
		s = s[i+1:]
	}
	// The class name.
	i := 0
	for i < len(s) && isIdentPart(s[i]) {
		i++
	}
	if i == 0 || !isIdentStart(s[0]) {
		return "", nil, fmt.Errorf("wql: object path %s: expected a class name", model.Quote(orig))
	}
	ref.ClassName, s = s[:i], s[i:]
	switch {
	case s == "":
		return host, ref, nil
	case strings.TrimSpace(s) == "=@":
		return host, ref, nil
	case s[0] != '.':
		return "", nil, fmt.Errorf("wql: object path %s: expected \".\" or \"=@\" after the class name", model.Quote(orig))
	}
	s = s[1:]
	for {
		// Key name.
		j := 0
		for j < len(s) && isIdentPart(s[j]) {
			j++
		}
		if j == 0 || !isIdentStart(s[0]) {
			return "", nil, fmt.Errorf("wql: object path %s: expected a key name", model.Quote(orig))
		}
		name := s[:j]
		s = strings.TrimLeft(s[j:], " ")
		if s == "" || s[0] != '=' {
			return "", nil, fmt.Errorf("wql: object path %s: expected \"=\" after key %s", model.Quote(orig), model.Clip(name))
		}
		s = strings.TrimLeft(s[1:], " ")
		var val string
		quoted := false
		if s != "" && (s[0] == '"' || s[0] == '\'') {
			v, n, err := unquotePathValue(s)
			if err != nil {
				return "", nil, fmt.Errorf("wql: object path %s: %v", model.Quote(orig), err)
			}
			val, s, quoted = v, s[n:], true
		} else {
			k := strings.IndexByte(s, ',')
			if k < 0 {
				k = len(s)
			}
			val, s = strings.TrimSpace(s[:k]), s[k:]
			if val == "" {
				return "", nil, fmt.Errorf("wql: object path %s: key %s has no value", model.Quote(orig), model.Clip(name))
			}
			if strings.EqualFold(val, "true") || strings.EqualFold(val, "false") {
				val = strings.ToLower(val)
			}
		}
		sel := model.Selector{Name: name, Value: val}
		if quoted && looksLikePath(val) {
			if _, r, err := parseObjectPath(val, depth+1); err == nil && (len(r.Selectors) > 0 || strings.HasSuffix(val, "=@")) {
				sel.Ref = r
			}
		}
		if _, dup := ref.Selector(name); dup {
			return "", nil, fmt.Errorf("wql: object path %s: key %s given twice", model.Quote(orig), model.Clip(name))
		}
		ref.Selectors = append(ref.Selectors, sel)
		s = strings.TrimLeft(s, " ")
		if s == "" {
			return host, ref, nil
		}
		if s[0] != ',' {
			return "", nil, fmt.Errorf("wql: object path %s: expected \",\" between keys", model.Quote(orig))
		}
		s = strings.TrimLeft(s[1:], " ")
	}
}

// prefixBeforeKeys returns s up to the first '.', '=' or quote, where a
// namespace separator ':' may appear.
func prefixBeforeKeys(s string) string {
	if i := strings.IndexAny(s, `.="'`); i >= 0 {
		return s[:i]
	}
	return s
}

// looksLikePath reports whether a key value is plausibly an object path
// (Class.Key=..., Class=@, or with a namespace).
func looksLikePath(v string) bool {
	if strings.HasPrefix(v, `\\`) || strings.HasPrefix(v, "//") || strings.HasSuffix(v, "=@") {
		return true
	}
	i := strings.IndexByte(v, '.')
	return i > 0 && strings.Contains(v[i:], "=")
}

// unquotePathValue reads a quoted key value at the start of s and
// returns it and the number of bytes consumed.
func unquotePathValue(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == q:
			return b.String(), i + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated quoted key value")
}

// FormatObjectPath writes ref as a WMI object path, with \\host\namespace:
// when host is set, namespace: when only the namespace is, and =@ for a
// reference without keys that names a singleton (no selectors).
func FormatObjectPath(host string, ref *model.Reference) string {
	if ref == nil {
		return ""
	}
	var b strings.Builder
	ns := strings.ReplaceAll(ref.Namespace, "/", `\`)
	switch {
	case host != "" && ns != "":
		b.WriteString(`\\` + host + `\` + ns + ":")
	case ns != "":
		b.WriteString(ns + ":")
	}
	b.WriteString(formatRelPath(ref))
	return b.String()
}

// formatRelPath writes Class.Key="v",... with WMI's escaping.
func formatRelPath(r *model.Reference) string {
	var b strings.Builder
	b.WriteString(r.ClassName)
	n := 0
	for _, s := range r.Selectors {
		if strings.HasPrefix(s.Name, "__") {
			continue
		}
		if n == 0 {
			b.WriteByte('.')
		} else {
			b.WriteByte(',')
		}
		n++
		b.WriteString(s.Name)
		b.WriteByte('=')
		v := s.Value
		if v == "" && s.Ref != nil {
			v = FormatObjectPath("", s.Ref) // a reference built in code
		}
		b.WriteByte('"')
		for i := 0; i < len(v); i++ {
			if v[i] == '"' || v[i] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(v[i])
		}
		b.WriteByte('"')
	}
	return b.String()
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

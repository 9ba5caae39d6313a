package cdxml

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A module manifest (.psd1) is a PowerShell hashtable in the restricted
// data language: strings, numbers, $true/$false/$null, arrays @(...) or
// comma lists, nested hashtables @{...}, and comments. readManifest reads
// the entries cimsh needs from it.

// manifest is what a .psd1 says about the module's files.
type manifest struct {
	RootModule string        // RootModule (or ModuleToProcess)
	RootKey    string        // which of the two, as written
	RootLine   int           //
	Nested     []manifestRef // NestedModules, in order
}

// manifestRef is one module named by a manifest, with the key that
// names it and its line.
type manifestRef struct {
	Name, Key string
	Line      int
}

// psValue is a parsed data-language value: string, []psValue,
// *psHash, or nil ($null). Numbers and booleans are kept as their text.
type psValue any

type psHash struct {
	keys    []string
	values  map[string]psValue // by lower-case key
	lines   map[string]int
	spelled map[string]string // the key as written
}

// readManifest parses a .psd1.
func readManifest(file string, data []byte) (*manifest, error) {
	data, err := toUTF8(data)
	if err != nil {
		return nil, &ParseError{File: file, Msg: err.Error()}
	}
	if len(data) > maxFileSize {
		return nil, &ParseError{File: file, Msg: fmt.Sprintf("the file is larger than %d MB", maxFileSize>>20)}
	}
	if !utf8.Valid(data) {
		return nil, &ParseError{File: file, Msg: "the file is neither UTF-8 nor UTF-16 text"}
	}
	p := &psParser{file: file, src: string(data), line: 1}
	p.skipSpace(true)
	if !strings.HasPrefix(p.src[p.pos:], "@{") {
		return nil, p.errorf("a module manifest is a hashtable: @{ ... }")
	}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace(true)
	if p.pos < len(p.src) {
		return nil, p.errorf("unexpected %q after the manifest's hashtable", p.peekText())
	}
	h, ok := v.(*psHash)
	if !ok {
		return nil, &ParseError{File: file, Line: 1, Msg: "a module manifest is a hashtable: @{ ... }"}
	}
	m := &manifest{}
	for _, key := range []string{"rootmodule", "moduletoprocess"} {
		if v, ok := h.values[key]; ok && m.RootModule == "" {
			m.RootModule, _ = v.(string)
			m.RootLine = h.lines[key]
			m.RootKey = h.spelled[key]
		}
	}
	if v, ok := h.values["nestedmodules"]; ok {
		line := h.lines["nestedmodules"]
		for _, e := range flatten(v) {
			switch x := e.(type) {
			case string:
				m.Nested = append(m.Nested, manifestRef{Name: x, Key: h.spelled["nestedmodules"], Line: line})
			case *psHash:
				// @{ModuleName='X'; ModuleVersion='1.0'}
				if n, ok := x.values["modulename"].(string); ok {
					m.Nested = append(m.Nested, manifestRef{Name: n, Key: h.spelled["nestedmodules"], Line: x.lines["modulename"]})
				}
			}
		}
	}
	return m, nil
}

// flatten returns a value as a list: an array's elements, or the value.
func flatten(v psValue) []psValue {
	if l, ok := v.([]psValue); ok {
		var out []psValue
		for _, e := range l {
			out = append(out, flatten(e)...)
		}
		return out
	}
	if v == nil {
		return nil
	}
	return []psValue{v}
}

type psParser struct {
	file string
	src  string
	pos  int
	line int
}

const maxPSDepth = 32

func (p *psParser) errorf(format string, args ...any) error {
	return &ParseError{File: p.file, Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

func (p *psParser) peekText() string {
	end := min(p.pos+20, len(p.src))
	for end < len(p.src) && !utf8.RuneStart(p.src[end]) {
		end++
	}
	return p.src[p.pos:end]
}

// skipSpace skips blanks and comments; newlines too when nl is set. It
// reports whether it crossed a newline.
func (p *psParser) skipSpace(nl bool) bool {
	crossed := false
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\n':
			if !nl {
				return crossed
			}
			p.line++
			p.pos++
			crossed = true
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			p.pos++
		case c == '`' && p.pos+1 < len(p.src) && (p.src[p.pos+1] == '\n' || p.src[p.pos+1] == '\r'):
			// A line continuation.
			p.pos++
		case strings.HasPrefix(p.src[p.pos:], "<#"):
			end := strings.Index(p.src[p.pos+2:], "#>")
			if end < 0 {
				p.pos = len(p.src)
				return crossed
			}
			p.line += strings.Count(p.src[p.pos:p.pos+2+end+2], "\n")
			p.pos += 2 + end + 2
		case c == '#':
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		default:
			if r, n := utf8.DecodeRuneInString(p.src[p.pos:]); unicode.IsSpace(r) && r != '\n' {
				p.pos += n
				continue
			}
			return crossed
		}
	}
	return crossed
}

// value reads an expression: a primary, or a comma list of primaries.
func (p *psParser) value(depth int) (psValue, error) {
	first, err := p.primary(depth)
	if err != nil {
		return nil, err
	}
	p.skipSpace(false)
	if p.pos >= len(p.src) || p.src[p.pos] != ',' {
		return first, nil
	}
	list := []psValue{first}
	for p.pos < len(p.src) && p.src[p.pos] == ',' {
		p.pos++
		p.skipSpace(true) // a trailing comma continues on the next line
		v, err := p.primary(depth)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
		p.skipSpace(false)
	}
	return list, nil
}

func (p *psParser) primary(depth int) (psValue, error) {
	if depth > maxPSDepth {
		return nil, p.errorf("values nested deeper than %d", maxPSDepth)
	}
	p.skipSpace(false)
	if p.pos >= len(p.src) {
		return nil, p.errorf("the manifest ends where a value was expected")
	}
	rest := p.src[p.pos:]
	switch {
	case strings.HasPrefix(rest, "@{"):
		p.pos += 2
		return p.hash(depth + 1)
	case strings.HasPrefix(rest, "@("):
		p.pos += 2
		return p.array(depth+1, ')')
	case strings.HasPrefix(rest, "@'") || strings.HasPrefix(rest, `@"`):
		return p.hereString()
	case rest[0] == '\'':
		return p.singleQuoted()
	case rest[0] == '"':
		return p.doubleQuoted()
	case rest[0] == '(':
		p.pos++
		return p.array(depth+1, ')')
	case rest[0] == '[':
		// A cast: [version]'1.0'. The type is dropped.
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, p.errorf("unclosed [")
		}
		p.pos += end + 1
		return p.primary(depth + 1)
	case rest[0] == '$':
		w := p.word()
		switch strings.ToLower(w) {
		case "$true", "$false":
			return strings.ToLower(w[1:]), nil
		case "$null":
			return nil, nil
		}
		return nil, p.errorf("variable %s is not allowed in a module manifest", clipPS(w))
	}
	w := p.word()
	if w == "" {
		return nil, p.errorf("unexpected %q", p.peekText())
	}
	return w, nil
}

// word reads a bareword or number (up to a delimiter).
func (p *psParser) word() string {
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c <= ' ' || strings.IndexByte("=,;(){}[]'\"#", c) >= 0 {
			break
		}
		p.pos++
	}
	return p.src[start:p.pos]
}

func (p *psParser) hash(depth int) (psValue, error) {
	h := &psHash{values: map[string]psValue{}, lines: map[string]int{}, spelled: map[string]string{}}
	for {
		p.skipSpace(true)
		for p.pos < len(p.src) && p.src[p.pos] == ';' {
			p.pos++
			p.skipSpace(true)
		}
		if p.pos >= len(p.src) {
			return nil, p.errorf("unclosed @{")
		}
		if p.src[p.pos] == '}' {
			p.pos++
			return h, nil
		}
		line := p.line
		var key string
		switch p.src[p.pos] {
		case '\'':
			k, err := p.singleQuoted()
			if err != nil {
				return nil, err
			}
			key = k.(string)
		case '"':
			k, err := p.doubleQuoted()
			if err != nil {
				return nil, err
			}
			key = k.(string)
		default:
			key = p.word()
		}
		if key == "" {
			return nil, p.errorf("expected a key, found %q", p.peekText())
		}
		p.skipSpace(false)
		if p.pos >= len(p.src) || p.src[p.pos] != '=' {
			return nil, p.errorf("expected = after the key %s", clipPS(key))
		}
		p.pos++
		p.skipSpace(true)
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		lk := strings.ToLower(key)
		if _, dup := h.values[lk]; dup {
			return nil, &ParseError{File: p.file, Line: line, Msg: fmt.Sprintf("the key %s appears twice", clipPS(key))}
		}
		h.keys = append(h.keys, key)
		h.values[lk] = v
		h.lines[lk] = line
		h.spelled[lk] = key
		p.skipSpace(false)
		if p.pos < len(p.src) {
			switch c := p.src[p.pos]; c {
			case ';', '\n', '\r', '}':
			default:
				if c != '#' {
					return nil, p.errorf("expected a new line or ; after the value of %s, found %q", clipPS(key), p.peekText())
				}
			}
		}
	}
}

// array reads elements up to close, separated by commas, semicolons or
// new lines.
func (p *psParser) array(depth int, close byte) (psValue, error) {
	list := []psValue{}
	for {
		p.skipSpace(true)
		for p.pos < len(p.src) && (p.src[p.pos] == ',' || p.src[p.pos] == ';') {
			p.pos++
			p.skipSpace(true)
		}
		if p.pos >= len(p.src) {
			return nil, p.errorf("unclosed @( or (")
		}
		if p.src[p.pos] == close {
			p.pos++
			return list, nil
		}
		v, err := p.primary(depth)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
}

func (p *psParser) singleQuoted() (psValue, error) {
	p.pos++ // '
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '\'' {
			if p.pos+1 < len(p.src) && p.src[p.pos+1] == '\'' {
				b.WriteByte('\'')
				p.pos += 2
				continue
			}
			p.pos++
			return b.String(), nil
		}
		if c == '\n' {
			p.line++
		}
		b.WriteByte(c)
		p.pos++
	}
	return nil, p.errorf("unclosed ' string")
}

func (p *psParser) doubleQuoted() (psValue, error) {
	p.pos++ // "
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '"':
			if p.pos+1 < len(p.src) && p.src[p.pos+1] == '"' {
				b.WriteByte('"')
				p.pos += 2
				continue
			}
			p.pos++
			return b.String(), nil
		case c == '`' && p.pos+1 < len(p.src):
			e := p.src[p.pos+1]
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			default:
				b.WriteByte(e)
			}
			if e == '\n' {
				p.line++
			}
			p.pos += 2
			continue
		case c == '\n':
			p.line++
		}
		b.WriteByte(c)
		p.pos++
	}
	return nil, p.errorf(`unclosed " string`)
}

// hereString reads @'...'@ or @"..."@ (the quotes end a line).
func (p *psParser) hereString() (psValue, error) {
	q := p.src[p.pos+1]
	end := "\n" + string(q) + "@"
	body := p.src[p.pos+2:]
	nl := strings.IndexByte(body, '\n')
	if nl < 0 {
		return nil, p.errorf("unclosed here-string")
	}
	body = body[nl+1:]
	i := strings.Index(body, end)
	if i < 0 {
		return nil, p.errorf("unclosed here-string")
	}
	text := strings.TrimSuffix(body[:i], "\r")
	consumed := 2 + nl + 1 + i + len(end)
	p.line += strings.Count(p.src[p.pos:p.pos+consumed], "\n")
	p.pos += consumed
	return text, nil
}

func clipPS(s string) string { return fmt.Sprintf("%q", clip(s)) }

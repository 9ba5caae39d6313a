package wql

import (
	"fmt"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tokEOF    tokKind = iota
	tokIdent          // a name: property, class, keyword (keywords are told apart by the parser)
	tokString         // '...' or "..." with backslash escapes; text holds the value
	tokNumber         // an unsigned decimal integer or real; text holds it as written
	tokOp             // = <> != < > <= >=
	tokPunct          // ( ) , * . -
	tokPath           // {...}: an object path, text holds what is between the braces
)

type token struct {
	kind tokKind
	text string
	pos  int // byte offset in the query
}

// describe names a token for an error message.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of query"
	case tokString:
		return "string " + model.Quote(t.text)
	case tokPath:
		return "object path {" + model.Clip(t.text) + "}"
	}
	return model.Quote(t.text)
}

// lex splits a query into tokens.
func lex(q string) ([]token, error) {
	var toks []token
	i := 0
	for {
		for i < len(q) && isSpace(q[i]) {
			i++
		}
		if i >= len(q) {
			toks = append(toks, token{kind: tokEOF, pos: i})
			return toks, nil
		}
		c := q[i]
		start := i
		switch {
		case isIdentStart(c):
			for i < len(q) && isIdentPart(q[i]) {
				i++
			}
			toks = append(toks, token{kind: tokIdent, text: q[start:i], pos: start})
		case c == '0' && i+2 < len(q) && (q[i+1] == 'x' || q[i+1] == 'X') && isHex(q[i+2]):
			i += 2
			for i < len(q) && isHex(q[i]) {
				i++
			}
			if i < len(q) && isIdentPart(q[i]) {
				return nil, &SyntaxError{Pos: start + 1, Query: q, Msg: "malformed number " + model.Quote(q[start:i+1])}
			}
			toks = append(toks, token{kind: tokNumber, text: q[start:i], pos: start})
		case c >= '0' && c <= '9' || (c == '.' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9'):
			for i < len(q) && q[i] >= '0' && q[i] <= '9' {
				i++
			}
			if i < len(q) && q[i] == '.' {
				i++
				for i < len(q) && q[i] >= '0' && q[i] <= '9' {
					i++
				}
			}
			if i < len(q) && (q[i] == 'e' || q[i] == 'E') {
				j := i + 1
				if j < len(q) && (q[j] == '+' || q[j] == '-') {
					j++
				}
				if j < len(q) && q[j] >= '0' && q[j] <= '9' {
					for j < len(q) && q[j] >= '0' && q[j] <= '9' {
						j++
					}
					i = j
				}
			}
			if i < len(q) && isIdentPart(q[i]) {
				return nil, &SyntaxError{Pos: start + 1, Query: q, Msg: "malformed number " + model.Quote(q[start:i+1])}
			}
			toks = append(toks, token{kind: tokNumber, text: q[start:i], pos: start})
		case c == '\'' || c == '"':
			s, n, err := lexString(q, i)
			if err != nil {
				return nil, err
			}
			i = n
			toks = append(toks, token{kind: tokString, text: s, pos: start})
		case c == '{':
			s, n, err := lexPath(q, i)
			if err != nil {
				return nil, err
			}
			i = n
			toks = append(toks, token{kind: tokPath, text: s, pos: start})
		case c == '<' || c == '>' || c == '!' || c == '=':
			i++
			if i < len(q) && (q[i] == '=' || (c == '<' && q[i] == '>')) && c != '=' {
				i++
			}
			op := q[start:i]
			if op == "!" {
				return nil, &SyntaxError{Pos: start + 1, Query: q, Msg: `unexpected "!" (did you mean "!="?)`}
			}
			toks = append(toks, token{kind: tokOp, text: op, pos: start})
		case strings.IndexByte("(),*.-", c) >= 0:
			i++
			toks = append(toks, token{kind: tokPunct, text: q[start:i], pos: start})
		default:
			return nil, &SyntaxError{Pos: start + 1, Query: q, Msg: fmt.Sprintf("unexpected character %q", rune(c))}
		}
	}
}

// lexString reads a quoted string starting at q[i]; a backslash takes the
// next character literally.
func lexString(q string, i int) (string, int, error) {
	quote := q[i]
	start := i
	i++
	var b strings.Builder
	for i < len(q) {
		c := q[i]
		switch {
		case c == '\\' && i+1 < len(q):
			b.WriteByte(q[i+1])
			i += 2
		case c == quote:
			return b.String(), i + 1, nil
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", 0, &SyntaxError{Pos: start + 1, Query: q, Msg: "unterminated string"}
}

// lexPath reads {...}, skipping braces inside quoted strings.
func lexPath(q string, i int) (string, int, error) {
	start := i
	i++
	var quote byte
	for i < len(q) {
		c := q[i]
		switch {
		case quote != 0 && c == '\\' && i+1 < len(q):
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		case quote == 0 && c == '}':
			return strings.TrimSpace(q[start+1 : i]), i + 1, nil
		}
		i++
	}
	return "", 0, &SyntaxError{Pos: start + 1, Query: q, Msg: "unterminated object path (missing \"}\")"}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

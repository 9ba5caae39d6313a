package wql

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// SyntaxError is a query WQL cannot parse. Pos is the 1-based byte
// position of the offending token in Query.
type SyntaxError struct {
	Pos   int
	Msg   string
	Query string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("wql: syntax error at position %d: %s", e.Pos, e.Msg)
}

// keywords cannot be used as names.
var keywords = map[string]bool{
	"SELECT": true, "FROM": true, "WHERE": true, "AND": true, "OR": true, "NOT": true,
	"IS": true, "NULL": true, "ISA": true, "LIKE": true, "TRUE": true, "FALSE": true,
	"ASSOCIATORS": true, "REFERENCES": true, "OF": true,
	"GROUP": true, "HAVING": true, "WITHIN": true, "BY": true,
}

type parser struct {
	q     string
	toks  []token
	i     int
	depth int // open parentheses
}

// Parse parses a WQL query as WMI accepts it: SELECT * or a property list
// FROM one class with an optional WHERE clause, or ASSOCIATORS OF /
// REFERENCES OF an object path. Keywords are case-insensitive. Errors
// are *SyntaxError.
func Parse(s string) (*Query, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{q: s, toks: toks}
	var q *Query
	switch {
	case p.isKeyword("SELECT"):
		q, err = p.selectQuery()
	case p.isKeyword("ASSOCIATORS"), p.isKeyword("REFERENCES"):
		q, err = p.assocQuery()
	default:
		return nil, p.errorf("expected SELECT, ASSOCIATORS OF or REFERENCES OF, found %s", p.peek().describe())
	}
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tokEOF {
		return nil, p.errorf("unexpected %s after the end of the query", p.peek().describe())
	}
	return q, nil
}

// ParseCondition parses a WHERE condition on its own (a -Filter).
func ParseCondition(s string) (Expr, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{q: s, toks: toks}
	e, err := p.orExpr()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tokEOF {
		return nil, p.errorf("unexpected %s after the end of the condition", p.peek().describe())
	}
	return e, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{Pos: p.peek().pos + 1, Msg: fmt.Sprintf(format, args...), Query: p.q}
}

func (p *parser) isKeyword(kw string) bool {
	t := p.peek()
	return t.kind == tokIdent && strings.EqualFold(t.text, kw)
}

func (p *parser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == tokPunct && t.text == s
}

func (p *parser) expectKeyword(kw string) error {
	if !p.isKeyword(kw) {
		return p.errorf("expected %s, found %s", kw, p.peek().describe())
	}
	p.next()
	return nil
}

// name reads an identifier that is not a keyword.
func (p *parser) name(what string) (string, error) {
	t := p.peek()
	if t.kind != tokIdent || keywords[strings.ToUpper(t.text)] {
		return "", p.errorf("expected %s, found %s", what, t.describe())
	}
	p.next()
	return t.text, nil
}

// propertyName reads a property name, possibly dotted into embedded
// instances (TargetInstance.Name).
func (p *parser) propertyName() (string, error) {
	n, err := p.name("a property name")
	if err != nil {
		return "", err
	}
	for p.isPunct(".") {
		p.next()
		m, err := p.name("a property name after \".\"")
		if err != nil {
			return "", err
		}
		n += "." + m
	}
	return n, nil
}

func (p *parser) selectQuery() (*Query, error) {
	p.next() // SELECT
	q := &Query{}
	if p.isPunct("*") {
		p.next()
	} else {
		q.Properties = []string{}
		for {
			n, err := p.propertyName()
			if err != nil {
				return nil, err
			}
			q.Properties = append(q.Properties, n)
			if !p.isPunct(",") {
				break
			}
			p.next()
		}
	}
	if err := p.expectKeyword("FROM"); err != nil {
		return nil, err
	}
	c, err := p.name("a class name")
	if err != nil {
		return nil, err
	}
	q.ClassName = c
	if p.isKeyword("WITHIN") {
		p.next()
		if q.Within, err = p.interval("WITHIN"); err != nil {
			return nil, err
		}
	}
	if p.isKeyword("WHERE") {
		p.next()
		if q.Where, err = p.orExpr(); err != nil {
			return nil, err
		}
	}
	if p.isKeyword("GROUP") {
		p.next()
		if err := p.expectKeyword("WITHIN"); err != nil {
			return nil, err
		}
		if q.GroupWithin, err = p.interval("GROUP WITHIN"); err != nil {
			return nil, err
		}
		if p.isKeyword("BY") {
			p.next()
			for {
				n, err := p.propertyName()
				if err != nil {
					return nil, err
				}
				q.GroupBy = append(q.GroupBy, n)
				if !p.isPunct(",") {
					break
				}
				p.next()
			}
		}
		if p.isKeyword("HAVING") {
			p.next()
			if q.Having, err = p.orExpr(); err != nil {
				return nil, err
			}
		}
	}
	return q, nil
}

// interval reads the positive number of seconds after WITHIN.
func (p *parser) interval(clause string) (float64, error) {
	t := p.peek()
	if t.kind != tokNumber {
		return 0, p.errorf("expected a number of seconds after %s, found %s", clause, t.describe())
	}
	lit, err := p.number(false)
	if err != nil {
		return 0, err
	}
	secs := lit.Real
	if lit.Kind == LitInt {
		secs = float64(lit.Mag)
	}
	if !(secs > 0) || secs > 1e9 {
		return 0, &SyntaxError{Pos: t.pos + 1, Msg: fmt.Sprintf("%s %s: the interval must be a positive number of seconds", clause, model.Clip(t.text)), Query: p.q}
	}
	return secs, nil
}

func (p *parser) orExpr() (Expr, error) {
	l, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("OR") {
		p.next()
		r, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		l = &Binary{Op: "OR", Left: l, Right: r}
	}
	return l, nil
}

func (p *parser) andExpr() (Expr, error) {
	l, err := p.notExpr()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("AND") {
		p.next()
		r, err := p.notExpr()
		if err != nil {
			return nil, err
		}
		l = &Binary{Op: "AND", Left: l, Right: r}
	}
	return l, nil
}

// maxDepth bounds nesting so a hostile query cannot exhaust the stack.
const maxDepth = 200

func (p *parser) notExpr() (Expr, error) {
	depth := 0
	for p.isKeyword("NOT") {
		p.next()
		depth++
		if depth > maxDepth {
			return nil, p.errorf("too many NOTs")
		}
	}
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	for ; depth > 0; depth-- {
		x = &Not{X: x}
	}
	return x, nil
}

func (p *parser) primary() (Expr, error) {
	if p.isPunct("(") {
		open := p.peek()
		if p.depth >= maxDepth {
			return nil, p.errorf("parentheses nested too deeply")
		}
		p.next()
		p.depth++
		e, err := p.orExpr()
		p.depth--
		if err != nil {
			return nil, err
		}
		if !p.isPunct(")") {
			return nil, p.errorf("expected \")\" to close the \"(\" at position %d, found %s", open.pos+1, p.peek().describe())
		}
		p.next()
		return e, nil
	}
	t := p.peek()
	if t.kind == tokIdent && !keywords[strings.ToUpper(t.text)] {
		return p.condition()
	}
	// A constant first: 5 < Prop.
	lit, err := p.literal()
	if err != nil {
		return nil, p.errorf("expected a condition, found %s", t.describe())
	}
	if p.peek().kind != tokOp {
		return nil, p.errorf("expected a comparison operator, found %s", p.peek().describe())
	}
	op := normalizeOp(p.next().text)
	prop, err := p.propertyName()
	if err != nil {
		return nil, err
	}
	return newCompare(prop, flip(op), lit, true), nil
}

// newCompare builds a comparison with a constant, parsing a string
// constant that is a datetime once rather than for every instance.
func newCompare(prop, op string, lit Literal, reversed bool) *Compare {
	c := &Compare{Property: prop, Op: op, Value: lit, Reversed: reversed}
	if lit.Kind == LitString {
		if d, err := parseDatetimeLiteral(lit.Str); err == nil {
			c.when = &d
		}
	}
	return c
}

// condition parses what follows a property name.
func (p *parser) condition() (Expr, error) {
	prop, err := p.propertyName()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	switch {
	case t.kind == tokOp:
		p.next()
		op := normalizeOp(t.text)
		if o := p.peek(); o.kind == tokIdent && !keywords[strings.ToUpper(o.text)] {
			other, err := p.propertyName()
			if err != nil {
				return nil, err
			}
			return &Compare{Property: prop, Op: op, Other: other}, nil
		}
		lit, err := p.literal()
		if err != nil {
			return nil, err
		}
		return newCompare(prop, op, lit, false), nil
	case p.isKeyword("IS"):
		p.next()
		not := false
		if p.isKeyword("NOT") {
			p.next()
			not = true
		}
		if !p.isKeyword("NULL") {
			return nil, p.errorf("expected NULL after IS (IS only tests for NULL), found %s", p.peek().describe())
		}
		p.next()
		return &IsNull{Property: prop, Not: not}, nil
	case p.isKeyword("ISA"):
		p.next()
		c := p.peek()
		if c.kind != tokString && (c.kind != tokIdent || keywords[strings.ToUpper(c.text)]) {
			return nil, p.errorf("expected a class name after ISA, found %s", c.describe())
		}
		p.next()
		return &IsA{Property: prop, Class: c.text}, nil
	case p.isKeyword("LIKE"), p.isKeyword("NOT"):
		not := false
		if p.isKeyword("NOT") {
			p.next()
			not = true
			if !p.isKeyword("LIKE") {
				return nil, p.errorf("expected LIKE after NOT, found %s", p.peek().describe())
			}
		}
		p.next()
		s := p.peek()
		if s.kind != tokString {
			return nil, p.errorf("expected a pattern string after LIKE, found %s", s.describe())
		}
		p.next()
		if err := checkPattern(s.text); err != nil {
			return nil, &SyntaxError{Pos: s.pos + 1, Msg: err.Error(), Query: p.q}
		}
		return &Like{Property: prop, Pattern: s.text, Not: not}, nil
	}
	return nil, p.errorf("expected a comparison operator, IS, ISA or LIKE after %s, found %s", model.Clip(prop), t.describe())
}

func normalizeOp(op string) string {
	if op == "!=" {
		return "<>"
	}
	return op
}

// literal parses a constant: a string, a number (with an optional minus
// sign), TRUE, FALSE or NULL.
func (p *parser) literal() (Literal, error) {
	t := p.peek()
	switch t.kind {
	case tokString:
		p.next()
		return Literal{Kind: LitString, Str: t.text}, nil
	case tokIdent:
		switch strings.ToUpper(t.text) {
		case "TRUE":
			p.next()
			return Literal{Kind: LitBool, Bool: true}, nil
		case "FALSE":
			p.next()
			return Literal{Kind: LitBool}, nil
		case "NULL":
			p.next()
			return Literal{Kind: LitNull}, nil
		}
	case tokPunct:
		if t.text == "-" {
			p.next()
			if p.peek().kind != tokNumber {
				return Literal{}, p.errorf("expected a number after \"-\", found %s", p.peek().describe())
			}
			return p.number(true)
		}
	case tokNumber:
		return p.number(false)
	}
	return Literal{}, p.errorf("expected a constant, found %s", t.describe())
}

func (p *parser) number(neg bool) (Literal, error) {
	t := p.next()
	text := t.text
	if strings.HasPrefix(text, "0x") || strings.HasPrefix(text, "0X") {
		u, err := strconv.ParseUint(text[2:], 16, 64)
		if err != nil {
			return Literal{}, &SyntaxError{Pos: t.pos + 1, Msg: fmt.Sprintf("number %s is out of range", model.Clip(text)), Query: p.q}
		}
		return Literal{Kind: LitInt, Neg: neg && u != 0, Mag: u}, nil
	}
	if !strings.ContainsAny(text, ".eE") {
		u, err := strconv.ParseUint(text, 10, 64)
		if err != nil {
			return Literal{}, &SyntaxError{Pos: t.pos + 1, Msg: fmt.Sprintf("integer %s is out of range", model.Clip(text)), Query: p.q}
		}
		if neg && u > 1<<63 {
			return Literal{}, &SyntaxError{Pos: t.pos + 1, Msg: fmt.Sprintf("integer -%s is out of range", model.Clip(text)), Query: p.q}
		}
		return Literal{Kind: LitInt, Neg: neg && u != 0, Mag: u}, nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return Literal{}, &SyntaxError{Pos: t.pos + 1, Msg: fmt.Sprintf("number %s is out of range", model.Clip(text)), Query: p.q}
	}
	if neg {
		f = -f
	}
	return Literal{Kind: LitReal, Real: f}, nil
}

// isName reports whether s is a plain identifier that is not a keyword.
// IsName reports whether s can stand in a query as a class or property
// name: an identifier that is not a WQL keyword.
func IsName(s string) bool { return isIdent(s) && !keywords[strings.ToUpper(s)] }

// isIdent reports whether s is a plain identifier.
func isIdent(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentPart(s[i]) {
			return false
		}
	}
	return true
}

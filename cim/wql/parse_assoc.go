package wql

import (
	"fmt"
	"strings"
)

// assocQuery parses ASSOCIATORS OF {path} [WHERE ...] and
// REFERENCES OF {path} [WHERE ...]: after WHERE come keywords, some with
// "= name", in any order.
func (p *parser) assocQuery() (*Query, error) {
	a := &AssocQuery{References: p.isKeyword("REFERENCES")}
	p.next()
	if err := p.expectKeyword("OF"); err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind != tokPath {
		return nil, p.errorf("expected an object path in braces, found %s", t.describe())
	}
	p.next()
	ref, err := ParseObjectPath(t.text)
	if err != nil {
		return nil, &SyntaxError{Pos: t.pos + 1, Msg: "bad " + strings.TrimPrefix(err.Error(), "wql: "), Query: p.q}
	}
	a.Path, a.Object = t.text, ref
	q := &Query{Associators: a}
	if !p.isKeyword("WHERE") {
		return q, nil
	}
	p.next()
	if p.peek().kind == tokEOF {
		return nil, p.errorf("expected AssocClass, ResultClass, Role, ResultRole, ClassDefsOnly, SchemaOnly or KeysOnly after WHERE")
	}
	for p.peek().kind != tokEOF {
		kw := p.peek()
		if kw.kind != tokIdent {
			return nil, p.errorf("expected an ASSOCIATORS OF / REFERENCES OF keyword, found %s", kw.describe())
		}
		var dst *string
		switch k := strings.ToLower(kw.text); {
		case k == "classdefsonly":
			a.ClassDefsOnly = true
		case k == "schemaonly":
			a.SchemaOnly = true
		case k == "keysonly":
			a.KeysOnly = true
		case k == "resultclass":
			dst = &a.ResultClass
		case k == "role":
			dst = &a.Role
		case k == "requiredassocqualifier":
			dst = &a.RequiredAssocQualifier
		case k == "assocclass" && !a.References:
			dst = &a.AssocClass
		case k == "resultrole" && !a.References:
			dst = &a.ResultRole
		case k == "requiredqualifier" && !a.References:
			dst = &a.RequiredQualifier
		default:
			form := "ASSOCIATORS OF"
			if a.References {
				form = "REFERENCES OF"
			}
			return nil, p.errorf("%s does not take %s", form, kw.describe())
		}
		p.next()
		if dst == nil {
			continue
		}
		if *dst != "" {
			return nil, &SyntaxError{Pos: kw.pos + 1, Msg: fmt.Sprintf("%s given twice", kw.text), Query: p.q}
		}
		if op := p.peek(); op.kind != tokOp || op.text != "=" {
			return nil, p.errorf("expected \"=\" after %s, found %s", kw.text, op.describe())
		}
		p.next()
		v := p.peek()
		if !(v.kind == tokIdent && !keywords[strings.ToUpper(v.text)]) && !(v.kind == tokString && IsName(v.text)) {
			return nil, p.errorf("expected a name after %s =, found %s", kw.text, v.describe())
		}
		p.next()
		*dst = v.text
	}
	if a.SchemaOnly && a.ClassDefsOnly {
		return nil, p.errorf("SchemaOnly and ClassDefsOnly cannot be used together")
	}
	return q, nil
}

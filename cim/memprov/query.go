package memprov

import (
	"context"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wql"
)

// query runs a WQL query: a SELECT over a class and its subclasses
// (WHERE evaluated, properties projected with keys kept), or an
// ASSOCIATORS OF / REFERENCES OF query.
func (p *Provider) query(ctx context.Context, n *namespace, req *model.EnumerateRequest) ([]*model.Instance, error) {
	if !isWQL(req.QueryDialect) {
		return nil, model.NewFault(model.CIMQueryLanguageNotSupported, "memprov: query dialect %s is not supported (use WQL)", model.Quote(req.QueryDialect))
	}
	q, err := wql.Parse(req.Query)
	if err != nil {
		return nil, invalidQuery(err)
	}
	if a := q.Associators; a != nil {
		if a.ClassDefsOnly || a.SchemaOnly {
			return nil, model.NewFault(model.CIMNotSupported, "memprov: ClassDefsOnly and SchemaOnly association queries are not supported")
		}
		if a.RequiredQualifier != "" || a.RequiredAssocQualifier != "" {
			return nil, model.NewFault(model.CIMNotSupported, "memprov: RequiredQualifier and RequiredAssocQualifier are not supported")
		}
		an := n
		if a.Object.Namespace != "" {
			if an, err = p.namespace(a.Object.Namespace); err != nil {
				return nil, err
			}
		}
		insts, err := p.associated(ctx, an, a.Filter())
		if err != nil {
			return nil, err
		}
		if a.KeysOnly {
			for i := range insts {
				insts[i] = project(insts[i], nil, true)
			}
		}
		return insts, nil
	}
	e, err := p.class(n, q.ClassName)
	if err != nil {
		return nil, err
	}
	if err := q.Check(p.schema(n, e)); err != nil {
		f := model.NewFault(model.CIMInvalidQuery, "memprov: %v", err)
		f.Err = err
		return nil, f
	}
	q.IsA = func(class, base string) bool { return p.isA(n, class, base) }
	insts, err := p.listDeep(ctx, n, e, req.Shallow)
	if err != nil {
		return nil, err
	}
	// The instances are this call's own copies: project them in place
	// (q.Project would copy again). A dotted name selects its first part.
	var names []string
	if q.Properties != nil {
		names = make([]string, len(q.Properties))
		for i, n := range q.Properties {
			names[i], _, _ = strings.Cut(n, ".")
		}
	}
	out := insts[:0]
	for _, inst := range insts {
		ok, err := q.Match(inst)
		if err != nil {
			return nil, invalidQuery(err)
		}
		if ok {
			out = append(out, project(inst, names, false))
		}
	}
	return out, nil
}

// isWQL reports whether a dialect names WQL: empty, "WQL", or WS-Man's
// WQL filter dialect URI.
func isWQL(d string) bool {
	return d == "" || strings.EqualFold(d, "WQL") || strings.EqualFold(d, "http://schemas.microsoft.com/wbem/wsman/1/WQL")
}

func invalidQuery(err error) error {
	f := model.NewFault(model.CIMInvalidQuery, "memprov: %v", err)
	f.Err = err
	return f
}

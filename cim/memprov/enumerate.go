package memprov

import (
	"context"

	"github.com/cimsh/cimsh/cim/model"
)

// Enumerate returns the instances of a class (and of its subclasses
// unless Shallow), the results of a WQL query, or the instances
// associated with req.Associated.Source. Properties and KeyOnly project
// the results, keys always kept.
func (p *Provider) Enumerate(ctx context.Context, req *model.EnumerateRequest) (model.Enumerator, error) {
	if req == nil {
		return nil, model.NewFault(model.CIMInvalidParameter, "memprov: nil enumerate request")
	}
	if err := ctxFault(ctx); err != nil {
		return nil, err
	}
	ns := req.Namespace
	if ns == "" && req.Associated != nil && req.Associated.Source != nil {
		ns = req.Associated.Source.Namespace
	}
	n, err := p.namespace(ns)
	if err != nil {
		return nil, err
	}
	var insts []*model.Instance
	switch {
	case req.Associated != nil:
		insts, err = p.associated(ctx, n, req.Associated)
	case req.Query != "":
		insts, err = p.query(ctx, n, req)
	default:
		var e *entry
		if e, err = p.class(n, req.ClassName); err == nil {
			insts, err = p.listDeep(ctx, n, e, req.Shallow)
		}
	}
	if err != nil {
		return nil, err
	}
	for i := range insts {
		insts[i] = project(insts[i], req.Properties, req.KeyOnly)
	}
	return &sliceEnum{items: insts}, nil
}

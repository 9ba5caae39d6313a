package memprov

import (
	"context"

	"github.com/cimsh/cimsh/cim/model"
)

// GetClass returns the effective schema of a class: its own properties
// and methods and those it inherits.
func (p *Provider) GetClass(ctx context.Context, req *model.GetClassRequest) (*model.Class, error) {
	if req == nil {
		return nil, model.NewFault(model.CIMInvalidParameter, "memprov: nil GetClass request")
	}
	if err := ctxFault(ctx); err != nil {
		return nil, err
	}
	n, err := p.namespace(req.Namespace)
	if err != nil {
		return nil, err
	}
	e, err := p.class(n, req.ClassName)
	if err != nil {
		return nil, err
	}
	return p.schema(n, e), nil
}

// EnumerateClasses lists the schemas of a namespace, or of the class
// req.ClassName and every class derived from it.
func (p *Provider) EnumerateClasses(ctx context.Context, req *model.EnumerateClassesRequest) ([]*model.Class, error) {
	if req == nil {
		req = &model.EnumerateClassesRequest{}
	}
	if err := ctxFault(ctx); err != nil {
		return nil, err
	}
	n, err := p.namespace(req.Namespace)
	if err != nil {
		return nil, err
	}
	var entries []*entry
	if req.ClassName != "" {
		e, err := p.class(n, req.ClassName)
		if err != nil {
			return nil, err
		}
		entries = p.descendants(n, e)
	} else {
		p.mu.RLock()
		entries = append(entries, n.order...)
		p.mu.RUnlock()
	}
	out := make([]*model.Class, len(entries))
	for i, e := range entries {
		out[i] = p.schema(n, e)
	}
	return out, nil
}

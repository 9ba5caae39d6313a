package memprov

import (
	"context"

	"github.com/cimsh/cimsh/cim/model"
)

// Create passes a copy of the instance to its class's Create function and
// returns what it made.
func (p *Provider) Create(ctx context.Context, req *model.CreateRequest) (*model.Instance, error) {
	if req == nil || req.Instance == nil {
		return nil, model.NewFault(model.CIMInvalidParameter, "memprov: Create needs an instance")
	}
	n, e, def, err := p.writeTarget(ctx, req.Namespace, req.Instance, "Create", func(d *ClassDef) bool { return d.Create != nil })
	if err != nil {
		return nil, err
	}
	out, err := def.Create(ctx, req.Instance.Clone())
	if err != nil {
		return nil, wrapErr(err, "memprov: creating %s", e.class.Name)
	}
	if out == nil {
		out = req.Instance
	}
	return p.decorateResult(n, e, out), nil
}

// Modify passes a copy of the instance to its class's Modify function and
// returns the instance as it is afterwards.
func (p *Provider) Modify(ctx context.Context, req *model.ModifyRequest) (*model.Instance, error) {
	if req == nil || req.Instance == nil {
		return nil, model.NewFault(model.CIMInvalidParameter, "memprov: Modify needs an instance")
	}
	n, e, def, err := p.writeTarget(ctx, req.Namespace, req.Instance, "Modify", func(d *ClassDef) bool { return d.Modify != nil })
	if err != nil {
		return nil, err
	}
	out, err := def.Modify(ctx, req.Instance.Clone())
	if err != nil {
		return nil, wrapErr(err, "memprov: modifying %s", req.Instance)
	}
	if out == nil {
		out = req.Instance
	}
	return p.decorateResult(n, e, out), nil
}

// Delete passes the path to its class's Delete function.
func (p *Provider) Delete(ctx context.Context, req *model.DeleteRequest) error {
	if req == nil || req.Path == nil {
		return model.NewFault(model.CIMInvalidParameter, "memprov: Delete needs an instance path")
	}
	if err := ctxFault(ctx); err != nil {
		return err
	}
	n, err := p.namespace(requestNamespace(req.Namespace, req.Path))
	if err != nil {
		return err
	}
	e, err := p.class(n, req.Path.ClassName)
	if err != nil {
		return err
	}
	def := p.findDef(n, e, func(d *ClassDef) bool { return d.Delete != nil })
	if def == nil {
		return model.NewFault(model.CIMNotSupported, "memprov: class %s does not support Delete", e.class.Name)
	}
	return wrapErr(def.Delete(ctx, req.Path.Clone()), "memprov: deleting %s", req.Path)
}

// writeTarget resolves the namespace, class and definition serving a
// Create or Modify of inst.
func (p *Provider) writeTarget(ctx context.Context, ns string, inst *model.Instance, op string, has func(*ClassDef) bool) (*namespace, *entry, *ClassDef, error) {
	if err := ctxFault(ctx); err != nil {
		return nil, nil, nil, err
	}
	if ns == "" {
		ns = inst.Namespace
	}
	n, err := p.namespace(ns)
	if err != nil {
		return nil, nil, nil, err
	}
	e, err := p.class(n, inst.ClassName)
	if err != nil {
		return nil, nil, nil, err
	}
	def := p.findDef(n, e, has)
	if def == nil {
		return nil, nil, nil, model.NewFault(model.CIMNotSupported, "memprov: class %s does not support %s", e.class.Name, op)
	}
	return n, e, def, nil
}

package memprov

import (
	"context"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// listDeep returns copies of the instances of e and, unless shallow, of
// every class derived from it, stamped by decorate.
func (p *Provider) listDeep(ctx context.Context, n *namespace, e *entry, shallow bool) ([]*model.Instance, error) {
	classes := []*entry{e}
	if !shallow {
		classes = p.descendants(n, e)
	}
	var out []*model.Instance
	for _, c := range classes {
		insts, err := p.listOwn(ctx, n, c)
		if err != nil {
			return nil, err
		}
		out = append(out, insts...)
	}
	return out, nil
}

// listOwn returns copies of the instances of exactly class c.
func (p *Provider) listOwn(ctx context.Context, n *namespace, c *entry) ([]*model.Instance, error) {
	if err := ctxFault(ctx); err != nil {
		return nil, err
	}
	if c.def.List == nil {
		return nil, nil
	}
	insts, err := c.def.List(ctx)
	if err != nil {
		return nil, wrapErr(err, "memprov: listing %s", c.class.Name)
	}
	keys := p.schema(n, c).KeyNames()
	out := make([]*model.Instance, 0, len(insts))
	for _, inst := range insts {
		if inst == nil {
			continue
		}
		out = append(out, p.decorate(n, c.class.Name, keys, inst))
	}
	return out, nil
}

// decorate returns a copy of inst with its class (when unset), namespace,
// computer name and key flags set.
func (p *Provider) decorate(n *namespace, class string, keys []string, inst *model.Instance) *model.Instance {
	c := inst.Clone()
	if c.ClassName == "" {
		c.ClassName = class
	}
	c.Namespace = n.name
	c.ComputerName = p.computerName
	if len(keys) > 0 {
		c.MarkKeys(keys)
	}
	return c
}

// decorateResult stamps an instance returned by Get, Create or Modify,
// using the schema of the class it names when registered.
func (p *Provider) decorateResult(n *namespace, fallback *entry, inst *model.Instance) *model.Instance {
	e := fallback
	if inst.ClassName != "" {
		p.mu.RLock()
		if c := n.classes[strings.ToLower(inst.ClassName)]; c != nil {
			e = c
		}
		p.mu.RUnlock()
	}
	return p.decorate(n, e.class.Name, p.schema(n, e).KeyNames(), inst)
}

// project keeps the key properties and the named ones (all when names
// is nil and keyOnly is false), as WMI does for a property list.
func project(inst *model.Instance, names []string, keyOnly bool) *model.Instance {
	if names == nil && !keyOnly {
		return inst
	}
	// inst is the caller's own copy
	inst.Retain(func(pr model.Property) bool { return pr.Key || (!keyOnly && containsFold(names, pr.Name)) })
	return inst
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) || x == "*" {
			return true
		}
	}
	return false
}

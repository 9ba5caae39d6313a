package memprov

import (
	"context"
	"errors"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// associated returns the instances associated with f.Source (or, with
// f.References, the association instances that refer to it), as WMI's
// ASSOCIATORS OF and REFERENCES OF do. An association is an instance of a
// class with the Association qualifier; its reference properties name
// the instances it joins.
func (p *Provider) associated(ctx context.Context, n *namespace, f *model.AssociationFilter) ([]*model.Instance, error) {
	if f.Source == nil {
		return nil, model.NewFault(model.CIMInvalidParameter, "memprov: association query needs a source instance")
	}
	srcClass, err := p.class(n, f.Source.ClassName)
	if err != nil {
		return nil, err
	}
	// The source must exist, as in WMI; its full path (its own class) is
	// what association references are compared with.
	src, err := p.get(ctx, n, srcClass, f.Source)
	if err != nil {
		return nil, err
	}
	srcPath := src.Path()
	if f.AssociationClass != "" {
		if _, err := p.class(n, f.AssociationClass); err != nil {
			return nil, err
		}
	}
	isA := func(class, base string) bool { return p.isA(n, class, base) }

	p.mu.RLock()
	order := append([]*entry(nil), n.order...)
	p.mu.RUnlock()

	var out []*model.Instance
	seen := map[string]bool{}
	// Listings made while resolving references, so that n links to
	// instances of one class list it once, not n times.
	lists := map[*entry][]*model.Instance{}
	for _, ae := range order {
		if !p.isAssociation(n, ae) {
			continue
		}
		if f.AssociationClass != "" && !isA(ae.class.Name, f.AssociationClass) {
			continue
		}
		links, err := p.listOwn(ctx, n, ae)
		if err != nil {
			return nil, err
		}
		for _, link := range links {
			role := sourceRole(link, srcPath, f.Role, isA)
			if role == "" {
				continue
			}
			if f.References {
				if f.ResultClass != "" && !isA(link.ClassName, f.ResultClass) {
					continue
				}
				out = append(out, link)
				continue
			}
			for _, pr := range link.All() {
				r, ok := pr.Value.AsReference()
				if !ok || strings.EqualFold(pr.Name, role) {
					continue
				}
				if f.ResultRole != "" && !strings.EqualFold(pr.Name, f.ResultRole) {
					continue
				}
				other, err := p.resolve(ctx, n, r, lists)
				if err != nil {
					if errors.Is(err, model.ErrNotFound) {
						continue // a dangling reference, skipped as WMI does
					}
					return nil, err
				}
				if f.ResultClass != "" && !isA(other.ClassName, f.ResultClass) {
					continue
				}
				key := strings.ToLower(other.Path().String())
				if seen[key] {
					continue
				}
				seen[key] = true
				out = append(out, other)
			}
		}
	}
	return out, nil
}

// sourceRole returns the name of the reference property of link that
// points at src (and is named role, when role is set), or "".
func sourceRole(link *model.Instance, src *model.Reference, role string, isA func(string, string) bool) string {
	for _, pr := range link.All() {
		r, ok := pr.Value.AsReference()
		if !ok {
			continue
		}
		if role != "" && !strings.EqualFold(pr.Name, role) {
			continue
		}
		if sameInstance(r, src, isA) {
			return pr.Name
		}
	}
	return ""
}

// resolve returns the instance a reference names, using and filling
// lists (listings by class) when the class has no Get function.
func (p *Provider) resolve(ctx context.Context, n *namespace, r *model.Reference, lists map[*entry][]*model.Instance) (*model.Instance, error) {
	rn := n
	if r.Namespace != "" {
		var err error
		if rn, err = p.namespace(r.Namespace); err != nil {
			return nil, err
		}
	}
	e, err := p.class(rn, r.ClassName)
	if err != nil {
		return nil, err
	}
	sels := userSelectors(r)
	if e.def.Get != nil || len(sels) == 0 {
		return p.get(ctx, rn, e, r)
	}
	insts, ok := lists[e]
	if !ok {
		if insts, err = p.listDeep(ctx, rn, e, false); err != nil {
			return nil, err
		}
		lists[e] = insts
	}
	for _, inst := range insts {
		if matchSelectors(inst, sels) {
			return inst.Clone(), nil
		}
	}
	return nil, notFound(r)
}

// isAssociation reports whether e or a class it derives from has the
// Association qualifier (which subclasses inherit).
func (p *Provider) isAssociation(n *namespace, e *entry) bool {
	for c, i := e, 0; c != nil && i < 64; c, i = p.parent(n, c), i+1 {
		if q, ok := c.class.Qualifier("Association"); ok {
			b, isBool := q.Value.AsBool()
			return !isBool || b
		}
	}
	return false
}

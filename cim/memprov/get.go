package memprov

import (
	"context"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wql"
)

// requestNamespace picks the namespace of a request: the request's own,
// else the path's, else the default.
func requestNamespace(common string, path *model.Reference) string {
	if common != "" {
		return common
	}
	if path != nil && path.Namespace != "" {
		return path.Namespace
	}
	return model.DefaultNamespace
}

// Get returns the instance at req.Path: through the class's Get function
// when it has one, otherwise by matching the path's keys against the
// instances of the class and its subclasses.
func (p *Provider) Get(ctx context.Context, req *model.GetRequest) (*model.Instance, error) {
	if req == nil || req.Path == nil {
		return nil, model.NewFault(model.CIMInvalidParameter, "memprov: Get needs an instance path")
	}
	if err := ctxFault(ctx); err != nil {
		return nil, err
	}
	n, err := p.namespace(requestNamespace(req.Namespace, req.Path))
	if err != nil {
		return nil, err
	}
	e, err := p.class(n, req.Path.ClassName)
	if err != nil {
		return nil, err
	}
	inst, err := p.get(ctx, n, e, req.Path)
	if err != nil {
		return nil, err
	}
	return inst, nil
}

// get resolves path (whose class is e) to a decorated copy.
func (p *Provider) get(ctx context.Context, n *namespace, e *entry, path *model.Reference) (*model.Instance, error) {
	if e.def.Get != nil {
		inst, err := e.def.Get(ctx, path.Clone())
		if err != nil {
			return nil, wrapErr(err, "memprov: getting %s", path)
		}
		if inst == nil {
			return nil, notFound(path)
		}
		return p.decorateResult(n, e, inst), nil
	}
	insts, err := p.listDeep(ctx, n, e, false)
	if err != nil {
		return nil, err
	}
	sels := userSelectors(path)
	if len(sels) == 0 {
		// A singleton (Class=@) or a keyless class: the one instance.
		if len(insts) == 1 {
			return insts[0], nil
		}
		if len(insts) == 0 {
			return nil, notFound(path)
		}
		return nil, model.NewFault(model.CIMInvalidParameter, "memprov: %s has %d instances; give its keys", e.class.Name, len(insts))
	}
	for _, inst := range insts {
		if matchSelectors(inst, sels) {
			return inst, nil
		}
	}
	return nil, notFound(path)
}

func notFound(path *model.Reference) error {
	return model.NewFault(model.CIMNotFound, "memprov: no instance %s", model.Clip(path.String()))
}

// userSelectors drops WS-Man's system selectors (__cimnamespace).
func userSelectors(r *model.Reference) []model.Selector {
	var out []model.Selector
	for _, s := range r.Selectors {
		if !strings.HasPrefix(s.Name, "__") {
			out = append(out, s)
		}
	}
	return out
}

// matchSelectors reports whether inst has every selector's value.
func matchSelectors(inst *model.Instance, sels []model.Selector) bool {
	for _, s := range sels {
		v, ok := inst.Get(s.Name)
		if !ok || !selectorMatches(v, s) {
			return false
		}
	}
	return true
}

// selectorMatches compares a property value with a selector: strings
// case-insensitively (WMI keys are), references by their keys, other
// values after parsing the selector's text as the value's type.
func selectorMatches(v model.Value, s model.Selector) bool {
	if v.IsNull() || v.IsArray() {
		return false
	}
	if r, ok := v.AsReference(); ok {
		sr := s.Ref
		if sr == nil {
			parsed, err := wql.ParseObjectPath(s.Value)
			if err != nil {
				return false
			}
			sr = parsed
		}
		return sameInstance(r, sr, nil)
	}
	if str, ok := v.AsString(); ok {
		// ParseObjectPath may have read a string key as a path; the text
		// is what counts for a string property.
		return strings.EqualFold(str, s.Value)
	}
	if s.Ref != nil {
		return false
	}
	sv, err := model.ParseScalar(v.Type(), s.Value)
	if err != nil {
		return strings.EqualFold(v.Text(), s.Value)
	}
	return model.Equal(v, sv)
}

// sameInstance reports whether two references name the same instance:
// keys equal (as selectorMatches compares them), classes equal or one
// derived from the other (isA, when given), namespaces equal when both
// are set.
func sameInstance(a, b *model.Reference, isA func(class, base string) bool) bool {
	if a == nil || b == nil {
		return a == b
	}
	if !strings.EqualFold(a.ClassName, b.ClassName) {
		if isA == nil || !(isA(a.ClassName, b.ClassName) || isA(b.ClassName, a.ClassName)) {
			return false
		}
	}
	if a.Namespace != "" && b.Namespace != "" && normalizeNamespace(a.Namespace) != normalizeNamespace(b.Namespace) {
		return false
	}
	as, bs := userSelectors(a), userSelectors(b)
	if len(as) != len(bs) {
		return false
	}
	for _, x := range as {
		y, ok := b.Selector(x.Name)
		if !ok {
			return false
		}
		if x.Ref != nil || y.Ref != nil {
			if !sameInstance(x.Ref, y.Ref, isA) {
				return false
			}
			continue
		}
		if !strings.EqualFold(x.Value, y.Value) {
			return false
		}
	}
	return true
}

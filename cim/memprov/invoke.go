package memprov

import (
	"context"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// Invoke runs a static method (req.Target nil) or a method of the
// instance at req.Target. The input parameters are converted to the
// types the method's schema declares; an unknown parameter or a value
// that does not convert is a CIM_ERR_INVALID_PARAMETER fault naming it.
func (p *Provider) Invoke(ctx context.Context, req *model.InvokeRequest) (*model.Instance, error) {
	if req == nil {
		return nil, model.NewFault(model.CIMInvalidParameter, "memprov: nil invoke request")
	}
	if err := ctxFault(ctx); err != nil {
		return nil, err
	}
	className := req.ClassName
	if className == "" && req.Target != nil {
		className = req.Target.ClassName
	}
	n, err := p.namespace(requestNamespace(req.Namespace, req.Target))
	if err != nil {
		return nil, err
	}
	e, err := p.class(n, className)
	if err != nil {
		return nil, err
	}
	var target *model.Instance
	if req.Target != nil {
		te := e
		if req.Target.ClassName != "" {
			if te, err = p.class(n, req.Target.ClassName); err != nil {
				return nil, err
			}
		}
		if target, err = p.get(ctx, n, te, req.Target); err != nil {
			return nil, err
		}
		// The method is the target's: a subclass may override it.
		if te2, err := p.class(n, target.ClassName); err == nil {
			e = te2
		}
	}
	lname := strings.ToLower(req.Method)
	def := p.findDef(n, e, func(d *ClassDef) bool { return d.Methods[lname] != nil })
	schema := p.schema(n, e)
	decl := schema.Method(req.Method)
	if def == nil {
		if decl != nil {
			// Declared but not implemented: WMI's WBEM_E_METHOD_NOT_IMPLEMENTED.
			return nil, model.NewFault(model.CIMMethodNotAvailable, "memprov: method %s of %s is not implemented", decl.Name, schema.Name)
		}
		return nil, model.NewFault(model.CIMMethodNotFound, "memprov: class %s has no method %s", schema.Name, model.Quote(req.Method))
	}
	if decl != nil && !decl.Static && target == nil {
		return nil, model.NewFault(model.CIMInvalidParameter, "memprov: method %s of %s is not static: invoke it on an instance", decl.Name, schema.Name)
	}
	name := req.Method
	if decl != nil {
		name = decl.Name
	}
	in, err := convertIn(schema.Name, name, decl, req.In)
	if err != nil {
		return nil, err
	}
	out, err := def.Methods[lname](ctx, target, in)
	if err != nil {
		return nil, wrapErr(err, "memprov: %s.%s", schema.Name, name)
	}
	if out == nil {
		out = model.NewInstance("__PARAMETERS", n.name)
	} else {
		out = out.Clone()
	}
	if out.ClassName == "" {
		out.ClassName = "__PARAMETERS"
	}
	out.Namespace = n.name
	out.ComputerName = p.computerName
	if decl != nil {
		convertOut(decl, out)
	}
	return out, nil
}

// convertIn builds the input parameter instance, typed from decl.
func convertIn(class, method string, decl *model.Method, props []model.Property) (*model.Instance, error) {
	in := model.NewInstance("__PARAMETERS", "")
	for _, pr := range props {
		if decl == nil {
			in.Set(pr.Name, pr.Value)
			continue
		}
		pd := decl.Parameter(pr.Name)
		if pd == nil || (!pd.In && pd.Out) {
			return nil, model.NewFault(model.CIMInvalidParameter, "memprov: method %s.%s has no input parameter %s", class, method, model.Quote(pr.Name))
		}
		v, err := model.Convert(pr.Value, pd.Type, pd.Array)
		if err != nil {
			f := model.NewFault(model.CIMInvalidParameter, "memprov: parameter %s of %s.%s: %v", pd.Name, class, method, err)
			f.Err = err
			return nil, f
		}
		in.Set(pd.Name, v)
	}
	return in, nil
}

// convertOut types the out parameters and the return value as decl
// declares them, leaving a value that does not convert as it is.
func convertOut(decl *model.Method, out *model.Instance) {
	for k, pr := range out.All() {
		if strings.EqualFold(pr.Name, "ReturnValue") {
			if v, err := model.Convert(pr.Value, decl.ReturnType, false); err == nil {
				out.SetAt(k, v)
			}
			continue
		}
		if pd := decl.Parameter(pr.Name); pd != nil {
			if v, err := model.Convert(pr.Value, pd.Type, pd.Array); err == nil {
				out.SetAt(k, v)
			}
		}
	}
}

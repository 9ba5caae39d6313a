package wsmantest

import (
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// invoke answers a method call. Windows names the output Method_OUTPUT
// and answers Action .../MethodResponse; OMI repeats the request's Action
// and names the output after the method, Method_OUTPUT or Class_OUTPUT
// (Options.OMIInvokeOutput).
func (c *call) invoke() ([]byte, *FaultSpec) {
	t, f := c.instanceTarget()
	if f != nil {
		return nil, f
	}
	method := c.log.Method
	class := c.s.class(c.ctx, t.Namespace, t.Class)
	var decl *model.Method
	if class != nil {
		decl = class.Method(method)
		if decl == nil {
			return nil, &FaultSpec{Subcode: "a:ActionNotSupported",
				CIM: model.NewFault(model.CIMMethodNotFound, "The method %s does not exist in class %s.", method, class.Name)}
		}
		method = decl.Name
	}
	var in []model.Property
	if b := c.req.Body; b != nil {
		if !strings.EqualFold(b.Name.Local, method+"_INPUT") {
			return nil, &FaultSpec{Subcode: "w:SchemaValidationError",
				Message: "The Invoke body must be " + method + "_INPUT, not " + b.Name.Local + "."}
		}
		for _, g := range groupChildren(b) {
			var pd *model.Parameter
			if decl != nil {
				pd = decl.Parameter(g.name)
				if pd == nil || !pd.In {
					return nil, &FaultSpec{Subcode: "w:InternalError",
						CIM: model.NewFault(model.CIMInvalidParameter, "The method %s has no input parameter %s.", method, g.name)}
				}
			}
			v, err := c.s.decodeValue(c.ctx, g.elems, paramDecl(pd), t.Namespace, 0)
			if err != nil {
				return nil, &FaultSpec{Subcode: "w:InternalError",
					CIM: model.NewFault(model.CIMInvalidParameter, "parameter %s: %v", g.name, err)}
			}
			name := g.name
			if pd != nil {
				name = pd.Name
			}
			in = append(in, model.Property{Name: name, Value: v})
		}
	}
	var targetRef *model.Reference
	if sels := withoutNamespaceSelector(c.req.Selectors); len(sels) > 0 {
		ref, f := c.path(t)
		if f != nil {
			return nil, f
		}
		if c.st.dialect == Windows {
			if inst, err := c.lookup(t, ref); err == nil {
				ref = inst.Path()
			} else {
				return nil, c.fault(err, opOther)
			}
		}
		ref.ResourceURI = t.URI
		targetRef = ref
	} else if decl != nil && !decl.Static {
		return nil, &FaultSpec{Subcode: "w:InvalidSelectors",
			Detail:  "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InsufficientSelectors",
			Message: "The method " + method + " is not static: the request must name the instance with selectors."}
	}
	className := t.Class
	if class != nil {
		className = class.Name
	}
	out, err := c.s.provider.Invoke(c.ctx, &model.InvokeRequest{Common: model.Common{Namespace: t.Namespace, ResourceURI: t.URI},
		ClassName: className, Target: targetRef, Method: method, In: in})
	if err != nil {
		return nil, c.fault(err, opOther)
	}
	if out == nil {
		out = model.NewInstance(method+"_OUTPUT", t.Namespace)
	}
	return c.invokeResponse(t, method, out)
}

func (c *call) invokeResponse(t target, method string, out *model.Instance) ([]byte, *FaultSpec) {
	limit, f := c.maxEnvelope()
	if f != nil {
		return nil, f
	}
	// Windows lists ReturnValue last, OMI first.
	ordered := out.Clone()
	ordered.Namespace = t.Namespace
	if k := ordered.Index("ReturnValue"); k >= 0 {
		rv := ordered.At(k)
		ordered.Remove(rv.Name)
		if c.st.dialect == OMI {
			ordered.SetProperties(append([]model.Property{rv}, ordered.PropertyList()...))
		} else {
			ordered.Append(rv)
		}
	}
	enc := c.encoder(t)
	enc.schema = nil // out parameters are not the class's properties
	uri := classURI(t.WMI && c.st.dialect == Windows, t.Namespace, t.Class)
	if c.st.dialect == OMI {
		r := c.s.begin(c.st, c.req.Action, c.req.MessageID, "", false)
		name := "p:" + method
		switch c.s.opts.OMIInvokeOutput {
		case OMIOutputMethodOUTPUT:
			name += "_OUTPUT"
		case OMIOutputClassOUTPUT:
			name = "p:" + c.className(t) + "_OUTPUT"
		}
		r.raw("<", name)
		r.attr("xmlns:p", uri)
		r.raw("\n>\n")
		enc.properties(&r.xw, "p", ordered, nil, 1, "\n")
		r.raw("</", name, ">\n")
		return checkSize(r.end(), limit)
	}
	r := c.s.begin(c.st, c.req.ResourceURI+"/"+method+"Response", c.req.MessageID, "s a w p", false)
	name := "p:" + method + "_OUTPUT"
	r.raw("<", name)
	r.attr("xmlns:p", uri)
	r.attr("xmlns:xsi", nsXSI)
	r.attr("xmlns:cim", nsCIMCommon)
	r.raw(">")
	enc.properties(&r.xw, "p", ordered, nil, 1, "")
	r.raw("</", name, ">")
	return checkSize(r.end(), limit)
}

func checkSize(out []byte, limit int) ([]byte, *FaultSpec) {
	if len(out) > limit {
		return nil, tooBig(len(out), limit)
	}
	return out, nil
}

// className is the class an Invoke addressed, as its schema spells it.
func (c *call) className(t target) string {
	if cl := c.s.class(c.ctx, t.Namespace, t.Class); cl != nil {
		return cl.Name
	}
	return t.Class
}

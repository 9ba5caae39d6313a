package wsman

import (
	"context"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// classOptions are Get-CimClass's options.
var classOptions = []option{
	{"IncludeInheritanceHierarchy", "xs:boolean", "true"},
	{"IncludeInheritedElements", "xs:boolean", "true"},
	{"IncludeQualifiers", "xs:boolean", "true"},
	{"msftwinrm:UsePreciseArrays", "xs:boolean", "true"},
}

// GetClass returns a class schema: a transfer Get on the CIM-XML
// resource URI with ClassName and __cimnamespace selectors. The schema is
// cached for typing instances.
func (c *Client) GetClass(ctx context.Context, req *model.GetClassRequest) (*model.Class, error) {
	if req.ClassName == "" {
		return nil, c.invalid("wsman: GetClass without a class name")
	}
	ns := model.NamespaceOr(req.Namespace)
	if c.opts.NoSchema {
		return c.getClass(ctx, ns, req.ClassName)
	}
	return c.lookupSchema(ctx, ns, req.ClassName)
}

func (c *Client) getClass(ctx context.Context, ns, class string) (*model.Class, error) {
	sels := []model.Selector{{Name: SelectorNamespace, Value: namespaceSelectorValue(ns)}, {Name: "ClassName", Value: class}}
	env := c.appendHeader(nil, &request{action: ActionGet, resourceURI: ClassSchemaURI, selectors: sels, options: classOptions})
	env = appendEnvelopeEnd(env)
	body, err := c.post(ctx, env, EffectRead, 0)
	if err != nil {
		return nil, err
	}
	d, se, ok, err := c.openBody(body)
	if err != nil {
		return nil, err
	}
	if !ok || se.Name.Local != "CLASS" {
		name := ""
		if ok {
			name = se.Name.Local
		}
		return nil, c.protocolFault(errUnexpected(name, "a CIM-XML CLASS"))
	}
	cl, err := DecodeClass(d, se)
	if err != nil {
		return nil, c.protocolFault(err)
	}
	cl.Namespace = ns
	return cl, nil
}

// EnumerateClasses lists the classes of a namespace (an enumeration of
// the CIM-XML resource URI), those derived from ClassName when it is set
// (ClassName included), and caches their schemas.
func (c *Client) EnumerateClasses(ctx context.Context, req *model.EnumerateClassesRequest) ([]*model.Class, error) {
	ns := model.NamespaceOr(req.Namespace)
	spec := &enumSpec{uri: ClassSchemaURI, namespace: ns,
		selectors: []model.Selector{{Name: SelectorNamespace, Value: namespaceSelectorValue(ns)}}}
	e := &enumerator{c: c, spec: spec, max: c.opts.BatchSize, timeout: req.OperationTimeout,
		idec: &itemDecoder{namespace: ns}}
	env := c.appendHeader(nil, &request{action: ActionEnumerate, resourceURI: spec.uri, selectors: spec.selectors, options: classOptions, timeout: req.OperationTimeout})
	env = append(env, "<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>"...)
	env = strconv.AppendInt(env, int64(e.max), 10)
	env = append(env, "</w:MaxElements></n:Enumerate>"...)
	env = appendEnvelopeEnd(env)
	b, err := e.roundTrip(ctx, env, EffectOpen)
	if err != nil {
		e.Close() // releases a context the failed reply opened
		return nil, err
	}
	e.take(b)
	if !e.done {
		c.track(e)
	}
	for e.Next(ctx) {
		// Class enumerations carry classes, not instances.
	}
	e.Close()
	if err := e.Err(); err != nil {
		return nil, err
	}
	classes := e.classes
	for _, cl := range classes {
		cl.Namespace = ns
		if !c.opts.NoSchema {
			c.schemas.put(ns, cl)
		}
	}
	if req.ClassName != "" {
		classes = derivedFrom(classes, req.ClassName)
	}
	return classes, nil
}

// derivedFrom keeps the classes that are base or derive from it.
func derivedFrom(classes []*model.Class, base string) []*model.Class {
	super := map[string]string{}
	for _, cl := range classes {
		super[strings.ToLower(cl.Name)] = strings.ToLower(cl.SuperClass)
	}
	base = strings.ToLower(base)
	var out []*model.Class
	for _, cl := range classes {
		for n, hops := strings.ToLower(cl.Name), 0; n != "" && hops < 64; n, hops = super[n], hops+1 {
			if n == base {
				out = append(out, cl)
				break
			}
		}
	}
	return out
}

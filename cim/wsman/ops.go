package wsman

import (
	"context"
	"fmt"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// target resolves the resource URI and selectors addressing one
// instance (or, with a nil path, a class for static methods).
func (c *Client) target(common *model.Common, class string, path *model.Reference) (uri string, sels []model.Selector, ns string) {
	ns = model.NamespaceOr(common.Namespace)
	if path != nil && path.Namespace != "" && common.Namespace == "" {
		ns = path.Namespace
	}
	if path != nil && class == "" {
		class = path.ClassName
	}
	switch {
	case common.ResourceURI != "":
		uri = common.ResourceURI
	case path != nil && path.ResourceURI != "" && !strings.HasSuffix(path.ResourceURI, "/*"):
		uri = path.ResourceURI
	default:
		uri = ResourceURI(c.form(), ns, class)
	}
	if path != nil {
		for _, s := range path.Selectors {
			if !strings.EqualFold(s.Name, SelectorNamespace) {
				sels = append(sels, s)
			}
		}
	}
	if FormOf(uri) == FormDMTF {
		sels = append([]model.Selector{{Name: SelectorNamespace, Value: namespaceSelectorValue(ns)}}, sels...)
	}
	return uri, sels, ns
}

func (c *Client) invalid(format string, args ...any) error {
	return &model.Fault{Category: model.CategoryInvalidParameter, ComputerName: c.opts.ComputerName, Err: fmt.Errorf(format, args...)}
}

// Get returns one instance by its keys (transfer Get with selectors).
func (c *Client) Get(ctx context.Context, req *model.GetRequest) (*model.Instance, error) {
	if req.Path == nil {
		return nil, c.invalid("wsman: Get without an instance path")
	}
	uri, sels, ns := c.target(&req.Common, "", req.Path)
	env := c.appendHeader(nil, &request{action: ActionGet, resourceURI: uri, selectors: sels, timeout: req.OperationTimeout})
	env = appendEnvelopeEnd(env)
	body, err := c.post(ctx, env, true, req.OperationTimeout)
	if err != nil {
		return nil, err
	}
	return c.decodeInstanceReply(ctx, body, ns, nil)
}

// decodeInstanceReply decodes the first Body child as an instance, typed
// by its class schema (or by schema when given).
func (c *Client) decodeInstanceReply(ctx context.Context, body []byte, ns string, schema *model.Class) (*model.Instance, error) {
	d, se, ok, err := c.openBody(body)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil
	}
	idec := &itemDecoder{namespace: ns}
	if !c.opts.NoSchema {
		idec.schema = func(class string) (*model.Class, error) {
			if schema != nil && strings.EqualFold(class, schema.Name) {
				return schema, nil
			}
			return c.schema(ctx, ns, class)
		}
	}
	inst, err := idec.decodeItem(d, se)
	if err != nil {
		if _, isFault := model.AsFault(err); isFault {
			return nil, err
		}
		return nil, c.protocolFault(err)
	}
	inst.ComputerName = c.opts.ComputerName
	return inst, nil
}

// Invoke calls a static (Target nil) or instance method. Arguments are
// converted to the parameter types of the method's schema when the class
// schema is known. The output element is read whatever its name
// (Windows' Method_OUTPUT, OMI's variants).
func (c *Client) Invoke(ctx context.Context, req *model.InvokeRequest) (*model.Instance, error) {
	if req.Method == "" {
		return nil, c.invalid("wsman: Invoke without a method name")
	}
	class := req.ClassName
	if class == "" && req.Target != nil {
		class = req.Target.ClassName
	}
	if class == "" && req.ResourceURI == "" {
		return nil, c.invalid("wsman: Invoke of %s without a class name", req.Method)
	}
	uri, sels, ns := c.target(&req.Common, class, req.Target)
	if class == "" {
		_, class = ParseResourceURI(uri)
	}
	cl, err := c.schema(ctx, ns, class)
	if err != nil {
		return nil, err
	}
	inSchema, outSchema := methodSchema(cl, req.Method)
	params := &model.Instance{ClassName: class, Properties: convertArgs(req.In, inSchema)}
	env := c.appendHeader(nil, &request{action: uri + "/" + req.Method, resourceURI: uri, selectors: sels, timeout: req.OperationTimeout})
	env = AppendInstanceWith(env, params, uri, EncodeOptions{ElementName: req.Method + "_INPUT", TypeAttr: req.Method + "_INPUT_Type", Form: c.form()})
	env = appendEnvelopeEnd(env)
	body, err := c.post(ctx, env, false, req.OperationTimeout)
	if err != nil {
		return nil, err
	}
	d, se, ok, err := c.openBody(body)
	if err != nil {
		return nil, err
	}
	if !ok {
		return &model.Instance{ClassName: req.Method + "_OUTPUT", Namespace: ns, ComputerName: c.opts.ComputerName}, nil
	}
	var lookup SchemaFunc
	if !c.opts.NoSchema {
		lookup = func(name string) *model.Class { s, _ := c.schema(ctx, ns, name); return s }
	}
	out, err := decodeInstance(d, se, outSchema, lookup)
	if err != nil {
		return nil, c.protocolFault(err)
	}
	out.Namespace = ns
	out.ComputerName = c.opts.ComputerName
	return out, nil
}

// convertArgs types the arguments by the method's input schema; values
// that do not convert are sent as they are (the server reports them).
func convertArgs(in []model.Property, schema *model.Class) []model.Property {
	out := make([]model.Property, len(in))
	copy(out, in)
	if schema == nil {
		return out
	}
	for i := range out {
		decl := schema.Property(out[i].Name)
		if decl == nil || decl.Type == model.TypeReference || decl.Type == model.TypeInstance {
			continue
		}
		if v, err := model.Convert(out[i].Value, decl.Type, decl.Array); err == nil {
			out[i].Value = v
		}
	}
	return out
}

// Create creates an instance (transfer Create) and returns it with its
// Ref and keys from the ResourceCreated EPR (or as the server returned
// it).
func (c *Client) Create(ctx context.Context, req *model.CreateRequest) (*model.Instance, error) {
	if req.Instance == nil || req.Instance.ClassName == "" {
		return nil, c.invalid("wsman: Create without an instance of a named class")
	}
	common := req.Common
	if common.Namespace == "" {
		common.Namespace = req.Instance.Namespace
	}
	if common.ResourceURI == "" {
		common.ResourceURI = req.Instance.ResourceURI
	}
	uri, sels, ns := c.target(&common, req.Instance.ClassName, nil)
	env := c.appendHeader(nil, &request{action: ActionCreate, resourceURI: uri, selectors: sels, timeout: req.OperationTimeout})
	env = AppendInstanceWith(env, req.Instance, uri, EncodeOptions{Form: c.form(), ValueTypes: true})
	env = appendEnvelopeEnd(env)
	body, err := c.post(ctx, env, false, req.OperationTimeout)
	if err != nil {
		return nil, err
	}
	d, se, ok, err := c.openBody(body)
	if err != nil {
		return nil, err
	}
	created := req.Instance.Clone()
	created.Namespace = ns
	created.ComputerName = c.opts.ComputerName
	if created.ResourceURI == "" {
		created.ResourceURI = uri
	}
	if !ok {
		return created, nil
	}
	if se.Name.Local == "ResourceCreated" {
		ref, err := DecodeEPR(d, se)
		if err != nil {
			return nil, c.protocolFault(err)
		}
		if ref.Namespace == "" {
			ref.Namespace = ns
		}
		created.Ref = ref
		for _, s := range ref.Selectors {
			if created.Property(s.Name) == nil {
				if s.Ref != nil {
					created.Set(s.Name, model.Ref(s.Ref))
				} else {
					created.Set(s.Name, model.Untyped(s.Value))
				}
			}
			created.Property(s.Name).Key = true
		}
		return created, nil
	}
	return c.decodeInstanceReply(ctx, body, ns, nil)
}

// Modify replaces an instance (transfer Put addressed by its keys) and
// returns the instance as the server returned it. The whole instance is
// sent; Properties is not used by WS-Man.
func (c *Client) Modify(ctx context.Context, req *model.ModifyRequest) (*model.Instance, error) {
	if req.Instance == nil {
		return nil, c.invalid("wsman: Modify without an instance")
	}
	path := req.Instance.Path()
	if len(path.Selectors) == 0 {
		return nil, c.invalid("wsman: Modify of %s: the instance has no key properties", req.Instance.ClassName)
	}
	common := req.Common
	if common.Namespace == "" {
		common.Namespace = req.Instance.Namespace
	}
	uri, sels, ns := c.target(&common, req.Instance.ClassName, path)
	env := c.appendHeader(nil, &request{action: ActionPut, resourceURI: uri, selectors: sels, timeout: req.OperationTimeout})
	env = AppendInstanceWith(env, req.Instance, uri, EncodeOptions{Form: c.form(), ValueTypes: true})
	env = appendEnvelopeEnd(env)
	body, err := c.post(ctx, env, false, req.OperationTimeout)
	if err != nil {
		return nil, err
	}
	inst, err := c.decodeInstanceReply(ctx, body, ns, nil)
	if err != nil {
		return nil, err
	}
	if inst == nil {
		inst = req.Instance.Clone()
		inst.ComputerName = c.opts.ComputerName
	}
	return inst, nil
}

// Delete removes the instance at Path (transfer Delete).
func (c *Client) Delete(ctx context.Context, req *model.DeleteRequest) error {
	if req.Path == nil || len(req.Path.Selectors) == 0 {
		return c.invalid("wsman: Delete without an instance path")
	}
	uri, sels, _ := c.target(&req.Common, "", req.Path)
	env := c.appendHeader(nil, &request{action: ActionDelete, resourceURI: uri, selectors: sels, timeout: req.OperationTimeout})
	env = appendEnvelopeEnd(env)
	body, err := c.post(ctx, env, false, req.OperationTimeout)
	if err != nil {
		return err
	}
	if _, _, _, err := c.openBody(body); err != nil {
		return err
	}
	return nil
}

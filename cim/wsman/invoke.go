package wsman

import (
	"context"

	"github.com/cimsh/cimsh/cim/model"
)

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
	params := model.NewInstanceOf(class, "", convertArgs(req.In, inSchema)...)
	env := c.appendHeader(nil, &request{action: uri + "/" + req.Method, resourceURI: uri, selectors: sels, timeout: req.OperationTimeout, options: customOptions(req.Common.Options)})
	env = AppendInstanceWith(env, params, uri, EncodeOptions{ElementName: req.Method + "_INPUT", TypeAttr: req.Method + "_INPUT_Type", Form: c.form()})
	env = appendEnvelopeEnd(env)
	body, err := c.post(ctx, env, EffectChange, req.OperationTimeout)
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

package wsman

import (
	"context"

	"github.com/cimsh/cimsh/cim/model"
)

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
	env := c.appendHeader(nil, &request{action: ActionCreate, resourceURI: uri, selectors: sels, timeout: req.OperationTimeout, options: customOptions(req.Common.Options)})
	env = AppendInstanceWith(env, req.Instance, uri, EncodeOptions{Form: c.form(), ValueTypes: true, Schema: c.Schema(ns, req.Instance.ClassName)})
	env = appendEnvelopeEnd(env)
	body, err := c.post(ctx, env, EffectChange, req.OperationTimeout)
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
			if !created.Has(s.Name) {
				if s.Ref != nil {
					created.Set(s.Name, model.Ref(s.Ref))
				} else {
					created.Set(s.Name, model.Untyped(s.Value))
				}
			}
			created.SetKeyAt(created.Index(s.Name), true)
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
	env := c.appendHeader(nil, &request{action: ActionPut, resourceURI: uri, selectors: sels, timeout: req.OperationTimeout, options: customOptions(req.Common.Options)})
	env = AppendInstanceWith(env, req.Instance, uri, EncodeOptions{Form: c.form(), ValueTypes: true, Schema: c.Schema(ns, req.Instance.ClassName)})
	env = appendEnvelopeEnd(env)
	body, err := c.post(ctx, env, EffectChange, req.OperationTimeout)
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
	env := c.appendHeader(nil, &request{action: ActionDelete, resourceURI: uri, selectors: sels, timeout: req.OperationTimeout, options: customOptions(req.Common.Options)})
	env = appendEnvelopeEnd(env)
	body, err := c.post(ctx, env, EffectChange, req.OperationTimeout)
	if err != nil {
		return err
	}
	if _, _, _, err := c.openBody(body); err != nil {
		return err
	}
	return nil
}

package wsman

import (
	"context"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// Get returns one instance by its keys (transfer Get with selectors).
func (c *Client) Get(ctx context.Context, req *model.GetRequest) (*model.Instance, error) {
	if req.Path == nil {
		return nil, c.invalid("wsman: Get without an instance path")
	}
	uri, sels, ns := c.target(&req.Common, "", req.Path)
	env := c.appendHeader(nil, &request{action: ActionGet, resourceURI: uri, selectors: sels, timeout: req.OperationTimeout, options: customOptions(req.Common.Options)})
	env = appendEnvelopeEnd(env)
	body, err := c.post(ctx, env, EffectRead, req.OperationTimeout)
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

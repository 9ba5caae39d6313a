package wsman

import (
	"context"
	"sync"

	"github.com/cimsh/cimsh/cim/model"
	xml "github.com/cimsh/cimsh/cim/wsman/xmltok"
)

// Eventing actions and the pull delivery mode.
const (
	ActionUnsubscribe = NsEventing + "/Unsubscribe"
	DeliveryModePull  = "http://schemas.dmtf.org/wbem/wsman/1/wsman/Pull"
)

// SubscribeRequest is model.SubscribeRequest: one request type serves
// the client and every other Subscriber.
type SubscribeRequest = model.SubscribeRequest

// The client is a model.Subscriber.
var _ model.Subscriber = (*Client)(nil)

// subscription is the server side of a subscription: its manager EPR.
type subscription struct {
	address     string
	resourceURI string
	selectors   []model.Selector
	params      []byte // reference parameters echoed as headers (e:Identifier)
	once        sync.Once
}

// Subscribe subscribes to indications and returns an enumerator of the
// events: Next waits (Pulling, retrying the server's TimedOut) until an
// event arrives or ctx ends; Close unsubscribes.
func (c *Client) Subscribe(ctx context.Context, req *SubscribeRequest) (model.Enumerator, error) {
	query := req.Query
	if query == "" && req.ClassName != "" {
		query = "SELECT * FROM " + req.ClassName // every indication of the class
	}
	if query == "" {
		return nil, c.invalid("wsman: Subscribe without an event query or indication class")
	}
	ns := model.NamespaceOr(req.Namespace)
	uri := req.ResourceURI
	if uri == "" {
		class := req.ClassName
		if class == "" {
			class = "*"
		}
		uri = ResourceURI(c.form(), ns, class)
	}
	var sels []model.Selector
	if needsNamespaceSelector(uri) {
		sels = []model.Selector{{Name: SelectorNamespace, Value: namespaceSelectorValue(ns)}}
	}
	env := c.appendHeader(nil, &request{action: ActionSubscribe, resourceURI: uri, selectors: sels, timeout: req.OperationTimeout})
	env = append(env, `<e:Subscribe xmlns:e="`+NsEventing+`"><e:Delivery Mode="`+DeliveryModePull+`">`...)
	if req.Heartbeat > 0 {
		env = appendDuration(append(env, "<w:Heartbeats>"...), req.Heartbeat)
		env = append(env, "</w:Heartbeats>"...)
	}
	env = append(env, "</e:Delivery>"...)
	if req.Expires > 0 {
		env = appendDuration(append(env, "<e:Expires>"...), req.Expires)
		env = append(env, "</e:Expires>"...)
	}
	env = appendAttrPair(append(env, "<w:Filter"...), "Dialect", dialectURI(req.QueryDialect))
	env = appendText(append(env, '>'), query)
	env = append(env, "</w:Filter></e:Subscribe>"...)
	env = appendEnvelopeEnd(env)
	body, err := c.post(ctx, env, EffectOpen, req.OperationTimeout)
	if err != nil {
		return nil, err
	}
	d, se, ok, err := c.openBody(body)
	if err != nil {
		return nil, err
	}
	if !ok || se.Name.Local != "SubscribeResponse" {
		return nil, c.protocolFault(errUnexpected(se.Name.Local, "SubscribeResponse"))
	}
	sub, ctxID, err := decodeSubscribeResponse(d)
	if err != nil {
		return nil, c.protocolFault(err)
	}
	if sub.resourceURI == "" {
		sub.resourceURI = uri
		sub.selectors = sels
	}
	max := req.BatchSize
	if max <= 0 {
		max = c.opts.BatchSize
	}
	spec := &enumSpec{uri: uri, selectors: sels, namespace: ns}
	e := &enumerator{c: c, spec: spec, max: max, timeout: req.OperationTimeout, context: ctxID, sub: sub,
		idec: &itemDecoder{namespace: ns}}
	if !c.opts.NoSchema {
		e.idec.schema = func(class string) (*model.Class, error) { return c.schema(e.ctx, ns, class) }
	}
	if ctxID == "" {
		e.done = true
	}
	c.track(e)
	return e, nil
}

// decodeSubscribeResponse reads the subscription manager and the
// enumeration context of a SubscribeResponse.
func decodeSubscribeResponse(d *xml.Decoder) (*subscription, string, error) {
	sub := &subscription{}
	ctxID := ""
	for {
		se, ok, err := findStart(d)
		if err != nil {
			return nil, "", err
		}
		if !ok {
			return sub, ctxID, nil
		}
		switch se.Name.Local {
		case "SubscriptionManager":
			if err := decodeManager(d, sub); err != nil {
				return nil, "", err
			}
		case "EnumerationContext":
			if ctxID, err = readTrimmed(d); err != nil {
				return nil, "", err
			}
		default:
			if err := skip(d); err != nil {
				return nil, "", err
			}
		}
	}
}

// decodeManager reads the manager EPR, keeping the reference parameters
// other than ResourceURI and SelectorSet (e:Identifier) to echo them.
func decodeManager(d *xml.Decoder, sub *subscription) error {
	for {
		se, ok, err := findStart(d)
		if err != nil || !ok {
			return err
		}
		switch se.Name.Local {
		case "Address":
			if sub.address, err = readTrimmed(d); err != nil {
				return err
			}
		case "ReferenceParameters", "ReferenceProperties":
			for {
				p, ok, err := findStart(d)
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				switch p.Name.Local {
				case "ResourceURI":
					if sub.resourceURI, err = readTrimmed(d); err != nil {
						return err
					}
				case "SelectorSet":
					ref := &model.Reference{}
					if err := decodeSelectorSet(d, ref, 0); err != nil {
						return err
					}
					sub.selectors = ref.Selectors
				default:
					text, err := readTrimmed(d)
					if err != nil {
						return err
					}
					sub.params = append(sub.params, `<q:`...)
					sub.params = append(sub.params, p.Name.Local...)
					sub.params = appendAttrPair(sub.params, "xmlns:q", p.Name.Space)
					sub.params = appendText(append(sub.params, '>'), text)
					sub.params = append(sub.params, `</q:`...)
					sub.params = append(append(sub.params, p.Name.Local...), '>')
				}
			}
		default:
			if err := skip(d); err != nil {
				return err
			}
		}
	}
}

// unsubscribe ends the subscription on the server (once, best effort,
// with its own deadline).
func (s *subscription) unsubscribe(e *enumerator) {
	s.once.Do(func() {
		e.done = true
		e.context = ""
		c := e.c
		ctx, cancel := context.WithTimeout(context.Background(), c.opts.ReleaseTimeout)
		defer cancel()
		env := c.appendHeader(nil, &request{action: ActionUnsubscribe, resourceURI: s.resourceURI, selectors: s.selectors,
			extra: s.params, timeout: c.opts.ReleaseTimeout})
		env = append(env, `<e:Unsubscribe xmlns:e="`+NsEventing+`"/>`...)
		env = appendEnvelopeEnd(env)
		_, _ = c.t.Post(ctx, env, EffectEnd)
	})
}

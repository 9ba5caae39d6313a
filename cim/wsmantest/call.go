package wsmantest

import (
	"context"
	"net/http"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// call is one request being served.
type call struct {
	s    *Server
	ctx  context.Context
	st   style
	req  *request
	http *http.Request
	log  *LoggedRequest
	seq  int // the request's place in the server's log
}

// dispatch runs the operation and returns the response body or a fault.
func (c *call) dispatch() ([]byte, *FaultSpec) {
	op := c.log.Operation
	if c.req.LocaleMustUnderstand && c.st.dialect == Windows {
		// Windows refuses a w:Locale it must understand.
		return nil, &FaultSpec{Subcode: "w:UnsupportedFeature", Detail: "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/Locale",
			Message: "The WS-Management service does not support w:Locale with mustUnderstand=\"true\"."}
	}
	if op != "Identify" && c.req.ResourceURI == "" {
		return nil, &FaultSpec{Subcode: "a:DestinationUnreachable",
			Message: "The WS-Management service cannot process the request because the request has no ResourceURI."}
	}
	if strings.EqualFold(c.req.ResourceURI, shellCmdURI) {
		return c.shellDispatch()
	}
	if f := c.waitProviders(); f != nil {
		return nil, f
	}
	switch op {
	case "Identify":
		return c.identify()
	case "Enumerate":
		return c.enumerate()
	case "Pull":
		return c.pull()
	case "Release":
		return c.release()
	case "Get":
		return c.get()
	case "Put":
		return c.put()
	case "Create":
		return c.create()
	case "Delete":
		return c.delete()
	case "Invoke":
		return c.invoke()
	case "Subscribe":
		return c.subscribe()
	case "Unsubscribe":
		return c.unsubscribe()
	case "Renew":
		return c.renew()
	}
	return nil, &FaultSpec{Subcode: "a:ActionNotSupported",
		Message: "The WS-Management service does not support the action " + c.req.Action + "."}
}

// defaultNamespace is what a DMTF URI without __cimnamespace means.
func (c *call) defaultNamespace() string {
	if c.st.dialect == OMI {
		return model.DefaultNamespace
	}
	return "root/hardware"
}

// target parses the request's resource URI.
func (c *call) target() target {
	return parseTarget(c.req.ResourceURI, c.req.Selectors, c.defaultNamespace())
}

// encoder returns the value writer for this request.
func (c *call) encoder(t target) *encoder {
	return &encoder{
		st:        c.st,
		wrapDates: c.st.dialect == Windows || c.http.UserAgent() == winrmUserAgent,
		wmi:       t.WMI,
		nullArrays: c.st.dialect == Windows &&
			strings.EqualFold(strings.TrimSpace(c.req.Options["msftwinrm:UsePreciseArrays"]), "true"),
		dmtf:   c.s.opts.DMTFDatetimes,
		schema: func(ns, class string) *model.Class { return c.s.class(c.ctx, ns, class) },
	}
}

// maxEnvelope is the largest response this request may get: the smaller of
// its MaxEnvelopeSize and the server's, and for OMI about 256,000 bytes.
func (c *call) maxEnvelope() (int, *FaultSpec) {
	limit := c.s.opts.MaxEnvelopeSize
	if n := c.req.MaxEnvelopeSize; n > 0 {
		if n < 8192 {
			return 0, &FaultSpec{Subcode: "w:EncodingLimit",
				Message: "The WS-Management service cannot process the request because the MaxEnvelopeSize is smaller than 8192 bytes."}
		}
		if n < limit {
			limit = n
		}
	}
	if c.st.dialect == OMI && limit > 256000 {
		limit = 256000
	}
	return limit, nil
}

// fault maps a provider error.
func (c *call) fault(err error, kind opKind) *FaultSpec {
	f := faultFor(err, kind)
	return &f
}

// tooBig is the EncodingLimit fault for a response over the limit.
func tooBig(size, limit int) *FaultSpec {
	return &FaultSpec{Subcode: "w:EncodingLimit",
		Message: "The response that the WS-Management service computed exceeds the maximum envelope size (" +
			itoa(size) + " > " + itoa(limit) + " bytes)."}
}

// destination is the fault for a URI the server does not serve.
func destination(uri string) *FaultSpec {
	return &FaultSpec{Subcode: "a:DestinationUnreachable",
		Message: "The WS-Management service cannot process the request. The resource URI " + uri + " is not supported."}
}

// class returns a class declaration from the provider, cached (nil when
// the provider has none).
func (s *Server) class(ctx context.Context, ns, class string) *model.Class {
	if class == "" || class == "*" {
		return nil
	}
	key := strings.ToLower(ns + ":" + class)
	s.mu.Lock()
	c, ok := s.schemas[key]
	s.mu.Unlock()
	if ok {
		return c
	}
	c, err := s.provider.GetClass(ctx, &model.GetClassRequest{Common: model.Common{Namespace: ns}, ClassName: class})
	if err != nil {
		c = nil
		if f, isFault := model.AsFault(err); !isFault || f.CIMStatus != model.CIMInvalidClass {
			return nil // do not cache transient failures
		}
	}
	s.mu.Lock()
	s.schemas[key] = c
	s.mu.Unlock()
	return c
}

// ForgetSchemas drops the server's cache of class declarations (after a
// test re-registers classes in its provider).
func (s *Server) ForgetSchemas() {
	s.mu.Lock()
	s.schemas = map[string]*model.Class{}
	s.mu.Unlock()
}

package wsman

import (
	"context"
	"fmt"

	"github.com/cimsh/cimsh/cim/model"
)

// Transport carries SOAP envelopes to one WS-Management endpoint. The
// package cim/wsman/transport implements it over HTTP(S) with Basic,
// NTLM, Kerberos and certificate authentication.
type Transport interface {
	// Post sends one SOAP envelope and returns the reply body of a 200
	// response. effect is what the request does on the server: unless
	// effect.Resendable(), the request is never sent twice (the transport
	// may redial only if no byte of it was written), and a connection
	// that died after it was sent is a *model.Fault of category
	// model.CategoryConnection. A non-200 reply returns *HTTPError (body
	// included) so that the client can decode the SOAP fault.
	Post(ctx context.Context, body []byte, effect Effect) ([]byte, error)
	// Close drops the transport's connections.
	Close() error
}

// A Recycler is a Transport that takes back the reply bodies its Post
// returned, to read later replies into. The client hands back only a
// body nothing refers to any more: a page of an enumeration once decoded
// (decoded values own their memory: TestDecodedPageOwnsItsMemory).
type Recycler interface {
	Recycle(body []byte)
}

// HTTPError is a non-200 HTTP reply, or a failure after the request was
// sent (Err set, StatusCode possibly 0).
type HTTPError struct {
	StatusCode  int
	ContentType string
	// Body is the reply body, or its first bytes when the transport
	// decoded the fault as it streamed (SOAPFault set).
	Body []byte
	// SOAPFault is the fault decoded from the whole body as it streamed
	// (DecodeFaultReader), so that the body was never held whole; nil
	// when the transport kept the body instead. DecodedFault gives it.
	SOAPFault *model.Fault
	Err       error
}

func (e *HTTPError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("wsman: HTTP %d: %v", e.StatusCode, e.Err)
	}
	return fmt.Sprintf("wsman: HTTP %d (%d bytes of %s)", e.StatusCode, len(e.Body), quoteName(e.ContentType))
}

// Unwrap returns the underlying cause.
func (e *HTTPError) Unwrap() error { return e.Err }

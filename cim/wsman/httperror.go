package wsman

import (
	"errors"

	"github.com/cimsh/cimsh/cim/model"
)

// httpReply extracts a non-200 reply from a transport error.
func httpReply(err error) (he *HTTPError, ok bool) {
	return he, errors.As(err, &he)
}

// DecodedFault returns the reply's SOAP fault: a copy of the one the
// transport decoded as the body streamed, or the fault decoded from Body.
// Each call returns a fault of its own, for the caller to fill in.
func (e *HTTPError) DecodedFault() *model.Fault {
	if e.SOAPFault != nil {
		f := *e.SOAPFault
		return &f
	}
	return DecodeFault(e.StatusCode, e.Body)
}

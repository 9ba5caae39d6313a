package wsman

import "errors"

// httpReply extracts a non-200 reply from a transport error.
func httpReply(err error) (he *HTTPError, ok bool) {
	return he, errors.As(err, &he)
}

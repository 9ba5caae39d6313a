package wsman

import (
	"errors"
	"fmt"
)

var errEmptyEnumResponse = errors.New("wsman: empty reply to an enumeration request")

// errUnexpected reports a reply element other than the one the request
// calls for (its name quoted and bounded: the server chose it).
func errUnexpected(got, want string) error {
	return fmt.Errorf("wsman: unexpected reply element %s (want %s)", quoteName(got), want)
}

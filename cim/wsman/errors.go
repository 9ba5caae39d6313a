package wsman

import (
	"errors"
	"fmt"
)

var errEmptyEnumResponse = errors.New("wsman: empty reply to an enumeration request")

func errUnexpected(got, want string) error {
	return fmt.Errorf("wsman: unexpected reply element %q (want %s)", got, want)
}

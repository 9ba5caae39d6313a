package wsman

import (
	"errors"
	"fmt"
	"strings"
)

var errEmptyEnumResponse = errors.New("wsman: empty reply to an enumeration request")

// errUnexpected reports a reply element other than the one the request
// calls for (its name quoted and bounded: the server chose it).
func errUnexpected(got, want string) error {
	return fmt.Errorf("wsman: unexpected reply element %s (want %s)", quoteName(got), want)
}

// protocolReason is the user's sentence for a reply this package
// refused (no package prefix), or "" to let the error speak; an error
// longer than MaxServerText (it quotes the server) is capped.
func protocolReason(err error) string {
	var ve *ValueError
	if errors.As(err, &ve) {
		return ve.Reason()
	}
	var me *ReplyMismatchError
	if errors.As(err, &me) {
		return strings.TrimPrefix(me.Error(), "wsman: ")
	}
	if msg := err.Error(); len(msg) > MaxServerText {
		return CapServerText(msg)
	}
	return ""
}

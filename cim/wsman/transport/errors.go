package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
)

// HTTPError is a non-200 HTTP reply other than 401 (which becomes a
// *model.Fault with CategoryAccessDenied). Body is the reply body,
// unsealed when it came sealed, so the WS-Man client can decode the SOAP
// fault. It is the client's own type, so no translation stands between.
type HTTPError = wsman.HTTPError

// ErrClosed is returned by Post after Close.
var ErrClosed = errors.New("transport: client closed")

// errConnDropped marks a reused connection that died before a reply: the
// server closed it while idle, or reset it.
var errConnDropped = errors.New("transport: connection dropped by the server")

// deniedFault is what a 401 becomes: the password never appears.
func (c *Client) deniedFault(detail string) *model.Fault {
	f := &model.Fault{
		Category:     model.CategoryAccessDenied,
		ComputerName: c.cfg.Host,
		HTTPStatus:   401,
		Reason:       "credentials rejected",
	}
	if detail != "" {
		f.Reason += " (" + detail + ")"
		f.Err = fmt.Errorf("transport: %s authentication as %q rejected: %s", c.cfg.Auth, c.cfg.User, detail)
	} else {
		f.Err = fmt.Errorf("transport: %s authentication as %q rejected", c.cfg.Auth, c.cfg.User)
	}
	return f
}

// netFault classifies a failure to reach the server or to carry a
// request: cancelled by ctx, timed out, or unreachable.
func (c *Client) netFault(ctx context.Context, what string, err error) *model.Fault {
	f := &model.Fault{ComputerName: c.cfg.Host, Category: model.CategoryUnreachable}
	if cerr := ctx.Err(); cerr != nil {
		f.Err = fmt.Errorf("transport: %s %s: %w", what, c.cfg.addr(), cerr)
		f.Category = model.CategoryCanceled
		f.Reason = fmt.Sprintf("%s %s: cancelled", what, c.cfg.addr())
		if errors.Is(cerr, context.DeadlineExceeded) {
			f.Category = model.CategoryTimeout
			f.Reason = fmt.Sprintf("%s %s: timed out", what, c.cfg.addr())
		}
		return f
	}
	if isTimeout(err) {
		f.Category = model.CategoryTimeout
	}
	f.Err = fmt.Errorf("transport: %s %s: %w", what, c.cfg.addr(), err)
	f.Reason = fmt.Sprintf("%s %s: %s", what, c.cfg.addr(), shortCause(err))
	return f
}

// shortCause says what went wrong on the network in a user's words: the
// system's "connection refused" rather than Go's "dial tcp 127.0.0.1:1:
// connect: connection refused" chain (which stays in Fault.Err).
// Context added around the network error ("no connection within 10s: ")
// is kept.
func shortCause(err error) string {
	full := err.Error()
	var op *net.OpError
	if !errors.As(err, &op) || op.Err == nil {
		return full
	}
	short := op.Err.Error()
	var sys *os.SyscallError
	if errors.As(op.Err, &sys) {
		short = sys.Err.Error()
	}
	return strings.Replace(full, op.Error(), short, 1)
}

// protocolFault is a reply that breaks the protocol (bad sealing, bad
// framing, a missing challenge).
func (c *Client) protocolFault(status int, format string, args ...any) *model.Fault {
	err := fmt.Errorf("transport: "+format, args...)
	return &model.Fault{
		Category:     model.CategoryProtocol,
		ComputerName: c.cfg.Host,
		HTTPStatus:   status,
		Reason:       wsman.CapServerText(err.Error()), // shown before the "credentials rejected" a 401 would give
		Err:          err,
	}
}

// droppedFault is a connection that died after the request was written
// to it: the server may have acted on the request. resent says whether
// this was already the second sending.
func (c *Client) droppedFault(effect wsman.Effect, resent bool, err error) *model.Fault {
	var why string
	switch {
	case resent:
		why = "sent again on a fresh connection, which dropped too"
	case effect.Resendable():
		why = "on a fresh connection"
	default:
		why = "not sent again: " + effect.Why()
	}
	return &model.Fault{
		Category:     model.CategoryConnection,
		ComputerName: c.cfg.Host,
		Reason:       fmt.Sprintf("connection to %s dropped after the request was sent (%s): %s", c.cfg.addr(), why, shortCause(err)),
		Err:          fmt.Errorf("transport: post to %s: %w after the request was sent (%s): %w", c.cfg.addr(), errConnDropped, why, err),
	}
}

// isDrop reports a connection closed or reset by the peer (rather than,
// say, a TLS alert refusing the request).
func isDrop(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// isTimeout reports a deadline reached in the network stack.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

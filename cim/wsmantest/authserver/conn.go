package authserver

import (
	"context"
	"net"
	"net/http"
	"sync"

	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

// connState is the authentication state of one TCP connection: an NTLM
// handshake in progress, or an established context (NTLM or Kerberos).
// HTTP/1.1 serves one request at a time per connection, and the mutex
// keeps it that way for the RC4 streams even if a caller misbehaves.
type connState struct {
	mu       sync.Mutex
	acceptor *ntlmserver.Acceptor
	ntlm     *ntlmserver.Context
	krb      *krbSession
	identity *Identity // established connection-bound identity
}

// reset drops any handshake or context (a new NEGOTIATE, or a failure).
func (c *connState) reset() {
	c.acceptor, c.ntlm, c.krb, c.identity = nil, nil, nil, nil
}

type connKey struct{}

// ConnContext is meant for http.Server.ConnContext: it attaches a fresh
// authentication state to each new connection and counts it.
func (h *Handler) ConnContext(ctx context.Context, _ net.Conn) context.Context {
	h.Connections.Add(1)
	return context.WithValue(ctx, connKey{}, &connState{})
}

// Install sets srv.ConnContext (keeping an existing function, whose
// context is extended) so that authentication state follows connections.
// Call it before the server starts.
func (h *Handler) Install(srv *http.Server) {
	prev := srv.ConnContext
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		if prev != nil {
			ctx = prev(ctx, c)
		}
		return h.ConnContext(ctx, c)
	}
	prevState := srv.ConnState
	srv.ConnState = func(c net.Conn, s http.ConnState) {
		if prevState != nil {
			prevState(c, s)
		}
		if s == http.StateClosed || s == http.StateHijacked {
			h.fallback.Delete(c.RemoteAddr().String())
		}
	}
}

// state returns the request's connection state. Without ConnContext the
// remote address stands in for the connection (unique while it is open).
func (h *Handler) state(r *http.Request) *connState {
	if cs, ok := r.Context().Value(connKey{}).(*connState); ok {
		return cs
	}
	v, loaded := h.fallback.LoadOrStore(r.RemoteAddr, &connState{})
	if !loaded {
		h.Connections.Add(1)
	}
	return v.(*connState)
}

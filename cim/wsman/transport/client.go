package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
)

// maxIdle bounds the idle connections kept per client.
const maxIdle = 8

// Client posts SOAP envelopes to one WS-Management endpoint. It is safe
// for concurrent use.
type Client struct {
	// cfg is a pointer so that even printing a Client value shows an
	// address, not the password.
	cfg *Config

	mu     sync.Mutex
	idle   []*conn
	closed bool

	tlsOnce sync.Once
	tlsConf *tls.Config
	tlsErr  error

	krb krbState

	trace *tracer // nil unless Config.Trace is set

	bufs bufPool // reply buffers handed back by Recycle

	stats struct {
		posts, requests, dials, handshakes atomic.Int64
	}
}

// Stats counts what a client did, for tests and diagnostics.
type Stats struct {
	Posts      int64 // Post calls
	Requests   int64 // HTTP requests written, authentication legs and retries included
	Dials      int64 // TCP connections opened
	Handshakes int64 // authentication handshakes run (NTLM, Kerberos)
}

// New checks cfg and returns a client. It opens nothing: no DNS lookup,
// no dial, no file read; the first Post does that.
func New(cfg Config) (*Client, error) {
	n, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	return &Client{cfg: &n, trace: newTracer(n.Trace, n.Password)}, nil
}

// Recycle hands back a reply body Post returned, once nothing refers to
// its bytes any more (the page is decoded and its values own their
// memory): a later reply may be read into it (wsman.Recycler).
func (c *Client) Recycle(body []byte) { c.bufs.put(body) }

// String describes the client without its password.
func (c *Client) String() string {
	scheme := "http"
	if c.cfg.HTTPS {
		scheme = "https"
	}
	return fmt.Sprintf("transport.Client(%s://%s%s, %s as %q)", scheme, c.cfg.addr(), c.cfg.Prefix, c.cfg.Auth, c.cfg.User)
}

// GoString is String, so that %#v cannot print the password either.
func (c *Client) GoString() string { return c.String() }

// Stats returns the counters.
func (c *Client) Stats() Stats {
	return Stats{
		Posts:      c.stats.posts.Load(),
		Requests:   c.stats.requests.Load(),
		Dials:      c.stats.dials.Load(),
		Handshakes: c.stats.handshakes.Load(),
	}
}

// Close drops every connection. Requests in flight finish; their
// connections are closed afterwards.
func (c *Client) Close() error {
	c.mu.Lock()
	idle := c.idle
	c.idle, c.closed = nil, true
	c.mu.Unlock()
	for _, cn := range idle {
		cn.close()
	}
	return nil
}

// getIdle takes the most recently used live idle connection.
func (c *Client) getIdle() (*conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	for len(c.idle) > 0 {
		cn := c.idle[len(c.idle)-1]
		c.idle = c.idle[:len(c.idle)-1]
		if cn.usable() {
			return cn, nil
		}
		cn.close() // the server dropped it while idle: redial
	}
	return nil, nil
}

// putIdle keeps a healthy connection for the next request.
func (c *Client) putIdle(cn *conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || len(c.idle) >= maxIdle {
		cn.close()
		return
	}
	c.idle = append(c.idle, cn)
}

// Post sends one SOAP envelope and returns the body of the 200 reply.
//
// A 401 is a *model.Fault with CategoryAccessDenied; another non-200
// reply is an *HTTPError carrying the body; a network failure is a
// *model.Fault with CategoryUnreachable, CategoryTimeout or
// CategoryCanceled. A connection the server dropped while idle is
// redialed. A request whose bytes were written to a reused connection
// that then died is sent again (once, on a fresh connection) only if
// effect.Resendable(); otherwise, or when the resend dies the same way,
// the failure is a *model.Fault with CategoryConnection: the server may
// have acted on the request.
func (c *Client) Post(ctx context.Context, body []byte, effect wsman.Effect) ([]byte, error) {
	c.stats.posts.Add(1)
	if err := ctx.Err(); err != nil {
		return nil, c.netFault(ctx, "post to", err)
	}
	resent, reauthed := false, false
	for attempt := 0; ; attempt++ {
		cn, err := c.getIdle()
		if err != nil {
			return nil, err
		}
		fresh := cn == nil
		if fresh {
			if cn, err = c.dial(ctx); err != nil {
				return nil, err
			}
		}
		out, err := c.exchange(ctx, cn, body)
		if err == nil {
			return out, nil
		}
		var rerr *retryable
		if !errors.As(err, &rerr) {
			return nil, err
		}
		// The connection died under the request (exchange closed it).
		if ctx.Err() != nil {
			return nil, c.netFault(ctx, "post to", rerr.err)
		}
		switch {
		case rerr.reauth && !reauthed:
			// A 401 on an authenticated connection: not processed.
			reauthed = true
		case !fresh && rerr.written == 0 && attempt <= maxIdle:
			// A stale pooled connection that took no byte: nothing was
			// sent, so any request may go again.
		case !fresh && effect.Resendable() && !resent:
			resent = true
		case rerr.written > 0 && (!fresh || isDrop(rerr.err)):
			return nil, c.droppedFault(effect, resent, rerr.err)
		default:
			return nil, c.netFault(ctx, "post to", rerr.err)
		}
	}
}

// retryable is a request that failed because its connection died (or lost
// its authentication), with how much of it was written.
type retryable struct {
	err     error
	written int64
	reauth  bool // a 401 on an authenticated connection: not processed, safe to resend
}

func (r *retryable) Error() string { return r.err.Error() }
func (r *retryable) Unwrap() error { return r.err }

// exchange authenticates cn if needed, sends body and returns the reply
// body; it returns cn to the pool or closes it.
func (c *Client) exchange(ctx context.Context, cn *conn, body []byte) ([]byte, error) {
	start := time.Now()
	rep, err := c.authedRoundTrip(ctx, cn, body)
	if c.trace != nil {
		c.traceExchange(cn, body, rep, err, time.Since(start))
	}
	if err != nil {
		cn.close()
		return nil, err
	}
	if rep.close || ctx.Err() != nil {
		cn.close()
	} else {
		c.putIdle(cn)
	}
	return c.result(rep)
}

// result turns a reply into the body or an error.
func (c *Client) result(rep *reply) ([]byte, error) {
	switch rep.status {
	case 200:
		return rep.body, nil
	case 401:
		return nil, c.deniedFault("")
	}
	return nil, &HTTPError{StatusCode: rep.status, ContentType: rep.contentType, Body: rep.body, SOAPFault: rep.fault}
}

// ioFailure wraps an I/O error on cn as retryable with the bytes written.
func ioFailure(cn *conn, err error) error {
	return &retryable{err: err, written: cn.cc.written.Load()}
}

// asFault reports whether err is already a fault to return as is.
func asFault(err error) bool {
	_, ok := model.AsFault(err)
	return ok
}

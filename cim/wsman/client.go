package wsman

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/google/uuid"
)

// Options configure a Client.
type Options struct {
	// Endpoint is the URL the requests address (a:To), such as
	// http://host:5985/wsman.
	Endpoint string
	// ComputerName is put on every instance and fault.
	ComputerName string
	// URIForm selects DMTF (default, PowerShell's) or WMI resource URIs.
	URIForm URIForm
	// MaxEnvelopeSize is w:MaxEnvelopeSize (default 512000).
	MaxEnvelopeSize int
	// Locale and DataLocale are sent as w:Locale and p:DataLocale
	// (default "en-US").
	Locale, DataLocale string
	// OperationTimeout becomes w:OperationTimeout (PT60.000S), capped at
	// 60 s; it is also the client deadline of each request (plus a grace
	// period) when ctx has none. Zero sends no header (the server's
	// default, 60 s on Windows) and uses a 60 s client deadline.
	OperationTimeout time.Duration
	// BatchSize is w:MaxElements of Enumerate and Pull (default 32000,
	// PowerShell's; the server sends what fits in the envelope).
	BatchSize int
	// UserAgent is handed to a transport that has a SetUserAgent method.
	// OMI wraps datetimes in cim:Datetime only for
	// "Microsoft WinRM Client".
	UserAgent string
	// NoSchema decodes without asking the server for class schemas
	// (values typed by xsi:type and cim:Datetime only, the rest
	// untyped): one request fewer for the first query of each class.
	NoSchema bool
	// ReleaseTimeout bounds the Release of an abandoned enumeration
	// (default 5 s), which runs even when the caller's ctx is done.
	ReleaseTimeout time.Duration
	// PullRetries bounds the retries of a Pull that timed out on the
	// server (w:TimedOut); default 3.
	PullRetries int
}

// Default option values.
const (
	DefaultMaxEnvelopeSize = 512000
	// MinEnvelopeSize is the smallest w:MaxEnvelopeSize servers accept
	// (DSP0226 R6.2-4; below it Windows and OMI answer EncodingLimit to
	// every request, which asking for fewer elements cannot cure).
	MinEnvelopeSize  = 8192
	DefaultBatchSize = 32000
	DefaultLocale    = "en-US"
	// graceTimeout is added to the operation timeout for the client
	// deadline, so that the server's own timeout fault arrives first.
	graceTimeout = 15 * time.Second
)

// Client is a WS-Management client for one endpoint, implementing
// model.Provider over a Transport. It is safe for concurrent use when
// its transport is.
type Client struct {
	t         Transport
	opts      Options
	sessionID string

	schemas schemaCache

	mu     sync.Mutex
	open   map[*enumerator]struct{}
	closed bool

	// aheadPages bounds the pages an enumeration holds ahead of its
	// consumer (0: pipeLimit(); tests set it).
	aheadPages int
}

var _ model.Provider = (*Client)(nil)

// NewClient returns a client over t. It opens nothing: the first
// operation makes the first request.
func NewClient(t Transport, opts Options) *Client {
	if opts.MaxEnvelopeSize <= 0 {
		opts.MaxEnvelopeSize = DefaultMaxEnvelopeSize
	}
	if opts.Locale == "" {
		opts.Locale = DefaultLocale
	}
	if opts.DataLocale == "" {
		opts.DataLocale = opts.Locale
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.ReleaseTimeout <= 0 {
		opts.ReleaseTimeout = 5 * time.Second
	}
	if opts.PullRetries <= 0 {
		opts.PullRetries = 3
	}
	if opts.UserAgent != "" {
		if ua, ok := t.(interface{ SetUserAgent(string) }); ok {
			ua.SetUserAgent(opts.UserAgent)
		}
	}
	return &Client{t: t, opts: opts, sessionID: strings.ToUpper(uuid.NewString()), open: map[*enumerator]struct{}{}}
}

// Options returns the client's options with defaults filled in.
func (c *Client) Options() Options { return c.opts }

// Close releases the enumerations still open (best effort, each bounded
// by ReleaseTimeout) and closes the transport.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	open := make([]*enumerator, 0, len(c.open))
	for e := range c.open {
		open = append(open, e)
	}
	c.mu.Unlock()
	for _, e := range open {
		e.release()
	}
	return c.t.Close()
}

var errClosed = errors.New("wsman: client is closed")

// post sends one envelope and returns the reply body, turning every
// failure into a *model.Fault.
func (c *Client) post(ctx context.Context, env []byte, effect Effect, timeout time.Duration) ([]byte, error) {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return nil, &model.Fault{Category: model.CategoryFailed, ComputerName: c.opts.ComputerName, Err: errClosed}
	}
	if _, has := ctx.Deadline(); !has {
		if timeout <= 0 {
			timeout = c.opts.OperationTimeout
		}
		if timeout <= 0 {
			timeout = MaxOperationTimeout
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout+graceTimeout)
		defer cancel()
	}
	body, err := c.t.Post(ctx, env, effect)
	if err != nil {
		return nil, c.transportFault(ctx, err)
	}
	if err := c.checkExchange(env, body); err != nil {
		return nil, err
	}
	return body, nil
}

// transportFault converts a transport error into a fault.
func (c *Client) transportFault(ctx context.Context, err error) *model.Fault {
	if f, ok := model.AsFault(err); ok {
		if f.ComputerName == "" {
			f.ComputerName = c.opts.ComputerName
		}
		return f
	}
	if he, ok := httpReply(err); ok && he.StatusCode != 0 {
		f := he.DecodedFault()
		if errors.Is(f.Err, errNotEndpoint) {
			f.Reason = notEndpoint(f.HTTPStatus, c.opts.Endpoint)
		}
		f.ComputerName = c.opts.ComputerName
		if he.Err != nil {
			f.Err = he.Err
		}
		return f
	}
	f := &model.Fault{ComputerName: c.opts.ComputerName, Err: err, Category: model.CategoryUnreachable}
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled):
		f.Category = model.CategoryCanceled
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		f.Category = model.CategoryTimeout
	}
	return f
}

// protocolFault reports a reply that could not be decoded.
func (c *Client) protocolFault(err error) *model.Fault {
	return &model.Fault{Category: model.CategoryProtocol, ComputerName: c.opts.ComputerName, Reason: protocolReason(err), Err: err}
}

// track registers an open enumeration for Close; untrack removes it.
func (c *Client) track(e *enumerator) {
	c.mu.Lock()
	c.open[e] = struct{}{}
	c.mu.Unlock()
}

func (c *Client) untrack(e *enumerator) {
	c.mu.Lock()
	delete(c.open, e)
	c.mu.Unlock()
}

// form returns the URI form a request uses.
func (c *Client) form() URIForm { return c.opts.URIForm }

package cim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wql"
)

// InstanceQuery is Get-CimInstance's parameter set.
type InstanceQuery struct {
	ClassName    string
	Namespace    string
	Filter       string // a WQL condition, as -Filter
	Query        string // a whole query, as -Query
	QueryDialect string // "WQL" (default)
	Property     []string
	KeyOnly      bool
	Shallow      bool
	ResourceURI  string
	// OperationTimeout overrides the session's for this operation.
	OperationTimeout time.Duration
	// BatchSize is the number of instances fetched per round trip (0:
	// the provider's default).
	BatchSize int
	// MaxInstances bounds what GetInstances collects (0:
	// DefaultMaxInstances): one more fails the query. Enumerate, which
	// streams, has no bound.
	MaxInstances int
	// Options are custom operation options (model.Common.Options).
	Options []model.Property
}

// DefaultMaxInstances is how many instances a query collects at most
// unless told otherwise: far beyond any real inventory, low enough that a
// server that never ends an enumeration cannot exhaust memory.
const DefaultMaxInstances = 1000000

// ErrMaxInstances is the cause of a collect-all query stopped at its
// MaxInstances (errors.Is).
var ErrMaxInstances = errors.New("cim: more instances than max_instances")

// collect gathers an enumeration's instances up to max (0: the default):
// the list, or nil and the error that ended the enumeration, never a
// partial list.
func (s *Session) collect(ctx context.Context, e *Enumeration, max int) ([]*model.Instance, error) {
	if max <= 0 {
		max = DefaultMaxInstances
	}
	var out []*model.Instance
	for e.NextBuffered() || e.Next(ctx) {
		if len(out) == max {
			e.Close() // releases what the server still holds
			return nil, &model.Fault{Category: model.CategoryQuota, ComputerName: s.faultName(), Err: ErrMaxInstances,
				Reason: fmt.Sprintf("more than %d instances (max_instances): raise max_instances, or stream the results", max)}
		}
		out = append(out, e.Instance())
	}
	if err := e.Err(); err != nil {
		return nil, s.fault(err)
	}
	return out, nil
}

// request turns the query into a provider request, building the WQL that
// Get-CimInstance builds from -Filter and -Property.
func (q *InstanceQuery) request() (*model.EnumerateRequest, error) {
	req := &model.EnumerateRequest{
		Common: model.Common{
			Namespace:        normNamespace(q.Namespace),
			ResourceURI:      q.ResourceURI,
			OperationTimeout: q.OperationTimeout,
			Options:          q.Options,
		},
		ClassName:    q.ClassName,
		Query:        q.Query,
		QueryDialect: q.QueryDialect,
		Properties:   q.Property,
		KeyOnly:      q.KeyOnly,
		Shallow:      q.Shallow,
		BatchSize:    q.BatchSize,
	}
	switch {
	case q.Query != "":
		if q.ClassName != "" || q.Filter != "" {
			return nil, fmt.Errorf("cim: query cannot be combined with class_name or filter")
		}
	case q.ClassName == "" && q.ResourceURI == "":
		return nil, fmt.Errorf("cim: class_name, query or resource_uri is required")
	case q.Filter != "":
		wql, err := selectQuery(q.ClassName, q.Property, q.Filter)
		if err != nil {
			return nil, err
		}
		req.Query = wql
	}
	if req.QueryDialect == "" && req.Query != "" {
		req.QueryDialect = "WQL"
	}
	return req, nil
}

// selectQuery builds SELECT props FROM class WHERE filter.
func selectQuery(class string, props []string, filter string) (string, error) {
	if !wql.IsName(class) {
		return "", fmt.Errorf("cim: %s is not a valid class name", model.Quote(class))
	}
	list := "*"
	if len(props) > 0 {
		for _, p := range props {
			if !wql.IsName(p) {
				return "", fmt.Errorf("cim: %s is not a valid property name", model.Quote(p))
			}
		}
		list = strings.Join(props, ",")
	}
	q := "SELECT " + list + " FROM " + class
	if filter != "" {
		// Checked here, so that a syntax error points into the filter
		// as written, not into the query built around it.
		if err := wql.CheckFilter(filter); err != nil {
			f := model.NewFault(model.CIMInvalidQuery, "%v", err)
			f.Err = err
			return "", f
		}
		q += " WHERE " + filter
	}
	return q, nil
}

// Enumeration streams the results of a query, fetching batches as Next
// needs them. Close releases what the server still holds; the session's
// Close closes every open enumeration.
//
// Next, Instance and Err belong to the goroutine iterating; Close may come
// from any goroutine (the session's Close, a signal handler), so the
// closed state is atomic and the release runs once.
type Enumeration struct {
	s       *Session
	e       model.Enumerator
	ns      string
	timeout time.Duration
	err     error
	cur     *model.Instance

	done      atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// Enumerate starts a streaming enumeration.
func (s *Session) Enumerate(ctx context.Context, q InstanceQuery) (*Enumeration, error) {
	req, err := q.request()
	if err != nil {
		return nil, err
	}
	return s.enumerate(ctx, req)
}

// enumerate opens an enumeration. The operation timeout bounds each
// response (the Enumerate here, each Pull in Next), not the whole: a slow
// enumeration that progresses finishes.
func (s *Session) enumerate(ctx context.Context, req *model.EnumerateRequest) (*Enumeration, error) {
	p, err := s.connect()
	if err != nil {
		return nil, err
	}
	cctx, cancel := s.withTimeout(ctx, &req.Common)
	defer cancel()
	e, err := p.Enumerate(cctx, req)
	if err != nil {
		return nil, s.fault(err)
	}
	en := &Enumeration{s: s, e: e, ns: req.Namespace, timeout: req.OperationTimeout}
	s.mu.Lock()
	closed := s.closed
	if !closed {
		s.open[en] = struct{}{}
	}
	s.mu.Unlock()
	if closed {
		e.Close()
		return nil, s.ClosedError()
	}
	return en, nil
}

// Next advances to the next instance, fetching a batch when needed.
func (en *Enumeration) Next(ctx context.Context) bool {
	if en.done.Load() {
		return false
	}
	cctx, cancel := context.WithTimeout(ctx, clientDeadline(en.timeout))
	defer cancel()
	if en.e.Next(cctx) {
		en.cur = en.e.Instance()
		en.s.stamp(en.cur, en.ns)
		return true
	}
	en.err = en.e.Err()
	if en.err != nil {
		en.err = en.s.fault(en.err)
	}
	en.Close()
	return false
}

// bufferedEnumerator is an Enumerator that can tell an instance already
// at hand from one that needs a request (wsman's pages).
type bufferedEnumerator interface {
	NextBuffered() bool
}

// NextBuffered advances to the next instance when the provider already
// holds it (the rest of a page): it sends nothing and waits for nothing,
// so a caller need not run it where it could be interrupted. False means
// call Next, which fetches, ends or fails; nothing was consumed then.
func (en *Enumeration) NextBuffered() bool {
	b, ok := en.e.(bufferedEnumerator)
	if !ok || en.done.Load() || !b.NextBuffered() {
		return false
	}
	en.cur = en.e.Instance()
	en.s.stamp(en.cur, en.ns)
	return true
}

// Instance returns the current instance.
func (en *Enumeration) Instance() *model.Instance { return en.cur }

// Err returns the error that ended the enumeration, if any.
func (en *Enumeration) Err() error { return en.err }

// Close releases the enumeration; it is safe to call more than once and
// from any goroutine.
func (en *Enumeration) Close() error {
	en.closeOnce.Do(func() {
		en.done.Store(true)
		en.s.mu.Lock()
		delete(en.s.open, en)
		en.s.mu.Unlock()
		en.closeErr = en.e.Close()
	})
	return en.closeErr
}

// GetInstances runs a query to the end and returns every instance, or
// nil and the error that ended it: never a partial list. More than
// q.MaxInstances instances fail it (ErrMaxInstances).
func (s *Session) GetInstances(ctx context.Context, q InstanceQuery) ([]*model.Instance, error) {
	en, err := s.Enumerate(ctx, q)
	if err != nil {
		return nil, err
	}
	defer en.Close()
	return s.collect(ctx, en, q.MaxInstances)
}

// fault stamps the session's computer name on a fault.
func (s *Session) fault(err error) error {
	if f, ok := model.AsFault(err); ok && f.ComputerName == "" {
		f.ComputerName = s.faultName()
	}
	return err
}

// faultName is the computer name a fault of the session carries.
func (s *Session) faultName() string {
	if s.cfg.ComputerName == "" {
		return "localhost"
	}
	return s.cfg.ComputerName
}

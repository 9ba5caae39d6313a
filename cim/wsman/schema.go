package wsman

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/cimsh/cimsh/cim/model"
)

// schemaCache holds class schemas per namespace and class (names folded
// to lower case, as CIM names are case-insensitive). A class the server
// refused (access denied, not supported, no such class: model.IsRefusal)
// is remembered as nil so that it is asked for once; a failure that may
// pass (a timeout, a reset, a 5xx) is not remembered: the next use asks
// again.
type schemaCache struct {
	mu      sync.Mutex
	entries map[schemaKey]*schemaEntry
}

type schemaKey struct{ namespace, class string }

type schemaEntry struct {
	done  chan struct{}
	class *model.Class
	err   error // the server's refusal (or, for those who waited, the failure); errAskAgain after a cancellation
}

// errAskAgain tells those waiting on a fetch that was cancelled to ask
// the server themselves.
var errAskAgain = errors.New("wsman: schema fetch cancelled")

func keyOf(namespace, class string) schemaKey {
	return schemaKey{strings.ToLower(model.NamespaceOr(namespace)), strings.ToLower(class)}
}

// put stores a schema (from GetClass or EnumerateClasses).
func (s *schemaCache) put(namespace string, cl *model.Class) {
	e := &schemaEntry{done: make(chan struct{}), class: cl}
	close(e.done)
	s.mu.Lock()
	if s.entries == nil {
		s.entries = map[schemaKey]*schemaEntry{}
	}
	s.entries[keyOf(namespace, cl.Name)] = e
	s.mu.Unlock()
}

// Schema returns the cached schema of class in namespace, nil when not
// cached or when the server could not serve it.
func (c *Client) Schema(namespace, class string) *model.Class {
	c.schemas.mu.Lock()
	e := c.schemas.entries[keyOf(namespace, class)]
	c.schemas.mu.Unlock()
	if e == nil {
		return nil
	}
	select {
	case <-e.done:
		return e.class
	default:
		return nil
	}
}

// cachedSchema returns what the cache knows of class without asking the
// server: its schema (nil after a refusal) and whether it is known.
func (c *Client) cachedSchema(namespace, class string) (*model.Class, bool) {
	c.schemas.mu.Lock()
	e := c.schemas.entries[keyOf(namespace, class)]
	c.schemas.mu.Unlock()
	if e == nil {
		return nil, false
	}
	select {
	case <-e.done:
		return e.class, e.err != errAskAgain
	default:
		return nil, false // being fetched
	}
}

// schema returns the schema of class for typing values, fetching it
// once per client and namespace. A server that cannot serve it gives nil
// (schema-less decoding), never an error; only the caller's cancellation
// is an error.
func (c *Client) schema(ctx context.Context, namespace, class string) (*model.Class, error) {
	if c.opts.NoSchema || class == "" || class == "*" {
		return nil, nil
	}
	cl, err := c.lookupSchema(ctx, namespace, class)
	if err != nil && cancelled(ctx, err) {
		return nil, err
	}
	return cl, nil
}

// lookupSchema asks the server for a schema once per client and
// namespace: concurrent callers wait for the one request. A refusal is
// remembered like a success (the server will not do better next time);
// any other failure is handed to those who waited and forgotten, so the
// next caller asks again; after a cancellation, those who waited ask
// again themselves. Each caller gets its own copy of an error.
func (c *Client) lookupSchema(ctx context.Context, namespace, class string) (*model.Class, error) {
	k := keyOf(namespace, class)
	for {
		c.schemas.mu.Lock()
		if c.schemas.entries == nil {
			c.schemas.entries = map[schemaKey]*schemaEntry{}
		}
		e, waiting := c.schemas.entries[k]
		if !waiting {
			e = &schemaEntry{done: make(chan struct{})}
			c.schemas.entries[k] = e
		}
		c.schemas.mu.Unlock()
		if waiting {
			select {
			case <-e.done:
				if e.err == errAskAgain {
					continue
				}
				return e.class, model.CloneError(e.err)
			case <-ctx.Done():
				return nil, c.transportFault(ctx, ctx.Err())
			}
		}
		cl, err := c.getClass(ctx, namespace, class)
		if err != nil && (cancelled(ctx, err) || !model.IsRefusal(err)) {
			c.schemas.mu.Lock()
			if c.schemas.entries[k] == e {
				delete(c.schemas.entries, k)
			}
			c.schemas.mu.Unlock()
			e.err = model.CloneError(err)
			if cancelled(ctx, err) {
				e.err = errAskAgain
			}
			close(e.done)
			return nil, err
		}
		e.class, e.err = cl, model.CloneError(err)
		close(e.done)
		return cl, err
	}
}

// cancelled reports whether err ended an operation because its caller
// gave up, rather than because the server failed.
func cancelled(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return true
	}
	var f *model.Fault
	return errors.As(err, &f) && f.Category == model.CategoryCanceled
}

// methodSchema returns a class describing a method's output parameters
// (ReturnValue included), for typing an Invoke response.
func methodSchema(cl *model.Class, method string) (in, out *model.Class) {
	if cl == nil {
		return nil, nil
	}
	m := cl.Method(method)
	if m == nil {
		return nil, nil
	}
	in = &model.Class{Name: m.Name + "_INPUT", Namespace: cl.Namespace}
	out = &model.Class{Name: m.Name + "_OUTPUT", Namespace: cl.Namespace}
	out.Properties = append(out.Properties, model.PropertyDecl{Name: "ReturnValue", Type: m.ReturnType})
	for _, p := range m.Parameters {
		decl := model.PropertyDecl{Name: p.Name, Type: p.Type, Array: p.Array, RefClass: p.RefClass, EmbeddedClass: p.EmbeddedClass}
		if p.In {
			in.Properties = append(in.Properties, decl)
		}
		if p.Out {
			out.Properties = append(out.Properties, decl)
		}
	}
	return in, out
}

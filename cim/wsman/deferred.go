package wsman

import (
	"context"
	"strings"
	"sync"

	"github.com/cimsh/cimsh/cim/model"
)

// maxPrefetchSchemas bounds the schemas fetched before an Enumerate: the
// class and the embedded classes its schema declares, a few levels down.
const maxPrefetchSchemas = 8

// maxDeferredSchemas bounds the classes an enumeration remembers to ask
// for after its end: a server naming a new class in every item cannot
// grow it.
const maxDeferredSchemas = 64

// deferredSchemas types the items of an open enumeration from the cache
// only. While an enumeration is open, OMI's provider host for its classes
// serves nothing else, so a schema Get would wait for the enumeration,
// which waits for the client: a deadlock. The schema of the class asked
// for is fetched before the Enumerate; items of other classes (subclasses
// from a query of a base class, association results, "*" queries) are
// decoded without a schema, and those classes are fetched once the
// enumeration has ended, for later queries.
//
// Pages decoded ahead look classes up at once, each on its own
// goroutine: mu guards what lookup notes.
type deferredSchemas struct {
	c         *Client
	namespace string
	mu        sync.Mutex
	noted     map[string]bool // lower-case class names asked for or noted
	missing   []string        // classes to fetch after the end
	// last is the class looked up last and found: the items of a page
	// are mostly of one class.
	lastName  string
	lastClass *model.Class
}

// prefetchSchemas fetches, before an enumeration opens, the schema of
// class and those of the embedded classes it declares (breadth first, at
// most maxPrefetchSchemas), and returns a deferredSchemas for the items.
// Its only error is the caller's cancellation.
func (c *Client) prefetchSchemas(ctx context.Context, namespace, class string) (*deferredSchemas, error) {
	d := &deferredSchemas{c: c, namespace: namespace, noted: map[string]bool{}}
	queue := []string{class}
	for asked := 0; len(queue) > 0 && asked < maxPrefetchSchemas; {
		name := queue[0]
		queue = queue[1:]
		k := strings.ToLower(name)
		if name == "" || name == "*" || d.noted[k] {
			continue
		}
		// Asked for now: a failure is not asked again after the end of
		// this same enumeration.
		d.noted[k] = true
		asked++
		cl, err := c.schema(ctx, namespace, name)
		if err != nil {
			return nil, err
		}
		if cl == nil {
			continue
		}
		for _, p := range cl.Properties {
			if p.EmbeddedClass != "" {
				queue = append(queue, p.EmbeddedClass)
			}
		}
	}
	return d, nil
}

// lookup is the itemDecoder's schema function: cached schemas only.
func (d *deferredSchemas) lookup(class string) (*model.Class, error) {
	if class == "" || class == "*" {
		return nil, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if class == d.lastName {
		return d.lastClass, nil
	}
	if cl, known := d.c.cachedSchema(d.namespace, class); known {
		if cl != nil {
			d.lastName, d.lastClass = class, cl
		}
		return cl, nil
	}
	if k := strings.ToLower(class); !d.noted[k] && len(d.noted) < maxDeferredSchemas {
		d.noted[k] = true
		d.missing = append(d.missing, class)
	}
	return nil, nil
}

// fetch asks for the schemas noted, once the enumeration has ended.
func (d *deferredSchemas) fetch(ctx context.Context) {
	d.mu.Lock()
	missing := d.missing
	d.missing = nil
	d.mu.Unlock()
	for _, class := range missing {
		if _, err := d.c.schema(ctx, d.namespace, class); err != nil {
			return // cancelled
		}
	}
}

package cim

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/cimsh/cimsh/cim/model"
)

// classCache holds the class schemas a session has fetched, per namespace,
// so values are typed without a round trip and completion can offer class
// names without a blocking fetch.
type classCache struct {
	mu     sync.Mutex
	byNS   map[string]map[string]*model.Class // lower-case namespace, class
	failed map[string]*model.Fault            // namespace/class: the server's refusal
}

// get returns a cached schema, or the server's remembered refusal (a
// copy of its own for the caller), and whether either was cached.
func (c *classCache) get(ns, name string) (cls *model.Class, refused *model.Fault, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := strings.ToLower(ns) + "/" + strings.ToLower(name)
	if f := c.failed[key]; f != nil {
		return nil, f.Clone(), true
	}
	cls, ok = c.byNS[strings.ToLower(ns)][strings.ToLower(name)]
	return cls, nil, ok
}

func (c *classCache) put(ns string, cls *model.Class) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byNS == nil {
		c.byNS = map[string]map[string]*model.Class{}
	}
	m := c.byNS[strings.ToLower(ns)]
	if m == nil {
		m = map[string]*model.Class{}
		c.byNS[strings.ToLower(ns)] = m
	}
	m[strings.ToLower(cls.Name)] = cls
}

func (c *classCache) fail(ns, name string, f *model.Fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failed == nil {
		c.failed = map[string]*model.Fault{}
	}
	c.failed[strings.ToLower(ns)+"/"+strings.ToLower(name)] = f.Clone()
}

// GetClass returns a class schema (Get-CimClass), from the session's cache
// when it has it. A class the server refused (access denied, not
// supported, no such class: model.IsRefusal) is remembered, so later
// operations do not ask again; a failure that may pass (a timeout, a
// reset, a 5xx) is not: the next call asks again.
func (s *Session) GetClass(ctx context.Context, namespace, name string) (*model.Class, error) {
	ns := normNamespace(namespace)
	if cls, refused, ok := s.classes.get(ns, name); ok {
		if refused != nil {
			return nil, refused
		}
		return cls, nil
	}
	c := model.Common{Namespace: ns}
	cls, err := call(ctx, s, &c, func(ctx context.Context, p model.Provider) (*model.Class, error) {
		return p.GetClass(ctx, &model.GetClassRequest{Common: c, ClassName: name})
	})
	if err != nil {
		if f, ok := model.AsFault(err); ok && model.IsRefusal(f) {
			s.classes.fail(ns, name, f)
		}
		return nil, err
	}
	s.classes.put(ns, cls)
	return cls, nil
}

// Classes lists the classes of a namespace (derived from base when set)
// and caches them.
func (s *Session) Classes(ctx context.Context, namespace, base string) ([]*model.Class, error) {
	ns := normNamespace(namespace)
	c := model.Common{Namespace: ns}
	classes, err := call(ctx, s, &c, func(ctx context.Context, p model.Provider) ([]*model.Class, error) {
		return p.EnumerateClasses(ctx, &model.EnumerateClassesRequest{Common: c, ClassName: base})
	})
	if err != nil {
		return nil, err
	}
	for _, cls := range classes {
		s.classes.put(ns, cls)
	}
	return classes, nil
}

// CachedClassNames returns the names of the classes of a namespace that
// the session has seen, sorted, without any network round trip.
func (s *Session) CachedClassNames(namespace string) []string {
	ns := strings.ToLower(normNamespace(namespace))
	s.classes.mu.Lock()
	defer s.classes.mu.Unlock()
	var names []string
	for _, cls := range s.classes.byNS[ns] {
		names = append(names, cls.Name)
	}
	sort.Strings(names)
	return names
}

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
	failed map[string]bool                    // namespace/class the server could not serve
}

func (c *classCache) get(ns, name string) (*model.Class, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := strings.ToLower(ns) + "/" + strings.ToLower(name)
	if c.failed[key] {
		return nil, true
	}
	cls, ok := c.byNS[strings.ToLower(ns)][strings.ToLower(name)]
	return cls, ok
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

func (c *classCache) fail(ns, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failed == nil {
		c.failed = map[string]bool{}
	}
	c.failed[strings.ToLower(ns)+"/"+strings.ToLower(name)] = true
}

// GetClass returns a class schema (Get-CimClass), from the session's cache
// when it has it. A class the server could not serve is remembered as
// unavailable, so later operations do not ask again.
func (s *Session) GetClass(ctx context.Context, namespace, name string) (*model.Class, error) {
	ns := normNamespace(namespace)
	if cls, ok := s.classes.get(ns, name); ok {
		if cls == nil {
			return nil, &model.Fault{Category: model.CategoryNotSupported, Reason: "class schema not available for " + name}
		}
		return cls, nil
	}
	c := model.Common{Namespace: ns}
	cls, err := call(ctx, s, &c, func(ctx context.Context, p model.Provider) (*model.Class, error) {
		return p.GetClass(ctx, &model.GetClassRequest{Common: c, ClassName: name})
	})
	if err != nil {
		if f, ok := model.AsFault(err); ok && f.Category != model.CategoryCanceled && f.Category != model.CategoryTimeout && f.Category != model.CategoryUnreachable {
			s.classes.fail(ns, name)
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

// Package memprov is an in-memory model.Provider built from Go class
// definitions: each registered class has a schema and functions that list,
// get, create, modify and delete its instances and run its methods.
// memprov does the rest the way WMI does: namespaces, the class hierarchy
// (enumerating a base class returns the instances of its subclasses),
// get by key, WQL queries, associations, method argument typing, key
// flags and faults. The local machine provider and the WS-Man test
// server's fixture provider are built on it.
package memprov

import (
	"context"
	"strings"
	"sync"

	"github.com/cimsh/cimsh/cim/model"
)

// MethodFunc runs a method. target is the instance the method is invoked
// on (nil for a static method); in holds the input parameters, converted
// to the types the method's schema declares. It returns the output
// parameters, ReturnValue included; a nil result means no output.
type MethodFunc func(ctx context.Context, target *model.Instance, in *model.Instance) (*model.Instance, error)

// ClassDef defines one class: its schema and the functions that serve it.
// Every function is optional; an operation whose function is missing is
// refused with CIM_ERR_NOT_SUPPORTED (or, for List, yields no instances).
type ClassDef struct {
	Class   *model.Class                                                              // schema; Namespace is set by Register; SuperClass names the parent
	List    func(ctx context.Context) ([]*model.Instance, error)                      // all instances of exactly this class (nil: none)
	Get     func(ctx context.Context, path *model.Reference) (*model.Instance, error) // optional; default List+match keys
	Methods map[string]MethodFunc                                                     // optional; method names matched case-insensitively
	Create  func(ctx context.Context, inst *model.Instance) (*model.Instance, error)
	Modify  func(ctx context.Context, inst *model.Instance) (*model.Instance, error)
	Delete  func(ctx context.Context, path *model.Reference) error
}

// Provider serves registered classes. It is safe for concurrent use; the
// class functions may be called concurrently.
type Provider struct {
	id           model.Identity
	computerName string

	mu         sync.RWMutex
	namespaces map[string]*namespace // by normalized name
}

var _ model.Provider = (*Provider)(nil)

// namespace holds the classes of one namespace.
type namespace struct {
	name    string            // as first registered, with forward slashes
	classes map[string]*entry // by lower-case class name
	order   []*entry          // registration order, for stable listings
}

// entry is one registered class.
type entry struct {
	def   ClassDef
	class *model.Class // the registered schema (own properties only)
}

// New returns an empty provider that identifies itself as id and stamps
// the instances it returns with computerName (PSComputerName).
func New(id model.Identity, computerName string) *Provider {
	return &Provider{id: id, computerName: computerName, namespaces: map[string]*namespace{}}
}

// Register adds a class to namespace ("" means root/cimv2; backslashes
// are accepted). A class registered again replaces the earlier one. A
// class with no List is fine: an abstract base class such as CIM_Process
// whose instances all belong to subclasses.
func (p *Provider) Register(ns string, def ClassDef) {
	if def.Class == nil || def.Class.Name == "" {
		panic("memprov: Register needs a class with a name")
	}
	name := displayNamespace(ns)
	c := cloneClass(def.Class)
	c.Namespace = name
	for i := range c.Properties {
		if c.Properties[i].ClassOrigin == "" {
			c.Properties[i].ClassOrigin = c.Name
		}
	}
	def.Class = c
	if def.Methods != nil {
		m := make(map[string]MethodFunc, len(def.Methods))
		for k, f := range def.Methods {
			m[strings.ToLower(k)] = f
		}
		def.Methods = m
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	key := normalizeNamespace(ns)
	n := p.namespaces[key]
	if n == nil {
		n = &namespace{name: name, classes: map[string]*entry{}}
		p.namespaces[key] = n
	}
	c.Namespace = n.name // the spelling of the first registration
	e := &entry{def: def, class: c}
	lc := strings.ToLower(c.Name)
	if old := n.classes[lc]; old != nil {
		for i := range n.order {
			if n.order[i] == old {
				n.order[i] = e
			}
		}
	} else {
		n.order = append(n.order, e)
	}
	n.classes[lc] = e
}

// Identify returns the identity given to New.
func (p *Provider) Identify(ctx context.Context) (*model.Identity, error) {
	if err := ctxFault(ctx); err != nil {
		return nil, err
	}
	id := p.id
	id.SecurityProfiles = append([]string(nil), p.id.SecurityProfiles...)
	return &id, nil
}

// Close does nothing: memprov holds no connections.
func (p *Provider) Close() error { return nil }

// displayNamespace returns ns with forward slashes, or the default.
func displayNamespace(ns string) string {
	ns = strings.Trim(strings.ReplaceAll(ns, `\`, "/"), "/")
	return model.NamespaceOr(ns)
}

// normalizeNamespace is the lookup key of a namespace: case and slash
// direction do not matter, as in WMI.
func normalizeNamespace(ns string) string {
	return strings.ToLower(displayNamespace(ns))
}

// namespace returns the named namespace or an invalid-namespace fault.
func (p *Provider) namespace(ns string) (*namespace, error) {
	p.mu.RLock()
	n := p.namespaces[normalizeNamespace(ns)]
	p.mu.RUnlock()
	if n == nil {
		return nil, model.NewFault(model.CIMInvalidNamespace, "memprov: namespace %s does not exist", model.Quote(displayNamespace(ns)))
	}
	return n, nil
}

// class returns the named class of n or an invalid-class fault.
func (p *Provider) class(n *namespace, name string) (*entry, error) {
	p.mu.RLock()
	e := n.classes[strings.ToLower(name)]
	p.mu.RUnlock()
	if e == nil {
		if name == "" {
			return nil, model.NewFault(model.CIMInvalidClass, "memprov: no class name given")
		}
		return nil, model.NewFault(model.CIMInvalidClass, "memprov: class %s does not exist in namespace %s", model.Quote(name), n.name)
	}
	return e, nil
}

// parent returns the registered superclass of e, or nil.
func (p *Provider) parent(n *namespace, e *entry) *entry {
	if e.class.SuperClass == "" {
		return nil
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	return n.classes[strings.ToLower(e.class.SuperClass)]
}

// isA reports whether class is base or derives from it (in n).
func (p *Provider) isA(n *namespace, class, base string) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	seen := 0
	for class != "" && seen < 64 { // the bound guards against a cycle
		if strings.EqualFold(class, base) {
			return true
		}
		e := n.classes[strings.ToLower(class)]
		if e == nil {
			return false
		}
		class = e.class.SuperClass
		seen++
	}
	return false
}

// descendants returns e and every registered class derived from it, in
// registration order (e first).
func (p *Provider) descendants(n *namespace, e *entry) []*entry {
	p.mu.RLock()
	order := append([]*entry(nil), n.order...)
	p.mu.RUnlock()
	out := []*entry{e}
	for _, c := range order {
		if c != e && p.isA(n, c.class.Name, e.class.Name) {
			out = append(out, c)
		}
	}
	return out
}

// schema returns the effective schema of e: its own properties and
// methods plus those it inherits (ancestors first, overridden by name),
// as Get-CimClass shows a class.
func (p *Provider) schema(n *namespace, e *entry) *model.Class {
	var chain []*entry
	for c := e; c != nil && len(chain) < 64; c = p.parent(n, c) {
		chain = append(chain, c)
	}
	out := cloneClass(e.class)
	out.Properties, out.Methods = nil, nil
	for i := len(chain) - 1; i >= 0; i-- {
		c := chain[i].class
		for _, pd := range c.Properties {
			if k := propIndex(out.Properties, pd.Name); k >= 0 {
				origin := out.Properties[k].ClassOrigin
				out.Properties[k] = pd
				out.Properties[k].ClassOrigin = origin
			} else {
				out.Properties = append(out.Properties, pd)
			}
		}
		for _, m := range c.Methods {
			if k := methodIndex(out.Methods, m.Name); k >= 0 {
				out.Methods[k] = m
			} else {
				out.Methods = append(out.Methods, m)
			}
		}
	}
	return out
}

// findDef walks from e up the hierarchy and returns the first class
// definition for which has reports true, so subclasses inherit methods
// and operations.
func (p *Provider) findDef(n *namespace, e *entry, has func(*ClassDef) bool) *ClassDef {
	for c, i := e, 0; c != nil && i < 64; c, i = p.parent(n, c), i+1 {
		if has(&c.def) {
			return &c.def
		}
	}
	return nil
}

func propIndex(ps []model.PropertyDecl, name string) int {
	for i := range ps {
		if strings.EqualFold(ps[i].Name, name) {
			return i
		}
	}
	return -1
}

func methodIndex(ms []model.Method, name string) int {
	for i := range ms {
		if strings.EqualFold(ms[i].Name, name) {
			return i
		}
	}
	return -1
}

// cloneClass copies a class deeply enough that callers may change its
// slices without touching the registered schema.
func cloneClass(c *model.Class) *model.Class {
	out := *c
	out.Qualifiers = append([]model.Qualifier(nil), c.Qualifiers...)
	out.Properties = make([]model.PropertyDecl, len(c.Properties))
	for i, pd := range c.Properties {
		pd.Qualifiers = append([]model.Qualifier(nil), pd.Qualifiers...)
		out.Properties[i] = pd
	}
	out.Methods = make([]model.Method, len(c.Methods))
	for i, m := range c.Methods {
		m.Qualifiers = append([]model.Qualifier(nil), m.Qualifiers...)
		m.Parameters = append([]model.Parameter(nil), m.Parameters...)
		out.Methods[i] = m
	}
	return &out
}

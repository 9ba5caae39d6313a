package model

import (
	"strings"
)

// Property is one named value of an instance. Key is set when the schema
// or the server's EPR marks the property as a key.
type Property struct {
	Name  string
	Value Value
	Key   bool
}

// Instance is a CIM instance (or a method's in/out parameter set). Its
// properties keep the order the server sent; lookups ignore case, as in
// PowerShell.
type Instance struct {
	ClassName    string
	Namespace    string
	ComputerName string // the host that returned it (PSComputerName)
	// ResourceURI is the class's resource URI as the server used it, so
	// that a Get, Put or Invoke on this instance addresses it the same way.
	ResourceURI string
	// Ref is the instance's endpoint reference when the server sent one
	// (EnumerateObjectAndEPR, Create); nil otherwise.
	Ref        *Reference
	Properties []Property
}

// NewInstance returns an empty instance of class in namespace.
func NewInstance(class, namespace string) *Instance {
	return &Instance{ClassName: class, Namespace: namespace}
}

// Index returns the position of the named property (case-insensitive), or -1.
func (i *Instance) Index(name string) int {
	for k := range i.Properties {
		if strings.EqualFold(i.Properties[k].Name, name) {
			return k
		}
	}
	return -1
}

// Get returns the named property's value (case-insensitive).
func (i *Instance) Get(name string) (Value, bool) {
	if k := i.Index(name); k >= 0 {
		return i.Properties[k].Value, true
	}
	return Value{}, false
}

// Property returns the named property (case-insensitive), or nil.
func (i *Instance) Property(name string) *Property {
	if k := i.Index(name); k >= 0 {
		return &i.Properties[k]
	}
	return nil
}

// Set sets the named property, replacing an existing one of the same name
// (keeping its position and key flag) or appending a new one.
func (i *Instance) Set(name string, v Value) {
	if k := i.Index(name); k >= 0 {
		i.Properties[k].Value = v
		return
	}
	i.Properties = append(i.Properties, Property{Name: name, Value: v})
}

// SetKey sets the named property and marks it as a key.
func (i *Instance) SetKey(name string, v Value) {
	i.Set(name, v)
	i.Properties[i.Index(name)].Key = true
}

// Remove deletes the named property; it reports whether it was present.
func (i *Instance) Remove(name string) bool {
	k := i.Index(name)
	if k < 0 {
		return false
	}
	i.Properties = append(i.Properties[:k], i.Properties[k+1:]...)
	return true
}

// Names returns the property names in order.
func (i *Instance) Names() []string {
	names := make([]string, len(i.Properties))
	for k, p := range i.Properties {
		names[k] = p.Name
	}
	return names
}

// Keys returns the key properties, in order.
func (i *Instance) Keys() []Property {
	var keys []Property
	for _, p := range i.Properties {
		if p.Key {
			keys = append(keys, p)
		}
	}
	return keys
}

// MarkKeys sets the Key flag on the named properties (case-insensitive)
// and clears it on the others.
func (i *Instance) MarkKeys(names []string) {
	for k := range i.Properties {
		i.Properties[k].Key = false
		for _, n := range names {
			if strings.EqualFold(n, i.Properties[k].Name) {
				i.Properties[k].Key = true
			}
		}
	}
}

// Clone returns a deep copy of the property list (values are immutable,
// so they are shared) and of Ref.
func (i *Instance) Clone() *Instance {
	c := *i
	c.Properties = append([]Property(nil), i.Properties...)
	if i.Ref != nil {
		c.Ref = i.Ref.Clone()
	}
	return &c
}

// Equal reports whether two instances have the same class and properties
// (names compared case-insensitively, in order).
func (i *Instance) Equal(o *Instance) bool {
	if i == nil || o == nil {
		return i == o
	}
	if !strings.EqualFold(i.ClassName, o.ClassName) || len(i.Properties) != len(o.Properties) {
		return false
	}
	for k := range i.Properties {
		if !strings.EqualFold(i.Properties[k].Name, o.Properties[k].Name) || !Equal(i.Properties[k].Value, o.Properties[k].Value) {
			return false
		}
	}
	return true
}

// Path returns a reference to the instance built from its key properties
// (or its Ref's selectors when it has no key flags), for Get, Invoke,
// Delete and association queries.
func (i *Instance) Path() *Reference {
	r := &Reference{ClassName: i.ClassName, Namespace: i.Namespace, ResourceURI: i.ResourceURI}
	for _, p := range i.Keys() {
		r.Selectors = append(r.Selectors, selectorFor(p.Name, p.Value))
	}
	if len(r.Selectors) == 0 && i.Ref != nil {
		c := i.Ref.Clone()
		if c.ClassName == "" {
			c.ClassName = i.ClassName
		}
		if c.Namespace == "" {
			c.Namespace = i.Namespace
		}
		return c
	}
	return r
}

func selectorFor(name string, v Value) Selector {
	if r, ok := v.AsReference(); ok {
		return Selector{Name: name, Ref: r}
	}
	return Selector{Name: name, Value: v.Text()}
}

// String describes the instance by class and keys, as PowerShell's
// ToString does: Win32_Service (Name = "WinRM").
func (i *Instance) String() string {
	var b strings.Builder
	b.WriteString(i.ClassName)
	keys := i.Keys()
	if len(keys) == 0 {
		return b.String()
	}
	b.WriteString(" (")
	for k, p := range keys {
		if k > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.Name)
		b.WriteString(" = ")
		if s, ok := p.Value.AsString(); ok {
			b.WriteString(quote(s))
		} else {
			b.WriteString(p.Value.String())
		}
	}
	b.WriteString(")")
	return b.String()
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

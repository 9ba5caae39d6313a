package model

import (
	"iter"
	"strconv"
	"strings"
)

// Property is one named value of an instance. Key is set when the schema
// or the server's EPR marks the property as a key.
type Property struct {
	Name  string
	Value Value
	Key   bool
}

// Layout is the names and key flags of an instance's properties, in
// order. The instances of one enumeration mostly have the same ones, so
// a decoder gives them one Layout: an instance then holds its values
// alone, 16 bytes a property instead of a Property's 40, and the garbage
// collector has half the pointers to follow.
//
// An instance never writes into the names or keys it was given: one that
// changes a name or a key flag, or removes a property, copies them
// first, and one that adds a property appends past the end of what it
// shares (the shared arrays are clipped to their length, so the append
// copies). Copying an Instance struct therefore behaves as copying a
// slice did: the copies' names and keys are independent.
type Layout struct {
	names []string
	keys  []bool
}

// newLayout returns the layout of props: their names and key flags.
func newLayout(props []Property) Layout {
	l := Layout{names: make([]string, len(props)), keys: make([]bool, len(props))}
	for k, p := range props {
		l.names[k], l.keys[k] = p.Name, p.Key
	}
	return l
}

// Len is the number of properties.
func (l Layout) Len() int { return len(l.names) }

// clip is l with no room to append into: an append copies.
func (l Layout) clip() Layout {
	return Layout{names: l.names[:len(l.names):len(l.names)], keys: l.keys[:len(l.keys):len(l.keys)]}
}

// Instance is a CIM instance (or a method's in/out parameter set). Its
// properties keep the order the server sent; lookups ignore case, as in
// PowerShell. Properties are read with Len and At (or All) and changed
// with Set, Append and the other methods; their names and key flags may
// be shared with other instances (see Layout), their values are the
// instance's own.
type Instance struct {
	ClassName    string
	Namespace    string
	ComputerName string // the host that returned it (PSComputerName)
	// ResourceURI is the class's resource URI as the server used it, so
	// that a Get, Put or Invoke on this instance addresses it the same way.
	ResourceURI string
	// Ref is the instance's endpoint reference when the server sent one
	// (EnumerateObjectAndEPR, Create); nil otherwise.
	Ref *Reference

	lay    Layout  // names and keys, maybe shared: never written in place
	values []Value // len(values) == lay.Len()
}

// NewInstance returns an empty instance of class in namespace.
func NewInstance(class, namespace string) *Instance {
	return &Instance{ClassName: class, Namespace: namespace}
}

// NewInstanceOf returns an instance of class in namespace with props
// (copied).
func NewInstanceOf(class, namespace string, props ...Property) *Instance {
	i := &Instance{ClassName: class, Namespace: namespace}
	i.SetProperties(props)
	return i
}

// SetLayout gives the instance layout's properties with values, which it
// keeps (the caller gives them up); layout may be shared with other
// instances and is not changed. It panics if the lengths differ.
func (i *Instance) SetLayout(layout Layout, values []Value) {
	if layout.Len() != len(values) {
		panic("model: SetLayout with " + strconv.Itoa(len(values)) + " values for " + strconv.Itoa(layout.Len()) + " properties")
	}
	if len(values) == 0 {
		layout, values = Layout{}, nil
	}
	i.lay, i.values = layout.clip(), values
}

// Layout returns the instance's names and key flags, to give to other
// instances with SetLayout.
func (i *Instance) Layout() Layout { return i.lay.clip() }

// Values returns the instance's values in the order of its properties:
// the instance's own slice, for reading.
func (i *Instance) Values() []Value { return i.values }

// SetProperties replaces the instance's properties with props (copied).
func (i *Instance) SetProperties(props []Property) {
	if len(props) == 0 {
		i.lay, i.values = Layout{}, nil
		return
	}
	i.lay = newLayout(props)
	i.values = make([]Value, len(props))
	for k, p := range props {
		i.values[k] = p.Value
	}
}

// Len is the number of properties.
func (i *Instance) Len() int { return len(i.values) }

// At returns the k-th property.
func (i *Instance) At(k int) Property {
	return Property{Name: i.lay.names[k], Value: i.values[k], Key: i.lay.keys[k]}
}

// NameAt returns the k-th property's name.
func (i *Instance) NameAt(k int) string { return i.lay.names[k] }

// ValueAt returns the k-th property's value.
func (i *Instance) ValueAt(k int) Value { return i.values[k] }

// IsKeyAt reports whether the k-th property is a key.
func (i *Instance) IsKeyAt(k int) bool { return i.lay.keys[k] }

// All yields the properties in order with their positions.
func (i *Instance) All() iter.Seq2[int, Property] {
	return func(yield func(int, Property) bool) {
		for k := range i.values {
			if !yield(k, i.At(k)) {
				return
			}
		}
	}
}

// PropertyList returns a copy of the properties, in order.
func (i *Instance) PropertyList() []Property {
	out := make([]Property, len(i.values))
	for k := range out {
		out[k] = i.At(k)
	}
	return out
}

// SetAt replaces the k-th property's value.
func (i *Instance) SetAt(k int, v Value) { i.values[k] = v }

// SetKeyAt sets or clears the k-th property's key flag.
func (i *Instance) SetKeyAt(k int, key bool) {
	if i.lay.keys[k] == key {
		return
	}
	i.lay.keys = append([]bool(nil), i.lay.keys...) // maybe shared: never written in place
	i.lay.keys[k] = key
}

// Append adds props at the end without looking for properties of the
// same names (Set replaces one).
func (i *Instance) Append(props ...Property) {
	for _, p := range props {
		i.lay.names = append(i.lay.names, p.Name)
		i.lay.keys = append(i.lay.keys, p.Key)
		i.values = append(i.values, p.Value)
	}
}

// Retain keeps the properties keep returns true for, in order.
func (i *Instance) Retain(keep func(Property) bool) {
	var props []Property
	for k := range i.values {
		if p := i.At(k); keep(p) {
			props = append(props, p)
		}
	}
	if len(props) < len(i.values) {
		i.SetProperties(props)
	}
}

// Index returns the position of the named property (case-insensitive), or -1.
func (i *Instance) Index(name string) int {
	// Names are mostly written as the server spells them: looked for
	// as they are first (most others differ in length, one compare).
	for k, n := range i.lay.names {
		if n == name {
			return k
		}
	}
	for k, n := range i.lay.names {
		if strings.EqualFold(n, name) {
			return k
		}
	}
	return -1
}

// Get returns the named property's value (case-insensitive).
func (i *Instance) Get(name string) (Value, bool) {
	if k := i.Index(name); k >= 0 {
		return i.values[k], true
	}
	return Value{}, false
}

// Lookup returns the named property (case-insensitive).
func (i *Instance) Lookup(name string) (Property, bool) {
	if k := i.Index(name); k >= 0 {
		return i.At(k), true
	}
	return Property{}, false
}

// Has reports whether the instance has the named property (case-insensitive).
func (i *Instance) Has(name string) bool { return i.Index(name) >= 0 }

// IsKey reports whether the named property (case-insensitive) is there
// and is a key.
func (i *Instance) IsKey(name string) bool {
	k := i.Index(name)
	return k >= 0 && i.lay.keys[k]
}

// Set sets the named property, replacing an existing one of the same name
// (keeping its position and key flag) or appending a new one.
func (i *Instance) Set(name string, v Value) {
	if k := i.Index(name); k >= 0 {
		i.values[k] = v
		return
	}
	i.Append(Property{Name: name, Value: v})
}

// SetKey sets the named property and marks it as a key.
func (i *Instance) SetKey(name string, v Value) {
	i.Set(name, v)
	i.SetKeyAt(i.Index(name), true)
}

// Rename changes the k-th property's name.
func (i *Instance) Rename(k int, name string) {
	if i.lay.names[k] == name {
		return
	}
	i.lay.names = append([]string(nil), i.lay.names...) // maybe shared: never written in place
	i.lay.names[k] = name
}

// Remove deletes the named property; it reports whether it was present.
func (i *Instance) Remove(name string) bool {
	k := i.Index(name)
	if k < 0 {
		return false
	}
	// New arrays: the names and keys may be shared, and the values of a
	// copy of this Instance struct would see a shift in place.
	i.lay.names = append(i.lay.names[:k:k], i.lay.names[k+1:]...)
	i.lay.keys = append(i.lay.keys[:k:k], i.lay.keys[k+1:]...)
	i.values = append(i.values[:k:k], i.values[k+1:]...)
	return true
}

// Names returns the property names in order.
func (i *Instance) Names() []string {
	return append([]string{}, i.lay.names...)
}

// Keys returns the key properties, in order.
func (i *Instance) Keys() []Property {
	var keys []Property
	for k := range i.values {
		if i.lay.keys[k] {
			keys = append(keys, i.At(k))
		}
	}
	return keys
}

// MarkKeys sets the Key flag on the named properties (case-insensitive)
// and clears it on the others.
func (i *Instance) MarkKeys(names []string) {
	keys := make([]bool, len(i.values))
	for k := range keys {
		for _, n := range names {
			if strings.EqualFold(n, i.lay.names[k]) {
				keys[k] = true
			}
		}
	}
	i.lay.keys = keys
}

// Clone returns a copy with values of its own (values are immutable, so
// they are shared) and its own copy of Ref; the names and keys are
// shared, as neither instance writes into them.
func (i *Instance) Clone() *Instance {
	c := *i
	c.lay = i.lay.clip()
	c.values = append([]Value(nil), i.values...)
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
	if !strings.EqualFold(i.ClassName, o.ClassName) || len(i.values) != len(o.values) {
		return false
	}
	for k := range i.values {
		if !strings.EqualFold(i.lay.names[k], o.lay.names[k]) || !Equal(i.values[k], o.values[k]) {
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

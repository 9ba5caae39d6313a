package model

import "strings"

// Selector is one key of an endpoint reference. Its value is text, or
// another reference when a key is itself a reference (association
// instances' keys are).
type Selector struct {
	Name  string
	Value string
	Ref   *Reference
}

// Reference is a CIM object path: a WS-Addressing endpoint reference with
// a resource URI and selectors. ClassName and Namespace are filled from the
// resource URI and the __cimnamespace selector when decoded.
type Reference struct {
	Address     string
	ResourceURI string
	ClassName   string
	Namespace   string
	Selectors   []Selector
}

// Selector returns the named selector's value (case-insensitive, as
// Windows treats selector names).
func (r *Reference) Selector(name string) (Selector, bool) {
	for _, s := range r.Selectors {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return Selector{}, false
}

// Clone returns a deep copy of r.
func (r *Reference) Clone() *Reference {
	if r == nil {
		return nil
	}
	c := *r
	c.Selectors = make([]Selector, len(r.Selectors))
	for i, s := range r.Selectors {
		c.Selectors[i] = Selector{Name: s.Name, Value: s.Value, Ref: s.Ref.Clone()}
	}
	return &c
}

// Equal compares class, namespace and selectors, ignoring case in names
// and the order of selectors.
func (r *Reference) Equal(o *Reference) bool {
	if r == nil || o == nil {
		return r == o
	}
	if !strings.EqualFold(r.ClassName, o.ClassName) || !strings.EqualFold(r.Namespace, o.Namespace) ||
		len(r.Selectors) != len(o.Selectors) {
		return false
	}
	for _, s := range r.Selectors {
		t, ok := o.Selector(s.Name)
		if !ok || s.Value != t.Value || !s.Ref.Equal(t.Ref) {
			return false
		}
	}
	return true
}

// String writes the reference in WMI's object path form:
// Win32_Service.Name="WinRM" (namespace omitted).
func (r *Reference) String() string {
	var b strings.Builder
	b.WriteString(r.ClassName)
	for i, s := range r.Selectors {
		if strings.HasPrefix(s.Name, "__") {
			continue
		}
		if i == 0 || b.Len() == len(r.ClassName) {
			b.WriteByte('.')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(s.Name)
		b.WriteByte('=')
		if s.Ref != nil {
			b.WriteString(quote(s.Ref.String()))
		} else {
			b.WriteString(quote(s.Value))
		}
	}
	return b.String()
}

package model

import "strings"

// Qualifier is a named qualifier of a class, property, method or parameter.
type Qualifier struct {
	Name  string
	Value Value
}

// PropertyDecl declares a property of a class.
type PropertyDecl struct {
	Name          string
	Type          Type
	Array         bool
	RefClass      string // for references: the class referred to
	EmbeddedClass string // for embedded instances: the class, when declared
	Key           bool
	ClassOrigin   string
	Default       Value
	Qualifiers    []Qualifier
}

// Parameter declares a method parameter.
type Parameter struct {
	Name          string
	Type          Type
	Array         bool
	RefClass      string
	EmbeddedClass string
	In, Out       bool
	Qualifiers    []Qualifier
}

// Method declares a method of a class.
type Method struct {
	Name       string
	ReturnType Type
	Static     bool
	Parameters []Parameter
	Qualifiers []Qualifier
}

// Class is a CIM class schema, as Get-CimClass returns it.
type Class struct {
	Name       string
	Namespace  string
	SuperClass string
	Qualifiers []Qualifier
	Properties []PropertyDecl
	Methods    []Method
}

// Property returns the named property declaration (case-insensitive).
func (c *Class) Property(name string) *PropertyDecl {
	for i := range c.Properties {
		if strings.EqualFold(c.Properties[i].Name, name) {
			return &c.Properties[i]
		}
	}
	return nil
}

// Method returns the named method (case-insensitive).
func (c *Class) Method(name string) *Method {
	for i := range c.Methods {
		if strings.EqualFold(c.Methods[i].Name, name) {
			return &c.Methods[i]
		}
	}
	return nil
}

// KeyNames returns the names of the key properties, in order.
func (c *Class) KeyNames() []string {
	var keys []string
	for _, p := range c.Properties {
		if p.Key {
			keys = append(keys, p.Name)
		}
	}
	return keys
}

// Qualifier returns the named qualifier of the class (case-insensitive).
func (c *Class) Qualifier(name string) (Qualifier, bool) { return findQualifier(c.Qualifiers, name) }

// IsAssociation reports whether the class has the Association qualifier.
func (c *Class) IsAssociation() bool {
	q, ok := c.Qualifier("Association")
	if !ok {
		return false
	}
	b, isBool := q.Value.AsBool()
	return !isBool || b
}

// Parameter returns the named parameter of m (case-insensitive).
func (m *Method) Parameter(name string) *Parameter {
	for i := range m.Parameters {
		if strings.EqualFold(m.Parameters[i].Name, name) {
			return &m.Parameters[i]
		}
	}
	return nil
}

func findQualifier(qs []Qualifier, name string) (Qualifier, bool) {
	for _, q := range qs {
		if strings.EqualFold(q.Name, name) {
			return q, true
		}
	}
	return Qualifier{}, false
}

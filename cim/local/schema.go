package local

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// A class is declared with a small line format, one property a line, so the
// schemas read like the MOF syntax on Microsoft's class pages:
//
//	uint64 FreePhysicalMemory units=kilobytes
//	string Handle key
//	string Roles[]
//	Win32_Service ref PartComponent key
//
// Properties are inherited from the superclass (a redeclaration overrides
// the flags and keeps the ClassOrigin) and kept in alphabetical order, the
// order WMI returns them in.

// schemaSet holds the classes declared so far, by lower-case name.
type schemaSet struct {
	classes map[string]*model.Class
	order   []*model.Class
}

func newSchemaSet() *schemaSet { return &schemaSet{classes: map[string]*model.Class{}} }

// lookup returns a declared class (case-insensitive).
func (s *schemaSet) lookup(name string) *model.Class { return s.classes[strings.ToLower(name)] }

// declare parses props and adds the class named name deriving from super
// ("" for a root class). Class qualifiers are given as names of boolean
// qualifiers that are true (Singleton, Abstract, ...).
func (s *schemaSet) declare(name, super, props string, quals ...string) (*model.Class, error) {
	if s.lookup(name) != nil {
		return nil, fmt.Errorf("local: class %s declared twice", name)
	}
	c := &model.Class{Name: name, Namespace: model.DefaultNamespace, SuperClass: super}
	for _, q := range quals {
		c.Qualifiers = append(c.Qualifiers, model.Qualifier{Name: q, Value: model.Bool(true)})
	}
	if super != "" {
		parent := s.lookup(super)
		if parent == nil {
			return nil, fmt.Errorf("local: class %s: superclass %s is not declared", name, super)
		}
		c.SuperClass = parent.Name
		for _, p := range parent.Properties {
			p.Qualifiers = append([]model.Qualifier(nil), p.Qualifiers...)
			c.Properties = append(c.Properties, p)
		}
	}
	own, err := parseProps(name, props)
	if err != nil {
		return nil, err
	}
	for _, p := range own {
		if old := c.Property(p.Name); old != nil {
			p.ClassOrigin = old.ClassOrigin
			*old = p
			continue
		}
		c.Properties = append(c.Properties, p)
	}
	sort.SliceStable(c.Properties, func(i, j int) bool {
		return lessFold(c.Properties[i].Name, c.Properties[j].Name)
	})
	s.classes[strings.ToLower(name)] = c
	s.order = append(s.order, c)
	return c, nil
}

// parseProps reads the line format described above.
func parseProps(class, src string) ([]model.PropertyDecl, error) {
	var out []model.PropertyDecl
	for n, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			return nil, fmt.Errorf("local: class %s line %d: want \"type Name [flags]\", got %q", class, n+1, line)
		}
		var p model.PropertyDecl
		if len(f) >= 3 && f[1] == "ref" {
			// "Class ref Name": a reference to an instance of Class.
			p = model.PropertyDecl{Name: f[2], Type: model.TypeReference, RefClass: f[0], ClassOrigin: class}
			f = f[1:]
		} else {
			t, ok := model.ParseType(f[0])
			if !ok {
				return nil, fmt.Errorf("local: class %s line %d: unknown type %q", class, n+1, f[0])
			}
			p = model.PropertyDecl{Name: f[1], Type: t, ClassOrigin: class}
		}
		if strings.HasSuffix(p.Name, "[]") {
			p.Name, p.Array = strings.TrimSuffix(p.Name, "[]"), true
		}
		for _, flag := range f[2:] {
			switch {
			case flag == "key":
				p.Key = true
				p.Qualifiers = append(p.Qualifiers, model.Qualifier{Name: "Key", Value: model.Bool(true)})
			case strings.HasPrefix(flag, "units="):
				u := strings.ReplaceAll(strings.TrimPrefix(flag, "units="), "_", " ")
				p.Qualifiers = append(p.Qualifiers, model.Qualifier{Name: "Units", Value: model.String(u)})
			default:
				return nil, fmt.Errorf("local: class %s line %d: unknown flag %q", class, n+1, flag)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// newInstance returns an instance of c holding every property of the
// schema as a typed NULL, keys marked, as Windows sends them: a property
// the OS cannot tell stays NULL.
func newInstance(c *model.Class) *model.Instance {
	inst := model.NewInstance(c.Name, model.DefaultNamespace)
	props := make([]model.Property, len(c.Properties))
	for i, p := range c.Properties {
		v := model.Null(p.Type)
		if p.Array {
			v = model.NullArray(p.Type)
		}
		props[i] = model.Property{Name: p.Name, Value: v, Key: p.Key}
	}
	inst.SetProperties(props)
	return inst
}

// lessFold orders names as their lower-case forms compare, without
// building them (every class is declared at a process's first local
// query: strings.ToLower in the sort was a tenth of its start-up).
func lessFold(a, b string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if x >= 0x80 || y >= 0x80 {
			return strings.ToLower(a) < strings.ToLower(b)
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return x < y
		}
	}
	return len(a) < len(b)
}

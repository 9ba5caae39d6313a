package wql

import (
	"fmt"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// tri is SQL's three-valued logic: a comparison with NULL is unknown,
// NOT unknown is unknown, and only true selects an instance.
type tri uint8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

func triOf(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

// Match reports whether inst satisfies the WHERE clause (true when there
// is none). It does not check the class: the caller enumerated it. A
// property the instance lacks is NULL. An error reports a comparison WQL
// cannot make (an array, an embedded instance, a constant of the wrong
// kind for the property), as WMI reports an invalid query.
func (q *Query) Match(inst *model.Instance) (bool, error) {
	if q.Where == nil {
		return true, nil
	}
	if inst == nil {
		return false, nil
	}
	t, err := q.eval(q.Where, inst)
	return t == triTrue, err
}

func (q *Query) eval(e Expr, inst *model.Instance) (tri, error) {
	switch x := e.(type) {
	case *Binary:
		l, err := q.eval(x.Left, inst)
		if err != nil {
			return triUnknown, err
		}
		// Short-circuit as Kleene logic allows.
		if x.Op == "AND" && l == triFalse {
			return triFalse, nil
		}
		if x.Op == "OR" && l == triTrue {
			return triTrue, nil
		}
		r, err := q.eval(x.Right, inst)
		if err != nil {
			return triUnknown, err
		}
		if x.Op == "AND" {
			switch {
			case r == triFalse:
				return triFalse, nil
			case l == triTrue && r == triTrue:
				return triTrue, nil
			}
			return triUnknown, nil
		}
		switch {
		case r == triTrue:
			return triTrue, nil
		case l == triFalse && r == triFalse:
			return triFalse, nil
		}
		return triUnknown, nil
	case *Not:
		t, err := q.eval(x.X, inst)
		switch t {
		case triTrue:
			return triFalse, err
		case triFalse:
			return triTrue, err
		}
		return triUnknown, err
	case *IsNull:
		v, _ := lookup(inst, x.Property)
		return triOf(v.IsNull() != x.Not), nil
	case *Compare:
		v, _ := lookup(inst, x.Property)
		lit := x.Value
		if x.Other != "" {
			o, _ := lookup(inst, x.Other)
			var err error
			if lit, err = asLiteral(o); err != nil {
				return triUnknown, fmt.Errorf("wql: %s: %w", model.Clip(x.String()), err)
			}
		}
		c, ok, err := compare(v, lit, x.when)
		if err != nil {
			return triUnknown, fmt.Errorf("wql: %s: %w", model.Clip(x.String()), err)
		}
		if !ok {
			return triUnknown, nil
		}
		return triOf(apply(x.Op, c)), nil
	case *Like:
		v, _ := lookup(inst, x.Property)
		if v.IsNull() {
			return triUnknown, nil
		}
		if v.IsArray() {
			return triUnknown, fmt.Errorf("wql: %s LIKE: %s is an array", x.Property, x.Property)
		}
		s, ok := v.AsString()
		if !ok {
			s = v.Text()
		}
		return triOf(like(s, x.Pattern) != x.Not), nil
	case *IsA:
		v, _ := lookup(inst, x.Property)
		if v.IsNull() {
			return triUnknown, nil
		}
		var class string
		if e, ok := v.AsInstance(); ok {
			class = e.ClassName
		} else if s, ok := v.AsString(); ok {
			class = s
		} else {
			return triUnknown, fmt.Errorf("wql: %s ISA: %s is a %s, not an object or class name", x.Property, x.Property, v.Type())
		}
		if q.IsA != nil {
			return triOf(q.IsA(class, x.Class)), nil
		}
		return triOf(strings.EqualFold(class, x.Class)), nil
	}
	return triUnknown, fmt.Errorf("wql: unknown expression %T", e)
}

func apply(op string, c int) bool {
	switch op {
	case "=":
		return c == 0
	case "<>":
		return c != 0
	case "<":
		return c < 0
	case ">":
		return c > 0
	case "<=":
		return c <= 0
	case ">=":
		return c >= 0
	}
	return false
}

// lookup returns a property of inst: a system property (__CLASS,
// __NAMESPACE, __SERVER, __RELPATH, __PATH, __GENUS, __PROPERTY_COUNT,
// __THIS), a property, or a dotted path into embedded instances.
func lookup(inst *model.Instance, name string) (model.Value, bool) {
	if head, rest, dotted := strings.Cut(name, "."); dotted {
		v, ok := lookup(inst, head)
		if !ok {
			return model.Value{}, false
		}
		sub, isInst := v.AsInstance()
		if !isInst {
			return model.Value{}, false
		}
		return lookup(sub, rest)
	}
	if strings.HasPrefix(name, "__") {
		switch strings.ToUpper(name) {
		case "__CLASS":
			return model.String(inst.ClassName), true
		case "__NAMESPACE":
			return model.String(strings.ReplaceAll(inst.Namespace, "/", `\`)), true
		case "__SERVER":
			return model.String(inst.ComputerName), true
		case "__RELPATH":
			return model.String(inst.Path().String()), true
		case "__PATH":
			return model.String(FormatObjectPath(inst.ComputerName, inst.Path())), true
		case "__GENUS":
			return model.Sint(model.TypeSint32, 2), true
		case "__PROPERTY_COUNT":
			return model.Sint(model.TypeSint32, int64(inst.Len())), true
		case "__THIS":
			return model.Embedded(inst), true
		}
	}
	return inst.Get(name)
}

// Project returns a copy of inst holding only the selected properties
// and the keys (which WMI always returns); all of them for SELECT *.
func (q *Query) Project(inst *model.Instance) *model.Instance {
	c := inst.Clone()
	if q.Properties == nil {
		return c
	}
	c.Retain(func(p model.Property) bool { return p.Key || q.selects(p.Name) })
	return c
}

// selects reports whether the property list names a property (a dotted
// name selects its first part).
func (q *Query) selects(name string) bool {
	for _, p := range q.Properties {
		head, _, _ := strings.Cut(p, ".")
		if p == "*" || strings.EqualFold(head, name) {
			return true
		}
	}
	return false
}

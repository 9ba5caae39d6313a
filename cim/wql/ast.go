package wql

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// Query is a parsed WQL query: a SELECT, or an ASSOCIATORS OF /
// REFERENCES OF query (Associators set, ClassName and Where unused).
type Query struct {
	Properties  []string // nil means *
	ClassName   string
	Where       Expr // nil if none
	Associators *AssocQuery

	// Event query clauses (__InstanceCreationEvent and the like): the
	// polling interval of WITHIN and the GROUP WITHIN ... BY ... HAVING
	// clause, intervals in seconds (zero when absent). Match and Project
	// ignore them; an indication source reads them.
	Within      float64
	GroupWithin float64
	GroupBy     []string
	Having      Expr

	// IsA reports whether class is base or derives from it; Match uses
	// it for ISA. Nil means exact (case-insensitive) class name equality.
	IsA func(class, base string) bool
}

// AssocQuery is the ASSOCIATORS OF or REFERENCES OF form.
type AssocQuery struct {
	References bool   // REFERENCES OF rather than ASSOCIATORS OF
	Path       string // the object path between the braces, as written
	Object     *model.Reference

	AssocClass             string // ASSOCIATORS OF only
	ResultClass            string
	Role                   string
	ResultRole             string // ASSOCIATORS OF only
	RequiredQualifier      string // ASSOCIATORS OF only
	RequiredAssocQualifier string
	ClassDefsOnly          bool
	SchemaOnly             bool
	KeysOnly               bool
}

// Filter returns the association filter the query asks for.
func (a *AssocQuery) Filter() *model.AssociationFilter {
	return &model.AssociationFilter{
		Source:           a.Object.Clone(),
		AssociationClass: a.AssocClass,
		ResultClass:      a.ResultClass,
		Role:             a.Role,
		ResultRole:       a.ResultRole,
		References:       a.References,
	}
}

// Expr is a WHERE condition: *Binary, *Not, *Compare, *IsNull, *Like or
// *IsA.
type Expr interface {
	String() string
	expr()
}

// Binary is AND or OR.
type Binary struct {
	Op          string // "AND" or "OR"
	Left, Right Expr
}

// Not negates X.
type Not struct{ X Expr }

// Compare compares a property with a constant, or with another property
// when Other is set (TargetInstance.State <> PreviousInstance.State, as
// event queries write). Reversed records that the constant was written
// first (5 < Prop), which String keeps.
type Compare struct {
	Property string
	Op       string // = <> < > <= >= (!= is read as <>)
	Value    Literal
	Other    string
	Reversed bool

	when *model.Datetime // Value parsed as a datetime, by Parse, when it is one
}

// IsNull is Property IS [NOT] NULL.
type IsNull struct {
	Property string
	Not      bool
}

// Like is Property [NOT] LIKE pattern.
type Like struct {
	Property string
	Pattern  string
	Not      bool
}

// IsA is Property ISA "Class": true when the property (an embedded
// instance, or a class name such as __CLASS) is of Class or a subclass.
type IsA struct {
	Property string
	Class    string
}

func (*Binary) expr()  {}
func (*Not) expr()     {}
func (*Compare) expr() {}
func (*IsNull) expr()  {}
func (*Like) expr()    {}
func (*IsA) expr()     {}

// LitKind is the kind of a constant.
type LitKind uint8

// The constant kinds.
const (
	LitNull LitKind = iota
	LitString
	LitInt // Neg and Mag: exact over the whole sint64 and uint64 ranges
	LitReal
	LitBool
)

// Literal is a constant of a WHERE condition.
type Literal struct {
	Kind LitKind
	Str  string  // LitString
	Neg  bool    // LitInt: negative
	Mag  uint64  // LitInt: the magnitude
	Real float64 // LitReal
	Bool bool    // LitBool
}

// String writes the constant as WQL.
func (l Literal) String() string {
	switch l.Kind {
	case LitString:
		return quoteString(l.Str)
	case LitInt:
		s := strconv.FormatUint(l.Mag, 10)
		if l.Neg {
			return "-" + s
		}
		return s
	case LitReal:
		s := strconv.FormatFloat(l.Real, 'g', -1, 64)
		if math.IsInf(l.Real, 0) || math.IsNaN(l.Real) {
			return s // not produced by Parse
		}
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return s
	case LitBool:
		if l.Bool {
			return "TRUE"
		}
		return "FALSE"
	}
	return "NULL"
}

// quoteString writes s in single quotes, escaping quotes and backslashes.
func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
	return b.String()
}

func (e *Binary) String() string {
	return operand(e.Left, e.Op) + " " + e.Op + " " + operand(e.Right, e.Op)
}

// operand parenthesizes a sub-expression of an AND or OR when it is a
// different binary operator, so the text reads as the tree is.
func operand(e Expr, op string) string {
	if b, ok := e.(*Binary); ok && b.Op != op {
		return "(" + b.String() + ")"
	}
	return e.String()
}

func (e *Not) String() string {
	if _, ok := e.X.(*Binary); ok {
		return "NOT (" + e.X.String() + ")"
	}
	return "NOT " + e.X.String()
}

func (e *Compare) String() string {
	if e.Other != "" {
		return e.Property + " " + e.Op + " " + e.Other
	}
	if e.Reversed {
		return e.Value.String() + " " + flip(e.Op) + " " + e.Property
	}
	return e.Property + " " + e.Op + " " + e.Value.String()
}

func (e *IsNull) String() string {
	if e.Not {
		return e.Property + " IS NOT NULL"
	}
	return e.Property + " IS NULL"
}

func (e *Like) String() string {
	if e.Not {
		return e.Property + " NOT LIKE " + quoteString(e.Pattern)
	}
	return e.Property + " LIKE " + quoteString(e.Pattern)
}

func (e *IsA) String() string { return e.Property + " ISA " + quoteString(e.Class) }

// flip returns the operator that gives the same result with the operands
// swapped.
func flip(op string) string {
	switch op {
	case "<":
		return ">"
	case ">":
		return "<"
	case "<=":
		return ">="
	case ">=":
		return "<="
	}
	return op
}

// String writes the query as canonical WQL: keywords in upper case,
// single-quoted strings, != as <>, parentheses only where needed.
func (q *Query) String() string {
	var b strings.Builder
	if a := q.Associators; a != nil {
		if a.References {
			b.WriteString("REFERENCES OF {")
		} else {
			b.WriteString("ASSOCIATORS OF {")
		}
		b.WriteString(a.Path)
		b.WriteString("}")
		var w []string
		add := func(k, v string) {
			if v != "" {
				w = append(w, k+" = "+v)
			}
		}
		add("AssocClass", a.AssocClass)
		add("ResultClass", a.ResultClass)
		add("Role", a.Role)
		add("ResultRole", a.ResultRole)
		add("RequiredQualifier", a.RequiredQualifier)
		add("RequiredAssocQualifier", a.RequiredAssocQualifier)
		if a.ClassDefsOnly {
			w = append(w, "ClassDefsOnly")
		}
		if a.SchemaOnly {
			w = append(w, "SchemaOnly")
		}
		if a.KeysOnly {
			w = append(w, "KeysOnly")
		}
		if len(w) > 0 {
			b.WriteString(" WHERE ")
			b.WriteString(strings.Join(w, " "))
		}
		return b.String()
	}
	b.WriteString("SELECT ")
	if q.Properties == nil {
		b.WriteString("*")
	} else {
		b.WriteString(strings.Join(q.Properties, ", "))
	}
	b.WriteString(" FROM ")
	b.WriteString(q.ClassName)
	if q.Within > 0 {
		b.WriteString(" WITHIN ")
		b.WriteString(strconv.FormatFloat(q.Within, 'g', -1, 64))
	}
	if q.Where != nil {
		b.WriteString(" WHERE ")
		b.WriteString(q.Where.String())
	}
	if q.GroupWithin > 0 {
		b.WriteString(" GROUP WITHIN ")
		b.WriteString(strconv.FormatFloat(q.GroupWithin, 'g', -1, 64))
		if len(q.GroupBy) > 0 {
			b.WriteString(" BY ")
			b.WriteString(strings.Join(q.GroupBy, ", "))
		}
		if q.Having != nil {
			b.WriteString(" HAVING ")
			b.WriteString(q.Having.String())
		}
	}
	return b.String()
}

// Walk calls fn for e and each of its sub-expressions, depth first.
func Walk(e Expr, fn func(Expr)) {
	if e == nil {
		return
	}
	fn(e)
	switch x := e.(type) {
	case *Binary:
		Walk(x.Left, fn)
		Walk(x.Right, fn)
	case *Not:
		Walk(x.X, fn)
	}
}

// WhereProperties returns the property names the WHERE clause uses, in
// order of first use (case-insensitively distinct).
func (q *Query) WhereProperties() []string {
	var out []string
	add := func(name string) {
		for _, n := range out {
			if strings.EqualFold(n, name) {
				return
			}
		}
		out = append(out, name)
	}
	Walk(q.Where, func(e Expr) {
		var name string
		switch x := e.(type) {
		case *Compare:
			name = x.Property
			if x.Other != "" {
				add(x.Other)
			}
		case *IsNull:
			name = x.Property
		case *Like:
			name = x.Property
		case *IsA:
			name = x.Property
		default:
			return
		}
		add(name)
	})
	return out
}

// Check reports the first property the query uses (selected or in WHERE)
// that class does not declare, as WMI rejects such a query as invalid.
// System properties (__CLASS, ...) are always valid, and a dotted name is
// checked by its first part. A class without declared properties accepts
// every name.
func (q *Query) Check(class *model.Class) error {
	if class == nil || len(class.Properties) == 0 || q.Associators != nil {
		return nil
	}
	names := append(append([]string(nil), q.Properties...), q.WhereProperties()...)
	for _, name := range names {
		head, _, _ := strings.Cut(name, ".")
		if !strings.HasPrefix(head, "__") && class.Property(head) == nil {
			return fmt.Errorf("wql: class %s has no property %s", class.Name, model.Clip(head))
		}
	}
	return nil
}

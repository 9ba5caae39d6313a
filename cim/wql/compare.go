package wql

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cimsh/cimsh/cim/model"
)

// compare orders a property value against a constant: c < 0, 0, > 0.
// ok is false when either is NULL (the comparison is unknown).
func compare(v model.Value, l Literal, when *model.Datetime) (c int, ok bool, err error) {
	if v.IsNull() || l.Kind == LitNull {
		return 0, false, nil
	}
	if v.IsArray() {
		return 0, false, fmt.Errorf("cannot compare an array")
	}
	switch x := v.Interface().(type) {
	case string:
		var s string
		switch l.Kind {
		case LitString:
			s = l.Str
		case LitBool:
			s = "false"
			if l.Bool {
				s = "true"
			}
		default:
			s = l.String()
		}
		return compareFold(x, s), true, nil
	case bool:
		var b bool
		switch l.Kind {
		case LitBool:
			b = l.Bool
		case LitInt:
			b = l.Mag != 0
		case LitReal:
			b = l.Real != 0
		case LitString:
			pv, perr := model.ParseScalar(model.TypeBoolean, l.Str)
			if perr != nil {
				return 0, false, fmt.Errorf("%s is not a boolean", shown(l))
			}
			b, _ = pv.AsBool()
		}
		return boolCmp(x, b), true, nil
	case uint64:
		return compareInt(v, false, x, l)
	case uint16:
		return compareInt(v, false, uint64(x), l)
	case int64:
		if x < 0 {
			return compareInt(v, true, uint64(-(x+1))+1, l)
		}
		return compareInt(v, false, uint64(x), l)
	case float64:
		var f float64
		switch l.Kind {
		case LitInt:
			f = float64(l.Mag)
			if l.Neg {
				f = -f
			}
		case LitReal:
			f = l.Real
		case LitString:
			pv, perr := model.ParseScalar(model.TypeReal64, l.Str)
			if perr != nil {
				return 0, false, fmt.Errorf("%s is not a number", shown(l))
			}
			f, _ = pv.AsFloat()
		case LitBool:
			if l.Bool {
				f = 1
			}
		}
		if math.IsNaN(x) || math.IsNaN(f) {
			return 0, false, nil
		}
		return floatCmp(x, f), true, nil
	case model.Datetime:
		if l.Kind != LitString {
			return 0, false, fmt.Errorf("compare a datetime with a string such as '20240101000000.000000+000' or '2024-01-01T00:00:00Z', not %s", shown(l))
		}
		var d model.Datetime
		if when != nil {
			d = *when
		} else {
			var perr error
			if d, perr = parseDatetimeLiteral(l.Str); perr != nil {
				return 0, false, fmt.Errorf("%s is not a datetime", shown(l))
			}
		}
		if wildcard(x) || wildcard(d) {
			return compareFold(x.Lexical(), d.Lexical()), true, nil
		}
		if x.IsInterval() != d.IsInterval() {
			return 0, false, fmt.Errorf("cannot compare an interval with a point in time (%s)", shown(l))
		}
		return x.Compare(d), true, nil
	case *model.Reference:
		if l.Kind != LitString {
			return 0, false, fmt.Errorf("compare a reference with an object path string, not %s", shown(l))
		}
		r, perr := ParseObjectPath(l.Str)
		if perr == nil && sameRef(x, r) {
			return 0, true, nil
		}
		if c := compareFold(x.String(), l.Str); c != 0 {
			return c, true, nil
		}
		return 1, true, nil
	case *model.Instance:
		return 0, false, fmt.Errorf("cannot compare an embedded instance")
	}
	return 0, false, fmt.Errorf("cannot compare a %s", v.Type())
}

func wildcard(d model.Datetime) bool {
	return d.Time.IsZero() && d.Duration == 0 && strings.Contains(d.Text, "*")
}

// compareInt compares the integer (neg, mag) held by v exactly with l.
func compareInt(v model.Value, neg bool, mag uint64, l Literal) (int, bool, error) {
	switch l.Kind {
	case LitInt:
		return intCmp(neg, mag, l.Neg, l.Mag), true, nil
	case LitReal:
		if math.IsNaN(l.Real) {
			return 0, false, nil
		}
		f := float64(mag)
		if neg {
			f = -f
		}
		// Exact when the real is integral and in range; float otherwise.
		if l.Real == math.Trunc(l.Real) && math.Abs(l.Real) < 1<<63 {
			r := l.Real
			rneg := r < 0
			if rneg {
				r = -r
			}
			return intCmp(neg, mag, rneg && r != 0, uint64(r)), true, nil
		}
		return floatCmp(f, l.Real), true, nil
	case LitBool:
		var b uint64
		if l.Bool {
			b = 1
		}
		return intCmp(neg, mag, false, b), true, nil
	case LitString:
		pv, err := model.ParseScalar(v.Type(), l.Str)
		if err != nil {
			return 0, false, fmt.Errorf("%s is not a %s", shown(l), v.Type())
		}
		switch y := pv.Interface().(type) {
		case uint64:
			return intCmp(neg, mag, false, y), true, nil
		case uint16:
			return intCmp(neg, mag, false, uint64(y)), true, nil
		case int64:
			if y < 0 {
				return intCmp(neg, mag, true, uint64(-(y+1))+1), true, nil
			}
			return intCmp(neg, mag, false, uint64(y)), true, nil
		}
	}
	return 0, false, fmt.Errorf("cannot compare a %s with %s", v.Type(), shown(l))
}

// intCmp compares two sign-magnitude integers exactly.
func intCmp(an bool, am uint64, bn bool, bm uint64) int {
	if am == 0 {
		an = false
	}
	if bm == 0 {
		bn = false
	}
	switch {
	case an && !bn:
		return -1
	case !an && bn:
		return 1
	}
	c := 0
	switch {
	case am < bm:
		c = -1
	case am > bm:
		c = 1
	}
	if an {
		return -c
	}
	return c
}

func floatCmp(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// compareFold compares strings ignoring case, as WMI does.
func compareFold(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			la, lb := unicode.ToLower(ra), unicode.ToLower(rb)
			if la != lb {
				if la < lb {
					return -1
				}
				return 1
			}
		}
		a, b = a[na:], b[nb:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

// sameRef compares two object paths by class and keys, ignoring case
// and the namespace when either lacks one.
func sameRef(a, b *model.Reference) bool {
	if !strings.EqualFold(a.ClassName, b.ClassName) {
		return false
	}
	if a.Namespace != "" && b.Namespace != "" &&
		!strings.EqualFold(strings.ReplaceAll(a.Namespace, `\`, "/"), strings.ReplaceAll(b.Namespace, `\`, "/")) {
		return false
	}
	as, bs := keySelectors(a), keySelectors(b)
	if len(as) != len(bs) {
		return false
	}
	for _, s := range as {
		t, ok := b.Selector(s.Name)
		if !ok {
			return false
		}
		if s.Ref != nil || t.Ref != nil {
			if s.Ref == nil || t.Ref == nil || !sameRef(s.Ref, t.Ref) {
				return false
			}
			continue
		}
		if !strings.EqualFold(s.Value, t.Value) {
			return false
		}
	}
	return true
}

func keySelectors(r *model.Reference) []model.Selector {
	var out []model.Selector
	for _, s := range r.Selectors {
		if !strings.HasPrefix(s.Name, "__") {
			out = append(out, s)
		}
	}
	return out
}

// asLiteral turns the value of the right-hand property of a comparison
// into the constant compare takes.
func asLiteral(v model.Value) (Literal, error) {
	if v.IsNull() {
		return Literal{Kind: LitNull}, nil
	}
	if v.IsArray() {
		return Literal{}, fmt.Errorf("cannot compare an array")
	}
	switch x := v.Interface().(type) {
	case string:
		return Literal{Kind: LitString, Str: x}, nil
	case bool:
		return Literal{Kind: LitBool, Bool: x}, nil
	case uint64:
		return Literal{Kind: LitInt, Mag: x}, nil
	case uint16:
		return Literal{Kind: LitInt, Mag: uint64(x)}, nil
	case int64:
		if x < 0 {
			return Literal{Kind: LitInt, Neg: true, Mag: uint64(-(x + 1)) + 1}, nil
		}
		return Literal{Kind: LitInt, Mag: uint64(x)}, nil
	case float64:
		return Literal{Kind: LitReal, Real: x}, nil
	case model.Datetime:
		return Literal{Kind: LitString, Str: x.Lexical()}, nil
	case *model.Reference:
		return Literal{Kind: LitString, Str: FormatObjectPath("", x)}, nil
	}
	return Literal{}, fmt.Errorf("cannot compare a %s", v.Type())
}

// shown is a literal as an error message shows it: cut as model.Clip
// cuts, since the literal is the user's text (Literal.String stays whole:
// it writes queries).
func shown(l Literal) string { return model.Clip(l.String()) }

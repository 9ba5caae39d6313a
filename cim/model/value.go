package model

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Value is one CIM value: NULL, a scalar, or an array of scalars, with its
// CIM type. The zero Value is a NULL of unknown type.
//
// Scalars are held as: bool (boolean), uint64 (unsigned integers), int64
// (signed integers), float64 (reals), uint16 (char16), string, Datetime,
// *Reference and *Instance. Arrays hold a []Value of such scalars; an
// element may be NULL (Windows sends a null array as one nil element).
type Value struct {
	typ   Type
	array bool
	data  any
}

// Null returns a NULL value of type t.
func Null(t Type) Value { return Value{typ: t} }

// NullArray returns a NULL array of type t.
func NullArray(t Type) Value { return Value{typ: t, array: true} }

// Bool returns a boolean value.
func Bool(b bool) Value { return Value{typ: TypeBoolean, data: b} }

// Uint returns an unsigned integer of type t (uint8..uint64). It does not
// check the range; ParseScalar and Convert do.
func Uint(t Type, u uint64) Value { return Value{typ: t, data: u} }

// Sint returns a signed integer of type t (sint8..sint64).
func Sint(t Type, i int64) Value { return Value{typ: t, data: i} }

// Real returns a real32 or real64 value.
func Real(t Type, f float64) Value { return Value{typ: t, data: f} }

// Char16 returns a char16 value (one UTF-16 code unit).
func Char16(c uint16) Value { return Value{typ: TypeChar16, data: c} }

// String returns a string value.
func String(s string) Value { return Value{typ: TypeString, data: s} }

// DatetimeValue returns a datetime value.
func DatetimeValue(d Datetime) Value { return Value{typ: TypeDatetime, data: d} }

// Ref returns a reference value; a nil r is a NULL reference.
func Ref(r *Reference) Value {
	if r == nil {
		return Null(TypeReference)
	}
	return Value{typ: TypeReference, data: r}
}

// Embedded returns an embedded-instance value; a nil i is NULL.
func Embedded(i *Instance) Value {
	if i == nil {
		return Null(TypeInstance)
	}
	return Value{typ: TypeInstance, data: i}
}

// Array returns an array of type t holding elems. A nil elems is an
// empty (not NULL) array.
func Array(t Type, elems []Value) Value {
	if elems == nil {
		elems = []Value{}
	}
	return Value{typ: t, array: true, data: elems}
}

// Type returns the CIM type of v (of its elements for an array).
func (v Value) Type() Type { return v.typ }

// IsArray reports whether v is an array (possibly NULL).
func (v Value) IsArray() bool { return v.array }

// IsNull reports whether v is NULL.
func (v Value) IsNull() bool { return v.data == nil }

// Elems returns the elements of an array value, nil otherwise.
func (v Value) Elems() []Value {
	e, _ := v.data.([]Value)
	return e
}

// Len returns the number of elements of an array, 0 for a scalar.
func (v Value) Len() int { return len(v.Elems()) }

// Interface returns the Go value held: nil, bool, uint64, int64, float64,
// uint16, string, Datetime, *Reference, *Instance or []Value.
func (v Value) Interface() any { return v.data }

// AsBool returns the boolean held by v.
func (v Value) AsBool() (bool, bool) { b, ok := v.data.(bool); return b, ok }

// AsUint returns the unsigned integer held by v.
func (v Value) AsUint() (uint64, bool) { u, ok := v.data.(uint64); return u, ok }

// AsInt returns the signed integer held by v.
func (v Value) AsInt() (int64, bool) { i, ok := v.data.(int64); return i, ok }

// AsFloat returns v as a float64 for any numeric value (lossy beyond 2^53).
func (v Value) AsFloat() (float64, bool) {
	switch x := v.data.(type) {
	case float64:
		return x, true
	case uint64:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint16:
		return float64(x), true
	}
	return 0, false
}

// AsString returns the string held by a string value.
func (v Value) AsString() (string, bool) { s, ok := v.data.(string); return s, ok }

// AsDatetime returns the datetime held by v.
func (v Value) AsDatetime() (Datetime, bool) { d, ok := v.data.(Datetime); return d, ok }

// AsReference returns the reference held by v.
func (v Value) AsReference() (*Reference, bool) { r, ok := v.data.(*Reference); return r, ok }

// AsInstance returns the embedded instance held by v.
func (v Value) AsInstance() (*Instance, bool) { i, ok := v.data.(*Instance); return i, ok }

// Text returns the lexical form of a scalar as WS-Man writes it: decimal
// integers, "true"/"false", shortest round-trip reals, char16 as its
// number, datetimes as their original text or ISO 8601. NULL gives "".
// For a reference or instance it returns a short description.
func (v Value) Text() string {
	switch x := v.data.(type) {
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(x)
	case uint64:
		return strconv.FormatUint(x, 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		bits := 64
		if v.typ == TypeReal32 {
			bits = 32
		}
		return formatReal(x, bits)
	case uint16:
		return strconv.FormatUint(uint64(x), 10)
	case string:
		return x
	case Datetime:
		return x.Lexical()
	case *Reference:
		return x.String()
	case *Instance:
		return x.String()
	case []Value:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = e.Text()
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v.data)
}

// String is Text, so that a Value prints readably with fmt.
func (v Value) String() string {
	if v.IsNull() {
		return "NULL"
	}
	return v.Text()
}

func formatReal(f float64, bits int) string {
	switch {
	case math.IsInf(f, 1):
		return "INF"
	case math.IsInf(f, -1):
		return "-INF"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

// Equal reports whether a and b hold the same type, shape and value.
// Instances and references compare by content.
func Equal(a, b Value) bool {
	if a.typ != b.typ || a.array != b.array || a.IsNull() != b.IsNull() {
		return false
	}
	switch x := a.data.(type) {
	case []Value:
		y := b.data.([]Value)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case Datetime:
		return x.Equal(b.data.(Datetime))
	case *Reference:
		return x.Equal(b.data.(*Reference))
	case *Instance:
		return x.Equal(b.data.(*Instance))
	case float64:
		y := b.data.(float64)
		return x == y || (math.IsNaN(x) && math.IsNaN(y))
	}
	return a.data == b.data
}

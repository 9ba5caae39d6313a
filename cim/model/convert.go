package model

import (
	"fmt"
	"math"
	"strconv"
)

// Convert returns v as a value of CIM type t (an array of t when array is
// set), as a provider does with method arguments and property values it
// receives untyped or in another width:
//
//   - text converts to any scalar type through ParseScalar;
//   - integers convert between widths with a range check, and to reals;
//   - reals convert to integers only when integral and in range;
//   - booleans convert to and from integers (0 and 1) and text;
//   - any scalar but an embedded instance converts to a string (its Text);
//   - a scalar becomes an array of one; arrays convert element by element;
//   - a TypeUnknown target keeps v unchanged, and NULL stays NULL (of t).
//
// Conversion never loses information silently: an error names the value
// and the type it could not become.
func Convert(v Value, t Type, array bool) (Value, error) {
	if t == TypeUnknown {
		return v, nil
	}
	if v.IsNull() {
		if array {
			return NullArray(t), nil
		}
		return Null(t), nil
	}
	if array {
		if !v.IsArray() {
			e, err := convertScalar(v, t)
			if err != nil {
				return Value{}, err
			}
			return Array(t, []Value{e}), nil
		}
		src := v.Elems()
		out := make([]Value, len(src))
		for i, e := range src {
			if e.IsNull() {
				out[i] = Null(t)
				continue
			}
			c, err := convertScalar(e, t)
			if err != nil {
				return Value{}, fmt.Errorf("%w (element %d)", err, i)
			}
			out[i] = c
		}
		return Array(t, out), nil
	}
	if v.IsArray() {
		return Value{}, fmt.Errorf("model: cannot convert array %s to scalar %s", v.Text(), t)
	}
	return convertScalar(v, t)
}

// convertScalar converts a non-NULL scalar to scalar type t.
func convertScalar(v Value, t Type) (Value, error) {
	switch x := v.Interface().(type) {
	case string:
		if t == TypeString {
			return String(x), nil
		}
		if t == TypeReference || t == TypeInstance {
			break
		}
		// ParseScalar's errors name the text and the type.
		return ParseScalar(t, x)
	case bool:
		switch {
		case t == TypeBoolean:
			return v, nil
		case t == TypeString:
			return String(v.Text()), nil
		case t.IsInteger() || t.IsReal():
			var n uint64
			if x {
				n = 1
			}
			return convertUint(n, t)
		}
	case uint64:
		if t == TypeString {
			return String(v.Text()), nil
		}
		return convertUint(x, t)
	case uint16: // char16
		if t == TypeString {
			return String(string(rune(x))), nil
		}
		return convertUint(uint64(x), t)
	case int64:
		if t == TypeString {
			return String(v.Text()), nil
		}
		if x >= 0 {
			return convertUint(uint64(x), t)
		}
		return convertNeg(x, t)
	case float64:
		return convertReal(v, x, t)
	case Datetime:
		switch t {
		case TypeDatetime:
			return v, nil
		case TypeString:
			return String(x.Lexical()), nil
		}
	case *Reference:
		switch t {
		case TypeReference:
			return v, nil
		case TypeString:
			return String(x.String()), nil
		}
	case *Instance:
		if t == TypeInstance {
			return v, nil
		}
	}
	return Value{}, fmt.Errorf("model: cannot convert %s %s to %s", v.Type(), describe(v), t)
}

// describe renders a value for an error message: strings quoted.
func describe(v Value) string {
	if s, ok := v.AsString(); ok {
		return strconv.Quote(s)
	}
	return v.String()
}

// convertUint converts a non-negative integer n to t.
func convertUint(n uint64, t Type) (Value, error) {
	switch {
	case t == TypeBoolean:
		return Bool(n != 0), nil
	case t.IsReal():
		return Real(t, float64(n)), nil
	case t == TypeChar16:
		if n > math.MaxUint16 {
			return Value{}, rangeError(strconv.FormatUint(n, 10), t)
		}
		return Char16(uint16(n)), nil
	case t.IsInteger() && !t.IsSigned():
		if t.Bits() < 64 && n>>uint(t.Bits()) != 0 {
			return Value{}, rangeError(strconv.FormatUint(n, 10), t)
		}
		return Uint(t, n), nil
	case t.IsInteger():
		if n > uint64(1)<<uint(t.Bits()-1)-1 {
			return Value{}, rangeError(strconv.FormatUint(n, 10), t)
		}
		return Sint(t, int64(n)), nil
	}
	return Value{}, fmt.Errorf("model: cannot convert integer %d to %s", n, t)
}

// convertNeg converts a negative integer n to t.
func convertNeg(n int64, t Type) (Value, error) {
	switch {
	case t == TypeBoolean:
		return Bool(true), nil
	case t.IsReal():
		return Real(t, float64(n)), nil
	case t.IsInteger() && t.IsSigned():
		if min := -(int64(1) << uint(t.Bits()-1)); t.Bits() < 64 && n < min {
			return Value{}, rangeError(strconv.FormatInt(n, 10), t)
		}
		return Sint(t, n), nil
	case t.IsInteger() || t == TypeChar16:
		return Value{}, rangeError(strconv.FormatInt(n, 10), t)
	}
	return Value{}, fmt.Errorf("model: cannot convert integer %d to %s", n, t)
}

// convertReal converts a real f (held by v) to t.
func convertReal(v Value, f float64, t Type) (Value, error) {
	switch {
	case t == TypeString:
		return String(v.Text()), nil
	case t == TypeReal64:
		return Real(t, f), nil
	case t == TypeReal32:
		r := float64(float32(f))
		if math.IsInf(r, 0) && !math.IsInf(f, 0) {
			return Value{}, rangeError(v.Text(), t)
		}
		return Real(t, r), nil
	case t == TypeBoolean:
		if f == 0 {
			return Bool(false), nil
		}
		if f == 1 {
			return Bool(true), nil
		}
	case t.IsInteger() || t == TypeChar16:
		if math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) {
			return Value{}, fmt.Errorf("model: cannot convert real %s to %s: not an integer", v.Text(), t)
		}
		// 2^64 and -2^63 are exact in float64, so these bounds are exact.
		if f >= 0 {
			if f >= 18446744073709551616.0 {
				return Value{}, rangeError(v.Text(), t)
			}
			return convertUint(uint64(f), t)
		}
		if f < -9223372036854775808.0 {
			return Value{}, rangeError(v.Text(), t)
		}
		return convertNeg(int64(f), t)
	}
	return Value{}, fmt.Errorf("model: cannot convert real %s to %s", v.Text(), t)
}

func rangeError(text string, t Type) error {
	return fmt.Errorf("model: %s is out of range for %s", text, t)
}

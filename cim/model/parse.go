package model

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
)

// ParseScalar parses the lexical form of a scalar of type t as WS-Man and
// CIM-XML servers write it: booleans in either case, decimal integers
// (range-checked for the width), reals (INF, -INF, NaN included), char16
// as a number or as a single character, datetimes in the xs: and DMTF forms.
// A TypeUnknown or TypeString text is returned as a string.
func ParseScalar(t Type, text string) (Value, error) {
	s := strings.TrimSpace(text)
	switch {
	case t == TypeString || t == TypeUnknown:
		return String(text), nil
	case t == TypeBoolean:
		switch strings.ToLower(s) {
		case "true", "1":
			return Bool(true), nil
		case "false", "0":
			return Bool(false), nil
		}
	case t.IsInteger() && !t.IsSigned():
		u, err := strconv.ParseUint(strings.TrimPrefix(s, "+"), 10, t.Bits())
		if err == nil {
			return Uint(t, u), nil
		}
		if errors.Is(err, strconv.ErrRange) || strings.HasPrefix(s, "-") && isDecimal(s[1:]) {
			return Value{}, rangeError(s, t)
		}
	case t.IsInteger():
		i, err := strconv.ParseInt(s, 10, t.Bits())
		if err == nil {
			return Sint(t, i), nil
		}
		if errors.Is(err, strconv.ErrRange) {
			return Value{}, rangeError(s, t)
		}
	case t.IsReal():
		switch strings.ToUpper(s) {
		case "INF", "+INF":
			return Real(t, math.Inf(1)), nil
		case "-INF":
			return Real(t, math.Inf(-1)), nil
		case "NAN":
			return Real(t, math.NaN()), nil
		}
		f, err := strconv.ParseFloat(s, t.Bits())
		if err == nil {
			return Real(t, f), nil
		}
	case t == TypeChar16:
		if u, err := strconv.ParseUint(s, 10, 16); err == nil {
			return Char16(uint16(u)), nil
		}
		if r := []rune(text); len(r) == 1 {
			if enc := utf16.Encode(r); len(enc) == 1 {
				return Char16(enc[0]), nil
			}
		}
	case t == TypeDatetime:
		d, err := ParseDatetime(s)
		if err == nil {
			return DatetimeValue(d), nil
		}
		return Value{}, err
	default:
		return Value{}, fmt.Errorf("model: cannot parse a %s from text", t)
	}
	return Value{}, fmt.Errorf("model: %s is not a valid %s", Quote(text), t)
}

// ParseOctets decodes a base64 octet string (xsi:type cimBase64Binary)
// into a uint8 array.
func ParseOctets(text string) (Value, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil {
		return Value{}, fmt.Errorf("model: invalid base64 octet string: %w", err)
	}
	elems := make([]Value, len(b))
	for i, c := range b {
		elems[i] = Uint(TypeUint8, uint64(c))
	}
	return Array(TypeUint8, elems), nil
}

// isDecimal reports whether s is a non-empty run of decimal digits.
func isDecimal(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

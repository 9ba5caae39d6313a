package model

import "strings"

// Type is a CIM data type as named in DSP0004.
type Type uint8

// The CIM intrinsic types. TypeUnknown marks a value decoded without a
// schema whose text could not be typed; such values hold a string.
const (
	TypeUnknown Type = iota
	TypeBoolean
	TypeUint8
	TypeSint8
	TypeUint16
	TypeSint16
	TypeUint32
	TypeSint32
	TypeUint64
	TypeSint64
	TypeReal32
	TypeReal64
	TypeChar16
	TypeString
	TypeDatetime
	TypeReference
	TypeInstance // an embedded instance (EmbeddedInstance / EmbeddedObject)
)

var typeNames = [...]string{
	TypeUnknown:   "unknown",
	TypeBoolean:   "boolean",
	TypeUint8:     "uint8",
	TypeSint8:     "sint8",
	TypeUint16:    "uint16",
	TypeSint16:    "sint16",
	TypeUint32:    "uint32",
	TypeSint32:    "sint32",
	TypeUint64:    "uint64",
	TypeSint64:    "sint64",
	TypeReal32:    "real32",
	TypeReal64:    "real64",
	TypeChar16:    "char16",
	TypeString:    "string",
	TypeDatetime:  "datetime",
	TypeReference: "reference",
	TypeInstance:  "instance",
}

// String returns the DSP0004 name of t ("uint32", "datetime", ...).
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "invalid"
}

// ParseType returns the Type named by s (case-insensitive, as in CIM-XML's
// TYPE attribute; "object" is accepted for an embedded instance).
func ParseType(s string) (Type, bool) {
	s = strings.ToLower(s)
	if s == "object" {
		return TypeInstance, true
	}
	for i, n := range typeNames {
		if n == s && i != int(TypeUnknown) {
			return Type(i), true
		}
	}
	return TypeUnknown, false
}

// IsInteger reports whether t is one of the eight integer types.
func (t Type) IsInteger() bool { return t >= TypeUint8 && t <= TypeSint64 }

// IsSigned reports whether t is a signed integer type.
func (t Type) IsSigned() bool {
	return t == TypeSint8 || t == TypeSint16 || t == TypeSint32 || t == TypeSint64
}

// IsReal reports whether t is real32 or real64.
func (t Type) IsReal() bool { return t == TypeReal32 || t == TypeReal64 }

// Bits returns the width of an integer or real type, 0 for others.
func (t Type) Bits() int {
	switch t {
	case TypeUint8, TypeSint8:
		return 8
	case TypeUint16, TypeSint16, TypeChar16:
		return 16
	case TypeUint32, TypeSint32, TypeReal32:
		return 32
	case TypeUint64, TypeSint64, TypeReal64:
		return 64
	}
	return 0
}

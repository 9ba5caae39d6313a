package model

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unsafe"
)

// Value is one CIM value: NULL, a scalar, or an array of scalars, with its
// CIM type. The zero Value is a NULL of unknown type.
//
// Scalars are: bool (boolean), uint64 (unsigned integers), int64 (signed
// integers), float64 (reals), uint16 (char16), string, Datetime,
// *Reference and *Instance. Arrays hold a []Value of such scalars; an
// element may be NULL (Windows sends a null array as one nil element).
//
// A Value is two words and holds numbers and strings without an
// allocation of its own (decoding a large enumeration makes millions, and
// an instance holds one per property): n holds the number, or the length
// of a string or array; p the string's bytes, the array's elements or the
// pointer. What the value is (its type, kind and whether it is an array:
// a tag) rides along in n's top bits (lengths need fewer than 48), and so
// do the integers that fit in the 48 bits below it, with p nil: most
// numbers, whose values the garbage collector then has no pointer to
// look at. Other numbers (reals, and integers from 2^47 or 2^48 up) need
// all of n: their p points into numTags at the tag's offset (no other
// pointer can point there).
type Value struct {
	n uint64
	p unsafe.Pointer
}

// kind is what a Value holds.
type kind uint8

const (
	kNull kind = iota
	kBool
	kUint
	kInt
	kReal
	kChar16
	kString
	kDatetime
	kRef
	kInstance
	kArray
)

// tag is a Value's type (8 bits), array flag (1) and kind (4).
type tag uint16

func mkTag(t Type, array bool, k kind) tag {
	g := tag(t) | tag(k)<<9
	if array {
		g |= 1 << 8
	}
	return g
}

func (g tag) typ() Type   { return Type(g) }
func (g tag) array() bool { return g&(1<<8) != 0 }
func (g tag) kind() kind  { return kind(g >> 9) }

const (
	tagShift = 48
	lenMask  = 1<<tagShift - 1
)

// numTags is where a number's p points: at the offset of its tag.
var numTags [1 << 13]byte

func (v Value) tag() tag {
	if off := uintptr(v.p) - uintptr(unsafe.Pointer(&numTags)); off < uintptr(len(numTags)) {
		return tag(off)
	}
	return tag(v.n >> tagShift)
}

func (v Value) kind() kind { return v.tag().kind() }

// number makes a numeric Value.
func number(g tag, n uint64) Value {
	switch g.kind() {
	case kInt:
		return signed(g, int64(n))
	case kReal:
		return Value{n: n, p: unsafe.Pointer(&numTags[g])}
	}
	return unsigned(g, n)
}

// unsigned and signed keep an integer in n beside its tag when it fits
// in 48 bits (kept small enough to be inlined where numbers are made).
func unsigned(g tag, u uint64) Value {
	if u <= lenMask {
		return Value{n: u | uint64(g)<<tagShift}
	}
	return Value{n: u, p: unsafe.Pointer(&numTags[g])}
}

func signed(g tag, i int64) Value {
	if uint64(i+1<<47) <= lenMask {
		return Value{n: uint64(i)&lenMask | uint64(g)<<tagShift}
	}
	return Value{n: uint64(i), p: unsafe.Pointer(&numTags[g])}
}

// num is a number's 64 bits, however it is kept.
func (v Value) num() uint64 {
	if v.p != nil {
		return v.n // in numTags: n is all the number's
	}
	if v.tag().kind() == kInt {
		return uint64(int64(v.n<<(64-tagShift)) >> (64 - tagShift)) // sign-extended
	}
	return v.n & lenMask
}

// other builds a Value of the other kinds (n a length, or 0).
func other(g tag, n uint64, p unsafe.Pointer) Value {
	return Value{n: n | uint64(g)<<tagShift, p: p}
}

// length is a string's or an array's length.
func (v Value) length() int { return int(v.n & lenMask) }

// Null returns a NULL value of type t.
func Null(t Type) Value { return other(mkTag(t, false, kNull), 0, nil) }

// NullArray returns a NULL array of type t.
func NullArray(t Type) Value { return other(mkTag(t, true, kNull), 0, nil) }

// Bool returns a boolean value.
func Bool(b bool) Value {
	var n uint64
	if b {
		n = 1
	}
	return number(mkTag(TypeBoolean, false, kBool), n)
}

// Uint returns an unsigned integer of type t (uint8..uint64). It does not
// check the range; ParseScalar and Convert do.
func Uint(t Type, u uint64) Value { return unsigned(mkTag(t, false, kUint), u) }

// Sint returns a signed integer of type t (sint8..sint64).
func Sint(t Type, i int64) Value { return signed(mkTag(t, false, kInt), i) }

// Real returns a real32 or real64 value.
func Real(t Type, f float64) Value { return number(mkTag(t, false, kReal), math.Float64bits(f)) }

// Char16 returns a char16 value (one UTF-16 code unit).
func Char16(c uint16) Value { return number(mkTag(TypeChar16, false, kChar16), uint64(c)) }

// String returns a string value.
func String(s string) Value { return textValue(TypeString, s) }

// textValue is a string value of type t (TypeString, or TypeUnknown: Untyped).
func textValue(t Type, s string) Value {
	return other(mkTag(t, false, kString), uint64(len(s)), unsafe.Pointer(unsafe.StringData(s)))
}

// DatetimeValue returns a datetime value.
func DatetimeValue(d Datetime) Value {
	return other(mkTag(TypeDatetime, false, kDatetime), 0, unsafe.Pointer(&d))
}

// Ref returns a reference value; a nil r is a NULL reference.
func Ref(r *Reference) Value {
	if r == nil {
		return Null(TypeReference)
	}
	return other(mkTag(TypeReference, false, kRef), 0, unsafe.Pointer(r))
}

// Embedded returns an embedded-instance value; a nil i is NULL.
func Embedded(i *Instance) Value {
	if i == nil {
		return Null(TypeInstance)
	}
	return other(mkTag(TypeInstance, false, kInstance), 0, unsafe.Pointer(i))
}

// Array returns an array of type t holding elems (not copied). A nil
// elems is an empty (not NULL) array.
func Array(t Type, elems []Value) Value {
	if elems == nil {
		elems = []Value{}
	}
	return other(mkTag(t, true, kArray), uint64(len(elems)), unsafe.Pointer(unsafe.SliceData(elems)))
}

// Type returns the CIM type of v (of its elements for an array).
func (v Value) Type() Type { return v.tag().typ() }

// IsArray reports whether v is an array (possibly NULL).
func (v Value) IsArray() bool { return v.tag().array() }

// IsNull reports whether v is NULL.
func (v Value) IsNull() bool { return v.kind() == kNull }

// Elems returns the elements of an array value, nil otherwise.
func (v Value) Elems() []Value {
	if v.kind() != kArray {
		return nil
	}
	return unsafe.Slice((*Value)(v.p), v.length())
}

// Len returns the number of elements of an array, 0 for a scalar.
func (v Value) Len() int {
	if v.kind() != kArray {
		return 0
	}
	return v.length()
}

// Interface returns the Go value held: nil, bool, uint64, int64, float64,
// uint16, string, Datetime, *Reference, *Instance or []Value.
func (v Value) Interface() any {
	switch v.kind() {
	case kBool:
		return v.num() != 0
	case kUint:
		return v.num()
	case kInt:
		return int64(v.num())
	case kReal:
		return math.Float64frombits(v.n)
	case kChar16:
		return uint16(v.num())
	case kString:
		return v.str()
	case kDatetime:
		return *(*Datetime)(v.p)
	case kRef:
		return (*Reference)(v.p)
	case kInstance:
		return (*Instance)(v.p)
	case kArray:
		return v.Elems()
	}
	return nil
}

func (v Value) str() string { return unsafe.String((*byte)(v.p), v.length()) }

// AsBool returns the boolean held by v.
func (v Value) AsBool() (bool, bool) { k := v.kind(); return k == kBool && v.num() != 0, k == kBool }

// AsUint returns the unsigned integer held by v.
func (v Value) AsUint() (uint64, bool) {
	if v.kind() != kUint {
		return 0, false
	}
	return v.num(), true
}

// AsInt returns the signed integer held by v.
func (v Value) AsInt() (int64, bool) {
	if v.kind() != kInt {
		return 0, false
	}
	return int64(v.num()), true
}

// AsFloat returns v as a float64 for any numeric value (lossy beyond 2^53).
func (v Value) AsFloat() (float64, bool) {
	switch v.kind() {
	case kReal:
		return math.Float64frombits(v.n), true
	case kUint:
		return float64(v.num()), true
	case kInt:
		return float64(int64(v.num())), true
	case kChar16:
		return float64(uint16(v.num())), true
	}
	return 0, false
}

// AsString returns the string held by a string value.
func (v Value) AsString() (string, bool) {
	if v.kind() != kString {
		return "", false
	}
	return v.str(), true
}

// AsDatetime returns the datetime held by v.
func (v Value) AsDatetime() (Datetime, bool) {
	if v.kind() != kDatetime {
		return Datetime{}, false
	}
	return *(*Datetime)(v.p), true
}

// AsReference returns the reference held by v.
func (v Value) AsReference() (*Reference, bool) {
	if v.kind() != kRef {
		return nil, false
	}
	return (*Reference)(v.p), true
}

// AsInstance returns the embedded instance held by v.
func (v Value) AsInstance() (*Instance, bool) {
	if v.kind() != kInstance {
		return nil, false
	}
	return (*Instance)(v.p), true
}

// Text returns the lexical form of a scalar as WS-Man writes it: decimal
// integers, "true"/"false", shortest round-trip reals, char16 as its
// number, datetimes as their original text or ISO 8601. NULL gives "".
// For a reference or instance it returns a short description.
func (v Value) Text() string {
	switch x := v.Interface().(type) {
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
		if v.Type() == TypeReal32 {
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
	return fmt.Sprint(v.Interface())
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
	if a.tag() != b.tag() {
		return false
	}
	switch a.kind() {
	case kNull:
		return true
	case kArray:
		x, y := a.Elems(), b.Elems()
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case kString:
		return a.str() == b.str()
	case kDatetime:
		return (*Datetime)(a.p).Equal(*(*Datetime)(b.p))
	case kRef:
		return (*Reference)(a.p).Equal((*Reference)(b.p))
	case kInstance:
		return (*Instance)(a.p).Equal((*Instance)(b.p))
	case kReal:
		x, y := math.Float64frombits(a.n), math.Float64frombits(b.n)
		return x == y || (math.IsNaN(x) && math.IsNaN(y))
	}
	return a.num() == b.num()
}

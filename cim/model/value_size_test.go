package model

import (
	"testing"
	"unsafe"
)

// An instance holds a Property per property, and a decoded enumeration
// millions: their size is the memory of get_instance.
func TestValueIsTwoWords(t *testing.T) {
	if n := unsafe.Sizeof(Value{}); n != 2*unsafe.Sizeof(uintptr(0)) {
		t.Errorf("Value is %d bytes", n)
	}
	if n := unsafe.Sizeof(Property{}); n > 40 {
		t.Errorf("Property is %d bytes", n)
	}
	// Every tag reads back, whichever way it is kept.
	for _, ty := range []Type{TypeUnknown, TypeString, TypeUint64, TypeReal32, TypeInstance} {
		for _, v := range []Value{Null(ty), NullArray(ty), Uint(ty, 1<<63), Sint(ty, -1), Real(ty, -0.5), Array(ty, nil)} {
			if v.Type() != ty {
				t.Errorf("%v: type %v, want %v", v, v.Type(), ty)
			}
		}
	}
	if v := Uint(TypeUint64, ^uint64(0)); v.IsNull() || v.IsArray() {
		t.Errorf("max uint64 reads as null %v array %v", v.IsNull(), v.IsArray())
	} else if u, ok := v.AsUint(); !ok || u != ^uint64(0) {
		t.Errorf("max uint64 reads back as %d %v", u, ok)
	}
	if v := String(""); v.IsNull() || v.Type() != TypeString {
		t.Errorf("empty string: null %v type %v", v.IsNull(), v.Type())
	}
}

// Integers that fit in 48 bits are kept with the tag and no pointer (the
// garbage collector has nothing to look at in them); the rest point into
// numTags. Both read back the same at and across the boundaries.
func TestSmallNumbersHoldNoPointer(t *testing.T) {
	for _, u := range []uint64{0, 1, 1<<47 - 1, 1 << 47, 1<<48 - 1, 1 << 48, 1<<63 - 1, 1 << 63, ^uint64(0)} {
		for _, ty := range []Type{TypeUint8, TypeUint32, TypeUint64} {
			v := Uint(ty, u)
			if got, ok := v.AsUint(); !ok || got != u || v.Type() != ty || v.IsNull() || v.IsArray() {
				t.Errorf("Uint(%s, %d) reads back %d %v, type %s", ty, u, got, ok, v.Type())
			}
			if small := u < 1<<48; (v.p == nil) != small {
				t.Errorf("Uint(%d): pointer %v, want none: %v", u, v.p != nil, small)
			}
			if !Equal(v, Uint(ty, u)) || (u > 0 && Equal(v, Uint(ty, u-1))) {
				t.Errorf("Uint(%d): Equal", u)
			}
		}
	}
	for _, i := range []int64{0, 1, -1, 1<<47 - 1, 1 << 47, -1 << 47, -1<<47 - 1, 1<<63 - 1, -1 << 63} {
		v := Sint(TypeSint64, i)
		if got, ok := v.AsInt(); !ok || got != i || v.Type() != TypeSint64 {
			t.Errorf("Sint(%d) reads back %d %v", i, got, ok)
		}
		if f, _ := v.AsFloat(); f != float64(i) {
			t.Errorf("Sint(%d) as float %v", i, f)
		}
		if small := i >= -1<<47 && i < 1<<47; (v.p == nil) != small {
			t.Errorf("Sint(%d): pointer %v, want none: %v", i, v.p != nil, small)
		}
		if v.Interface() != i {
			t.Errorf("Sint(%d).Interface() = %v", i, v.Interface())
		}
	}
	if b, ok := Bool(true).AsBool(); !b || !ok || Bool(false).Interface() != false {
		t.Error("Bool")
	}
	if c := Char16(0xFFFF).Interface(); c != uint16(0xFFFF) {
		t.Errorf("Char16 = %v", c)
	}
	if r, _ := Real(TypeReal64, -0.5).AsFloat(); r != -0.5 {
		t.Errorf("Real = %v", r)
	}
}

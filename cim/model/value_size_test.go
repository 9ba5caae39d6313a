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

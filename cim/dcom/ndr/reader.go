package ndr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf16"
)

// ErrShort is wrapped by every decoding error.
var ErrShort = errors.New("ndr: malformed data")

// Reader decodes NDR data. The first error sticks: later reads return
// zero values, and Err reports it.
type Reader struct {
	buf []byte
	off int
	err error
}

// NewReader reads b; alignment is relative to its start.
func NewReader(b []byte) *Reader { return &Reader{buf: b} }

// Err returns the first error met.
func (r *Reader) Err() error { return r.err }

// Offset returns the read position.
func (r *Reader) Offset() int { return r.off }

// Remaining returns the bytes not yet read.
func (r *Reader) Remaining() int { return len(r.buf) - r.off }

// Fail records an error (the first one wins).
func (r *Reader) Fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrShort, fmt.Sprintf(format, args...))
	}
}

func (r *Reader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.buf)-r.off {
		r.Fail("%s needs %d bytes at offset %d, %d left", what, n, r.off, len(r.buf)-r.off)
		return nil
	}
	b := r.buf[r.off : r.off+n]
	r.off += n
	return b
}

// Align skips padding to a multiple of n.
func (r *Reader) Align(n int) {
	if pad := (n - r.off%n) % n; pad > 0 {
		r.take(pad, "padding")
	}
}

// Raw returns the next n bytes.
func (r *Reader) Raw(n int) []byte { return r.take(n, "bytes") }

// U8 reads a byte.
func (r *Reader) U8() uint8 {
	if b := r.take(1, "uint8"); b != nil {
		return b[0]
	}
	return 0
}

// U16 reads an aligned 16-bit integer.
func (r *Reader) U16() uint16 {
	r.Align(2)
	if b := r.take(2, "uint16"); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

// U32 reads an aligned 32-bit integer.
func (r *Reader) U32() uint32 {
	r.Align(4)
	if b := r.take(4, "uint32"); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

// U64 reads an aligned 64-bit integer.
func (r *Reader) U64() uint64 {
	r.Align(8)
	if b := r.take(8, "uint64"); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// F64 reads an aligned IEEE double.
func (r *Reader) F64() float64 { return math.Float64frombits(r.U64()) }

// GUID reads a GUID.
func (r *Reader) GUID() GUID {
	var g GUID
	r.Align(4)
	copy(g[:], r.take(16, "GUID"))
	return g
}

// Ptr reads a unique pointer's referent identifier and reports whether
// the pointer is non-NULL.
func (r *Reader) Ptr() bool { return r.U32() != 0 }

// Count reads a conformance or variance count and checks that count
// elements of size bytes can still follow.
func (r *Reader) Count(size int) int {
	n := r.U32()
	if r.err == nil && uint64(n)*uint64(size) > uint64(r.Remaining()) {
		r.Fail("count %d of %d-byte elements exceeds the %d bytes left", n, size, r.Remaining())
		return 0
	}
	return int(n)
}

// ConformantBytes reads a conformant byte array.
func (r *Reader) ConformantBytes() []byte {
	n := r.Count(1)
	return r.take(n, "byte array")
}

// VaryingString reads a conformant varying UTF-16 string and drops its
// terminating NULs.
func (r *Reader) VaryingString() string {
	max := r.Count(0)
	offset := r.U32()
	actual := r.Count(2)
	if r.err == nil && (offset != 0 || actual > max) {
		r.Fail("string with offset %d, %d of %d characters", offset, actual, max)
	}
	return r.utf16(actual)
}

func (r *Reader) utf16(n int) string {
	b := r.take(2*n, "string")
	if b == nil {
		return ""
	}
	u := make([]uint16, n)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return strings.TrimRight(string(utf16.Decode(u)), "\x00")
}

// LPWSTR reads a unique pointer to a string; NULL gives "" and false.
func (r *Reader) LPWSTR() (string, bool) {
	if !r.Ptr() {
		return "", false
	}
	return r.VaryingString(), true
}

// BSTR reads a BSTR (NULL gives ""). Trailing NULs, which some clients
// include, are dropped.
func (r *Reader) BSTR() string {
	if !r.Ptr() {
		return ""
	}
	max := r.Count(2)
	cb := r.U32()
	n := r.Count(2)
	if r.err == nil && (n > max || int(cb) != 2*n && cb != 0xffffffff) {
		r.Fail("BSTR of %d bytes, %d of %d characters", cb, n, max)
	}
	return r.utf16(n)
}

// InterfacePointer reads a unique pointer to an MInterfacePointer and
// returns its OBJREF bytes (nil for NULL).
func (r *Reader) InterfacePointer() []byte {
	if !r.Ptr() {
		return nil
	}
	return r.MInterfacePointer()
}

// MInterfacePointer reads the referent of an interface pointer.
func (r *Reader) MInterfacePointer() []byte {
	max := r.Count(1)
	n := int(r.U32())
	if r.err == nil && n > max {
		r.Fail("interface pointer of %d bytes in %d", n, max)
		return nil
	}
	b := r.take(max, "interface pointer")
	if b == nil {
		return nil
	}
	return b[:n]
}

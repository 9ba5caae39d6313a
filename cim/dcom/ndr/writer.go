package ndr

import (
	"encoding/binary"
	"math"
	"unicode/utf16"
)

// Writer appends NDR data to a buffer. Alignment is relative to the start
// of the buffer, which must itself sit at an 8-byte boundary of the stub.
type Writer struct {
	buf     []byte
	nextRef uint32
}

// NewWriter returns an empty Writer.
func NewWriter() *Writer { return &Writer{nextRef: 0x00020000} }

// Bytes returns the encoded data.
func (w *Writer) Bytes() []byte { return w.buf }

// Len returns the number of bytes written.
func (w *Writer) Len() int { return len(w.buf) }

// Align pads with zeros to a multiple of n (1, 2, 4 or 8).
func (w *Writer) Align(n int) {
	for len(w.buf)%n != 0 {
		w.buf = append(w.buf, 0)
	}
}

// Raw appends b without alignment.
func (w *Writer) Raw(b []byte) { w.buf = append(w.buf, b...) }

// U8 writes a byte.
func (w *Writer) U8(v uint8) { w.buf = append(w.buf, v) }

// U16 writes an aligned 16-bit integer.
func (w *Writer) U16(v uint16) { w.Align(2); w.buf = binary.LittleEndian.AppendUint16(w.buf, v) }

// U32 writes an aligned 32-bit integer.
func (w *Writer) U32(v uint32) { w.Align(4); w.buf = binary.LittleEndian.AppendUint32(w.buf, v) }

// U64 writes an aligned 64-bit integer.
func (w *Writer) U64(v uint64) { w.Align(8); w.buf = binary.LittleEndian.AppendUint64(w.buf, v) }

// F64 writes an aligned IEEE double.
func (w *Writer) F64(v float64) { w.U64(math.Float64bits(v)) }

// GUID writes a GUID (4-byte aligned, as its first field).
func (w *Writer) GUID(g GUID) { w.Align(4); w.buf = append(w.buf, g[:]...) }

// Ptr writes a unique pointer: a fresh referent identifier when present,
// zero for NULL. The caller writes the referent where NDR puts it.
func (w *Writer) Ptr(present bool) {
	if !present {
		w.U32(0)
		return
	}
	w.U32(w.nextRef)
	w.nextRef += 4
}

// ConformantBytes writes a conformant byte array: its maximum count, then
// the bytes.
func (w *Writer) ConformantBytes(b []byte) {
	w.U32(uint32(len(b)))
	w.Raw(b)
}

// VaryingString writes a conformant varying string of UTF-16 code units
// with its terminating NUL (the referent of an LPWSTR).
func (w *Writer) VaryingString(s string) {
	u := append(utf16.Encode([]rune(s)), 0)
	w.U32(uint32(len(u)))
	w.U32(0)
	w.U32(uint32(len(u)))
	for _, c := range u {
		w.buf = binary.LittleEndian.AppendUint16(w.buf, c)
	}
}

// LPWSTR writes a unique pointer to a string; nil is NULL.
func (w *Writer) LPWSTR(s *string) {
	w.Ptr(s != nil)
	if s != nil {
		w.VaryingString(*s)
	}
}

// BSTR writes a BSTR: a unique pointer to a FLAGGED_WORD_BLOB (byte
// count, character count, characters; no terminating NUL).
func (w *Writer) BSTR(s string) {
	u := utf16.Encode([]rune(s))
	w.Ptr(true)
	w.U32(uint32(len(u)))
	w.U32(uint32(2 * len(u)))
	w.U32(uint32(len(u)))
	for _, c := range u {
		w.buf = binary.LittleEndian.AppendUint16(w.buf, c)
	}
}

// InterfacePointer writes a unique pointer to an MInterfacePointer
// holding objref; a nil objref is NULL.
func (w *Writer) InterfacePointer(objref []byte) {
	w.Ptr(objref != nil)
	if objref != nil {
		w.U32(uint32(len(objref)))
		w.U32(uint32(len(objref)))
		w.Raw(objref)
	}
}

// Bytes64 returns the encoding of one 64-bit integer (a call's only
// parameter).
func (w *Writer) Bytes64(v uint64) []byte {
	w.U64(v)
	return w.Bytes()
}

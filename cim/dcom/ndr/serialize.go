package ndr

import "encoding/binary"

// Type serialization version 1 (MS-RPCE 2.2.6): an 8-byte common header
// and an 8-byte private header giving the length of the data after them.

// Serialize1 wraps data (NDR encoded as if at offset 0) in the type
// serialization version 1 headers, padding data to 8 bytes.
func Serialize1(data []byte) []byte {
	for len(data)%8 != 0 {
		data = append(data, 0)
	}
	out := make([]byte, 16, 16+len(data))
	out[0] = 1
	out[1] = 0x10
	binary.LittleEndian.PutUint16(out[2:], 8)
	binary.LittleEndian.PutUint32(out[4:], 0xcccccccc)
	binary.LittleEndian.PutUint32(out[8:], uint32(len(data)))
	binary.LittleEndian.PutUint32(out[12:], 0xcccccccc)
	return append(out, data...)
}

// Deserialize1 checks the headers of a type serialization version 1
// buffer and returns a Reader over its data. A length beyond the buffer is
// an error; a shorter one limits the reader.
func Deserialize1(b []byte) (*Reader, error) {
	r := NewReader(b)
	if v := r.U8(); v != 1 && r.err == nil {
		r.Fail("type serialization version %d", v)
	}
	if e := r.U8(); e != 0x10 && r.err == nil {
		r.Fail("type serialization endianness 0x%02x", e)
	}
	r.U16()
	r.U32()
	n := r.U32()
	r.U32()
	if r.err != nil {
		return nil, r.err
	}
	if uint64(n) > uint64(len(b)-16) {
		return nil, NewReader(nil).failed("serialized length %d beyond %d bytes", n, len(b)-16)
	}
	return NewReader(b[16 : 16+int(n)]), nil
}

func (r *Reader) failed(format string, args ...any) error {
	r.Fail(format, args...)
	return r.err
}

package wmio

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
)

// rd reads little-endian fields without alignment; the first error
// sticks.
type rd struct {
	b   []byte
	off int
	err error
}

func (r *rd) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
	}
}

func (r *rd) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.off {
		r.fail("%s needs %d bytes at offset %d, %d left", what, n, r.off, len(r.b)-r.off)
		return nil
	}
	s := r.b[r.off : r.off+n]
	r.off += n
	return s
}

func (r *rd) u8() uint8 {
	if b := r.take(1, "octet"); b != nil {
		return b[0]
	}
	return 0
}

func (r *rd) u16() uint16 {
	if b := r.take(2, "uint16"); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (r *rd) u32() uint32 {
	if b := r.take(4, "uint32"); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

// encodedString reads an Encoded-String (MS-WMIO 2.2.78) at the reader's
// position.
func (r *rd) encodedString() string {
	s, n, err := decodeString(r.b[min(r.off, len(r.b)):])
	if err != nil {
		if r.err == nil {
			r.err = err
		}
		return ""
	}
	r.off += n
	return s
}

// decodeString reads an Encoded-String and returns it with its length.
func decodeString(b []byte) (string, int, error) {
	if len(b) < 1 {
		return "", 0, fmt.Errorf("%w: string past the end", ErrMalformed)
	}
	switch b[0] {
	case 0:
		for i := 1; i < len(b); i++ {
			if b[i] == 0 {
				// ASCII (Latin-1) characters.
				r := make([]rune, i-1)
				for j, c := range b[1:i] {
					r[j] = rune(c)
				}
				return string(r), i + 1, nil
			}
		}
	case 1:
		for i := 1; i+1 < len(b); i += 2 {
			if b[i] == 0 && b[i+1] == 0 {
				u := make([]uint16, (i-1)/2)
				for j := range u {
					u[j] = binary.LittleEndian.Uint16(b[1+2*j:])
				}
				return string(utf16.Decode(u)), i + 2, nil
			}
		}
	default:
		return "", 0, fmt.Errorf("%w: string flag 0x%02x", ErrMalformed, b[0])
	}
	return "", 0, fmt.Errorf("%w: unterminated string", ErrMalformed)
}

// appendString appends an Encoded-String: one octet per character when
// every character is ASCII, UTF-16LE otherwise.
func appendString(b []byte, s string) []byte {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == 0 {
			ascii = false
			break
		}
	}
	if ascii {
		b = append(b, 0)
		b = append(b, s...)
		return append(b, 0)
	}
	b = append(b, 1)
	for _, c := range utf16.Encode([]rune(strings.ReplaceAll(s, "\x00", ""))) {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return append(b, 0, 0)
}

// heapString reads the Encoded-String at off in heap.
func heapString(heap []byte, off uint32) (string, error) {
	if off&heapMSB != 0 {
		i := int(off &^ heapMSB)
		if i < len(dictionary) {
			return dictionary[i], nil
		}
		return "", fmt.Errorf("%w: dictionary reference %d", ErrMalformed, i)
	}
	if int64(off) >= int64(len(heap)) {
		return "", fmt.Errorf("%w: heap reference %d beyond %d bytes", ErrMalformed, off, len(heap))
	}
	s, _, err := decodeString(heap[off:])
	return s, err
}

func u32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }

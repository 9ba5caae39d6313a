package ntlmserver

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
)

// Message types (MS-NLMP 2.2.1).
const (
	TypeNegotiate    uint32 = 1
	TypeChallenge    uint32 = 2
	TypeAuthenticate uint32 = 3
)

var ntlmSignature = []byte("NTLMSSP\x00")

// MessageType returns the type of an NTLM message (TypeNegotiate,
// TypeChallenge or TypeAuthenticate) after checking its signature.
func MessageType(msg []byte) (uint32, error) {
	if len(msg) < 12 || !bytes.Equal(msg[:8], ntlmSignature) {
		return 0, fmt.Errorf("%w: no NTLMSSP signature", ErrMalformed)
	}
	return binary.LittleEndian.Uint32(msg[8:]), nil
}

// IsNTLM reports whether token starts with the NTLMSSP signature, which
// tells a raw NTLM token from a SPNEGO (ASN.1) one inside a Negotiate
// header.
func IsNTLM(token []byte) bool {
	return bytes.HasPrefix(token, ntlmSignature)
}

func checkType(msg []byte, want uint32, minLen int) error {
	typ, err := MessageType(msg)
	if err != nil {
		return err
	}
	if typ != want {
		return fmt.Errorf("%w: message type %d, want %d", ErrMalformed, typ, want)
	}
	if len(msg) < minLen {
		return fmt.Errorf("%w: %d bytes, the fixed part needs %d", ErrMalformed, len(msg), minLen)
	}
	return nil
}

// field returns the payload a (Len, MaxLen, Offset) descriptor at off
// points to, checking that it lies inside msg.
func field(msg []byte, off int, name string) ([]byte, error) {
	if off+8 > len(msg) {
		return nil, fmt.Errorf("%w: %s descriptor beyond the message", ErrMalformed, name)
	}
	n := uint64(binary.LittleEndian.Uint16(msg[off:]))
	o := uint64(binary.LittleEndian.Uint32(msg[off+4:]))
	if n == 0 {
		return nil, nil
	}
	if o > uint64(len(msg)) || n > uint64(len(msg))-o {
		return nil, fmt.Errorf("%w: %s (offset %d, length %d) outside the %d-byte message", ErrMalformed, name, o, n, len(msg))
	}
	return msg[o : o+n], nil
}

// fieldOffset returns the offset of a non-empty field, or -1.
func fieldOffset(msg []byte, off int) int {
	if off+8 > len(msg) || binary.LittleEndian.Uint16(msg[off:]) == 0 {
		return -1
	}
	return int(binary.LittleEndian.Uint32(msg[off+4:]))
}

// decodeString decodes a UTF-16LE (unicode) or OEM (8-bit) string.
func decodeString(b []byte, unicode bool, name string) (string, error) {
	if !unicode {
		// OEM code page: Latin-1 is the only sensible reading for a test
		// server; each byte becomes one rune.
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r), nil
	}
	if len(b)%2 != 0 {
		return "", fmt.Errorf("%w: %s has an odd UTF-16 length %d", ErrMalformed, name, len(b))
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u)), nil
}

// encodeOEM encodes s for an OEM-negotiated message (ASCII upper half
// replaced by '?').
func encodeOEM(s string) []byte {
	return []byte(strings.Map(func(r rune) rune {
		if r > 0xff {
			return '?'
		}
		return r
	}, s))
}

// avPairs parses an AV_PAIR list (MS-NLMP 2.2.2.1) up to MsvAvEOL. A list
// without EOL is accepted when it ends exactly at the end of b (some
// clients omit it); anything overrunning is malformed.
func avPairs(b []byte) (map[uint16][]byte, error) {
	m := make(map[uint16][]byte)
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, fmt.Errorf("%w: truncated AV pair", ErrMalformed)
		}
		id := binary.LittleEndian.Uint16(b)
		n := int(binary.LittleEndian.Uint16(b[2:]))
		if id == avEOL {
			return m, nil
		}
		if 4+n > len(b) {
			return nil, fmt.Errorf("%w: AV pair %d of %d bytes overruns the list", ErrMalformed, id, n)
		}
		if _, dup := m[id]; !dup {
			m[id] = b[4 : 4+n]
		}
		b = b[4+n:]
	}
	return m, nil
}

// avPair is one entry for appendAVPairs.
type avPair struct {
	id    uint16
	value []byte
}

func appendAVPairs(dst []byte, pairs []avPair) []byte {
	for _, p := range pairs {
		dst = binary.LittleEndian.AppendUint16(dst, p.id)
		dst = binary.LittleEndian.AppendUint16(dst, uint16(len(p.value)))
		dst = append(dst, p.value...)
	}
	return append(dst, 0, 0, 0, 0) // MsvAvEOL
}

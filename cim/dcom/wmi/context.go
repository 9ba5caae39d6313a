package wmi

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/cimsh/cimsh/cim/dcom/orpc"
)

// An IWbemContext travels by value (MS-WMI 2.2.13): an OBJREF_CUSTOM
// whose data is an IWbemContextBuffer, a list of named VARIANT-typed
// values. The client sends one with partial PutInstance calls; the test
// server reads it. Only the types those need are supported: VT_I4,
// VT_BOOL, VT_BSTR and arrays of VT_BSTR.

// ContextProp is one named context value: an int32, a bool, a string or
// a []string.
type ContextProp struct {
	Name  string
	Value any
}

// VARIANT types (MS-OAUT 2.2.7).
const (
	vtI4    = 3
	vtBSTR  = 8
	vtBool  = 11
	vtArray = 0x2000
)

// ErrContext wraps every context decoding error.
var ErrContext = errors.New("wmi: malformed IWbemContext")

// maxContextItems bounds a decoded context's properties and array
// elements: real contexts hold a handful.
const maxContextItems = 4096

func appendContextString(b []byte, s string) []byte {
	u := utf16.Encode([]rune(s))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(u)))
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// MarshalContext encodes props as the OBJREF_CUSTOM of an IWbemContext.
func MarshalContext(props []ContextProp) ([]byte, error) {
	b := binary.LittleEndian.AppendUint32(nil, 1)
	var id [16]byte
	rand.Read(id[:]) // the context's own identity: unique per context
	b = append(b, id[:]...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(props)))
	for _, p := range props {
		b = appendContextString(b, p.Name)
		b = binary.LittleEndian.AppendUint32(b, 0)
		switch v := p.Value.(type) {
		case int32:
			b = binary.LittleEndian.AppendUint16(b, vtI4)
			b = binary.LittleEndian.AppendUint64(b, uint64(uint32(v)))
		case bool:
			b = binary.LittleEndian.AppendUint16(b, vtBool)
			var x uint64
			if v {
				x = 0xffff // VARIANT_TRUE
			}
			b = binary.LittleEndian.AppendUint64(b, x)
		case string:
			b = binary.LittleEndian.AppendUint16(b, vtBSTR)
			b = appendContextString(b, v)
		case []string:
			b = binary.LittleEndian.AppendUint16(b, vtArray|vtBSTR)
			b = binary.LittleEndian.AppendUint32(b, uint32(len(v)))
			b = binary.LittleEndian.AppendUint32(b, 8) // the size of a BSTR pointer on 64-bit Windows
			for _, s := range v {
				b = appendContextString(b, s)
			}
		default:
			return nil, fmt.Errorf("wmi: context value %s of type %T is not supported", p.Name, p.Value)
		}
	}
	return orpc.MarshalCustom(orpc.IIDWbemContext, orpc.CLSIDWbemContext, b), nil
}

// ParseContext decodes an IWbemContext OBJREF_CUSTOM.
func ParseContext(objref []byte) ([]ContextProp, error) {
	o, err := orpc.ParseObjref(objref)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrContext, err)
	}
	if o.Std != nil || o.CLSID != orpc.CLSIDWbemContext {
		return nil, fmt.Errorf("%w: not a by-value context (CLSID %s)", ErrContext, o.CLSID)
	}
	r := &ctxReader{b: o.Data}
	n := r.u32()
	if r.err == nil && n != 1 {
		return nil, fmt.Errorf("%w: %d GUIDs, want 1", ErrContext, n)
	}
	r.take(16)
	count := r.u32()
	if r.err == nil && count > maxContextItems {
		return nil, fmt.Errorf("%w: %d properties", ErrContext, count)
	}
	var props []ContextProp
	for i := uint32(0); i < count && r.err == nil; i++ {
		p := ContextProp{Name: r.str()}
		r.u32()
		switch t := r.u16(); t {
		case vtI4:
			p.Value = int32(r.u32())
			r.take(4)
		case vtBool:
			p.Value = r.u16() != 0
			r.take(6)
		case vtBSTR:
			p.Value = r.str()
		case vtArray | vtBSTR:
			m := r.u32()
			r.u32() // element size: a pointer's, meaningless on the wire
			if r.err == nil && m > maxContextItems {
				return nil, fmt.Errorf("%w: array of %d strings", ErrContext, m)
			}
			var ss []string
			for j := uint32(0); j < m && r.err == nil; j++ {
				ss = append(ss, r.str())
			}
			p.Value = ss
		default:
			if r.err == nil {
				return nil, fmt.Errorf("%w: property %q of VARIANT type %#x is not supported", ErrContext, p.Name, t)
			}
		}
		props = append(props, p)
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) > 0 {
		return nil, fmt.Errorf("%w: %d bytes after the properties", ErrContext, len(r.b))
	}
	return props, nil
}

type ctxReader struct {
	b   []byte
	err error
}

func (r *ctxReader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = fmt.Errorf("%w: truncated", ErrContext)
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *ctxReader) u16() uint16 {
	if b := r.take(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (r *ctxReader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *ctxReader) str() string {
	n := r.u32()
	if r.err == nil && uint64(n)*2 > uint64(len(r.b)) {
		r.err = fmt.Errorf("%w: string of %d characters in %d bytes", ErrContext, n, len(r.b))
	}
	b := r.take(int(n) * 2)
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// ContextValue returns the value of the property named name (names
// compare case-insensitively, as WMI's do), or nil.
func ContextValue(props []ContextProp, name string) any {
	for _, p := range props {
		if strings.EqualFold(p.Name, name) {
			return p.Value
		}
	}
	return nil
}

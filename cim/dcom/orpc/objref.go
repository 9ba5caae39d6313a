package orpc

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
)

// OBJREF signature and flags (MS-DCOM 2.2.18).
const (
	objrefSignature = 0x574f454d // "MEOW"
	ObjrefStandard  = 0x1
	ObjrefHandler   = 0x2
	ObjrefCustom    = 0x4
	ObjrefExtended  = 0x8
	SORFNoPing      = 0x1000
)

// StdObjref is a STDOBJREF: where a marshaled interface lives.
type StdObjref struct {
	Flags       uint32
	PublicRefs  uint32
	OXID        uint64
	OID         uint64
	IPID        ndr.GUID
	ResolverRaw []byte // the DUALSTRINGARRAY of the OXID resolver
}

// Objref is a decoded OBJREF: standard (Std set) or custom (CLSID and
// Data set).
type Objref struct {
	Flags uint32
	IID   ndr.GUID
	Std   *StdObjref
	CLSID ndr.GUID
	Data  []byte
}

// MarshalStandard encodes an OBJREF_STANDARD.
func MarshalStandard(iid ndr.GUID, s StdObjref, resolver []byte) []byte {
	b := make([]byte, 0, 64+len(resolver))
	b = binary.LittleEndian.AppendUint32(b, objrefSignature)
	b = binary.LittleEndian.AppendUint32(b, ObjrefStandard)
	b = append(b, iid[:]...)
	b = binary.LittleEndian.AppendUint32(b, s.Flags)
	b = binary.LittleEndian.AppendUint32(b, s.PublicRefs)
	b = binary.LittleEndian.AppendUint64(b, s.OXID)
	b = binary.LittleEndian.AppendUint64(b, s.OID)
	b = append(b, s.IPID[:]...)
	return append(b, resolver...)
}

// MarshalCustom encodes an OBJREF_CUSTOM holding data (an activation
// properties blob, or an MS-WMIO encoding unit).
func MarshalCustom(iid, clsid ndr.GUID, data []byte) []byte {
	b := make([]byte, 0, 48+len(data))
	b = binary.LittleEndian.AppendUint32(b, objrefSignature)
	b = binary.LittleEndian.AppendUint32(b, ObjrefCustom)
	b = append(b, iid[:]...)
	b = append(b, clsid[:]...)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)+8))
	return append(b, data...)
}

// ParseObjref decodes an OBJREF.
func ParseObjref(b []byte) (*Objref, error) {
	if len(b) < 24 || binary.LittleEndian.Uint32(b) != objrefSignature {
		return nil, fmt.Errorf("orpc: not an OBJREF (%d bytes)", len(b))
	}
	o := &Objref{Flags: binary.LittleEndian.Uint32(b[4:])}
	copy(o.IID[:], b[8:24])
	rest := b[24:]
	switch o.Flags {
	case ObjrefStandard, ObjrefHandler, ObjrefExtended:
		if len(rest) < 40 {
			return nil, fmt.Errorf("orpc: STDOBJREF truncated")
		}
		s := &StdObjref{
			Flags:      binary.LittleEndian.Uint32(rest),
			PublicRefs: binary.LittleEndian.Uint32(rest[4:]),
			OXID:       binary.LittleEndian.Uint64(rest[8:]),
			OID:        binary.LittleEndian.Uint64(rest[16:]),
		}
		copy(s.IPID[:], rest[24:40])
		s.ResolverRaw = rest[40:]
		o.Std = s
	case ObjrefCustom:
		if len(rest) < 24 {
			return nil, fmt.Errorf("orpc: OBJREF_CUSTOM truncated")
		}
		copy(o.CLSID[:], rest)
		o.Data = rest[24:]
	default:
		return nil, fmt.Errorf("orpc: OBJREF flags 0x%x", o.Flags)
	}
	return o, nil
}

// StringBinding is a protocol tower and network address ("host[port]").
type StringBinding struct {
	TowerID uint16
	Addr    string
}

// SecurityBinding is an authentication service and principal name.
type SecurityBinding struct {
	AuthnSvc  uint16
	Principal string
}

// DualStringArray is a DUALSTRINGARRAY: string bindings then security
// bindings.
type DualStringArray struct {
	Strings  []StringBinding
	Security []SecurityBinding
}

// Entries returns the array as its 16-bit entries and security offset.
func (d *DualStringArray) Entries() ([]uint16, uint16) {
	var e []uint16
	for _, s := range d.Strings {
		e = append(e, s.TowerID)
		e = append(e, utf16.Encode([]rune(s.Addr))...)
		e = append(e, 0)
	}
	if len(d.Strings) == 0 {
		e = append(e, 0)
	}
	e = append(e, 0)
	off := uint16(len(e))
	for _, s := range d.Security {
		e = append(e, s.AuthnSvc, 0xffff)
		e = append(e, utf16.Encode([]rune(s.Principal))...)
		e = append(e, 0)
	}
	if len(d.Security) == 0 {
		e = append(e, 0)
	}
	e = append(e, 0)
	return e, off
}

// MarshalPacked encodes the array as OBJREF_STANDARD embeds it.
func (d *DualStringArray) MarshalPacked() []byte {
	e, off := d.Entries()
	b := binary.LittleEndian.AppendUint16(nil, uint16(len(e)))
	b = binary.LittleEndian.AppendUint16(b, off)
	for _, x := range e {
		b = binary.LittleEndian.AppendUint16(b, x)
	}
	return b
}

// WriteNDR encodes the array as an NDR conformant structure (the
// referent of a DUALSTRINGARRAY pointer).
func (d *DualStringArray) WriteNDR(w *ndr.Writer) {
	e, off := d.Entries()
	w.U32(uint32(len(e)))
	w.U16(uint16(len(e)))
	w.U16(off)
	for _, x := range e {
		w.U16(x)
	}
}

// ReadDualStringArrayNDR decodes the NDR form.
func ReadDualStringArrayNDR(r *ndr.Reader) (*DualStringArray, error) {
	max := r.Count(2)
	n := int(r.U16())
	off := int(r.U16())
	if r.Err() == nil && n > max {
		r.Fail("DUALSTRINGARRAY of %d entries in %d", n, max)
	}
	e := make([]uint16, 0, n)
	for i := 0; i < max && r.Err() == nil; i++ {
		e = append(e, r.U16())
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return parseEntries(e[:n], off)
}

// ParseDualStringArrayPacked decodes the packed form.
func ParseDualStringArrayPacked(b []byte) (*DualStringArray, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("orpc: DUALSTRINGARRAY truncated")
	}
	n := int(binary.LittleEndian.Uint16(b))
	off := int(binary.LittleEndian.Uint16(b[2:]))
	if 4+2*n > len(b) {
		return nil, fmt.Errorf("orpc: DUALSTRINGARRAY of %d entries in %d bytes", n, len(b))
	}
	e := make([]uint16, n)
	for i := range e {
		e[i] = binary.LittleEndian.Uint16(b[4+2*i:])
	}
	return parseEntries(e, off)
}

func parseEntries(e []uint16, off int) (*DualStringArray, error) {
	if off > len(e) {
		return nil, fmt.Errorf("orpc: security offset %d beyond %d entries", off, len(e))
	}
	d := &DualStringArray{}
	str := func(s []uint16) (string, []uint16) {
		for i, c := range s {
			if c == 0 {
				return string(utf16.Decode(s[:i])), s[i+1:]
			}
		}
		return string(utf16.Decode(s)), nil
	}
	s := e[:off]
	for len(s) > 0 && s[0] != 0 {
		id := s[0]
		var a string
		a, s = str(s[1:])
		d.Strings = append(d.Strings, StringBinding{TowerID: id, Addr: a})
	}
	s = e[off:]
	for len(s) > 1 && s[0] != 0 {
		id := s[0]
		var p string
		p, s = str(s[2:])
		d.Security = append(d.Security, SecurityBinding{AuthnSvc: id, Principal: p})
	}
	return d, nil
}

// TCPEndpoint returns the host and port of the first TCP string binding
// ("host[port]"); port is "" when the binding names none.
func (d *DualStringArray) TCPEndpoint() (host, port string, ok bool) {
	for _, s := range d.Strings {
		if s.TowerID != TowerTCP {
			continue
		}
		h, p, _ := strings.Cut(s.Addr, "[")
		return h, strings.TrimSuffix(p, "]"), true
	}
	return "", "", false
}

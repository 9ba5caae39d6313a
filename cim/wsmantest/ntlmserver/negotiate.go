package ntlmserver

import (
	"encoding/binary"
)

// Negotiate is a parsed NEGOTIATE_MESSAGE (MS-NLMP 2.2.1.1).
type Negotiate struct {
	Flags       uint32
	Domain      string // OEM domain the client supplied, if any
	Workstation string // OEM workstation the client supplied, if any
}

// ParseNegotiate parses a NEGOTIATE_MESSAGE. Old clients send only the
// 16-byte fixed part, so the domain and workstation descriptors are read
// only when present.
func ParseNegotiate(msg []byte) (*Negotiate, error) {
	if err := checkType(msg, TypeNegotiate, 16); err != nil {
		return nil, err
	}
	n := &Negotiate{Flags: binary.LittleEndian.Uint32(msg[12:])}
	if len(msg) >= 32 {
		if n.Flags&FlagOEMDomainSupplied != 0 {
			b, err := field(msg, 16, "DomainName")
			if err != nil {
				return nil, err
			}
			n.Domain, _ = decodeString(b, false, "DomainName")
		}
		if n.Flags&FlagOEMWorkstationSupplied != 0 {
			b, err := field(msg, 24, "Workstation")
			if err != nil {
				return nil, err
			}
			n.Workstation, _ = decodeString(b, false, "Workstation")
		}
	}
	return n, nil
}

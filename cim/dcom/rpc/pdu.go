package rpc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
)

// PDU types (C706 12.6.4, MS-RPCE 2.2.2).
const (
	PTypeRequest    = 0
	PTypeResponse   = 2
	PTypeFault      = 3
	PTypeBind       = 11
	PTypeBindAck    = 12
	PTypeBindNak    = 13
	PTypeAlter      = 14
	PTypeAlterResp  = 15
	PTypeAuth3      = 16
	PTypeShutdown   = 17
	PTypeCoCancel   = 18
	PTypeOrphaned   = 19
	headerLen       = 16
	secTrailerLen   = 8
	maxFragDefault  = 5840
	maxFragAccepted = 1 << 16
)

// PFC flags.
const (
	FlagFirstFrag     = 0x01
	FlagLastFrag      = 0x02
	FlagSupportSign   = 0x04 // header signing, in bind PDUs
	FlagConcMpx       = 0x10
	FlagDidNotExecute = 0x20
	FlagObjectUUID    = 0x80
)

// Authentication services and levels (MS-RPCE 2.2.1.1.7, 2.2.1.1.8).
const (
	AuthNone      = 0
	AuthNegotiate = 9  // RPC_C_AUTHN_GSS_NEGOTIATE (SPNEGO)
	AuthWinNT     = 10 // RPC_C_AUTHN_WINNT (NTLM)
	AuthKerberos  = 16 // RPC_C_AUTHN_GSS_KERBEROS

	LevelNone      = 1
	LevelConnect   = 2
	LevelCall      = 3
	LevelPkt       = 4
	LevelIntegrity = 5
	LevelPrivacy   = 6
)

// NDR20 is the transfer syntax every interface here uses.
var NDR20 = SyntaxID{UUID: ndr.MustGUID("8a885d04-1ceb-11c9-9fe8-08002b104860"), Version: 2}

// SyntaxID names an interface or transfer syntax and its version (major
// in the low 16 bits).
type SyntaxID struct {
	UUID    ndr.GUID
	Version uint32
}

// ErrMalformed is wrapped by every PDU decoding error.
var ErrMalformed = errors.New("rpc: malformed PDU")

// Header is the common header of every connection-oriented PDU.
type Header struct {
	Type       uint8
	Flags      uint8
	FragLength uint16
	AuthLength uint16
	CallID     uint32
}

// SecTrailer is the sec_trailer before an auth value.
type SecTrailer struct {
	AuthType  uint8
	AuthLevel uint8
	PadLength uint8
	ContextID uint32
}

// PDU is one fragment: its header, body (everything between the header
// and the auth padding) and, when AuthLength is set, the trailer and
// auth value. Raw keeps the whole fragment as read.
type PDU struct {
	Header
	Body    []byte
	Trailer *SecTrailer
	Auth    []byte
	Raw     []byte
}

// ReadPDU reads one fragment from r.
func ReadPDU(r io.Reader) (*PDU, error) {
	var h [headerLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	if h[0] != 5 || h[1] != 0 {
		return nil, fmt.Errorf("%w: version %d.%d", ErrMalformed, h[0], h[1])
	}
	if h[4] != 0x10 {
		return nil, fmt.Errorf("%w: data representation 0x%02x (only little-endian ASCII IEEE is spoken)", ErrMalformed, h[4])
	}
	fl := int(binary.LittleEndian.Uint16(h[8:]))
	if fl < headerLen || fl > maxFragAccepted {
		return nil, fmt.Errorf("%w: fragment length %d", ErrMalformed, fl)
	}
	raw := make([]byte, fl)
	copy(raw, h[:])
	if _, err := io.ReadFull(r, raw[headerLen:]); err != nil {
		return nil, err
	}
	return ParsePDU(raw)
}

// ParsePDU splits a whole fragment into its parts.
func ParsePDU(raw []byte) (*PDU, error) {
	if len(raw) < headerLen {
		return nil, fmt.Errorf("%w: %d bytes", ErrMalformed, len(raw))
	}
	p := &PDU{Raw: raw, Header: Header{
		Type: raw[2], Flags: raw[3],
		FragLength: binary.LittleEndian.Uint16(raw[8:]),
		AuthLength: binary.LittleEndian.Uint16(raw[10:]),
		CallID:     binary.LittleEndian.Uint32(raw[12:]),
	}}
	if int(p.FragLength) != len(raw) {
		return nil, fmt.Errorf("%w: fragment length %d for %d bytes", ErrMalformed, p.FragLength, len(raw))
	}
	end := len(raw)
	if p.AuthLength > 0 {
		start := end - int(p.AuthLength) - secTrailerLen
		if start < headerLen {
			return nil, fmt.Errorf("%w: auth length %d in a %d-byte fragment", ErrMalformed, p.AuthLength, len(raw))
		}
		t := raw[start:]
		p.Trailer = &SecTrailer{AuthType: t[0], AuthLevel: t[1], PadLength: t[2], ContextID: binary.LittleEndian.Uint32(t[4:])}
		p.Auth = raw[start+secTrailerLen:]
		end = start
	}
	p.Body = raw[headerLen:end]
	return p, nil
}

// build assembles a fragment. pad is the number of auth padding bytes
// already at the end of body; auth is the auth value (its length fixes
// auth_length; the caller may overwrite it in place later).
func build(ptype, flags uint8, callID uint32, body []byte, trailer *SecTrailer, auth []byte) []byte {
	n := headerLen + len(body)
	if trailer != nil {
		n += secTrailerLen + len(auth)
	}
	b := make([]byte, headerLen, n)
	b[0], b[1], b[2], b[3] = 5, 0, ptype, flags
	b[4] = 0x10
	binary.LittleEndian.PutUint16(b[8:], uint16(n))
	if trailer != nil {
		binary.LittleEndian.PutUint16(b[10:], uint16(len(auth)))
	}
	binary.LittleEndian.PutUint32(b[12:], callID)
	b = append(b, body...)
	if trailer != nil {
		b = append(b, trailer.AuthType, trailer.AuthLevel, trailer.PadLength, 0)
		b = binary.LittleEndian.AppendUint32(b, trailer.ContextID)
		b = append(b, auth...)
	}
	return b
}

// Build assembles a fragment with an optional trailer and auth value.
func Build(ptype, flags uint8, callID uint32, body []byte, trailer *SecTrailer, auth []byte) []byte {
	return build(ptype, flags, callID, body, trailer, auth)
}

// padTo returns the padding that brings n to a multiple of a.
func padTo(n, a int) int { return (a - n%a) % a }

// Bind is the body of bind and alter_context PDUs.
type Bind struct {
	MaxXmit, MaxRecv uint16
	AssocGroup       uint32
	Contexts         []ContextElem
}

// ContextElem proposes an abstract syntax with transfer syntaxes.
type ContextElem struct {
	ID       uint16
	Abstract SyntaxID
	Transfer []SyntaxID
}

// Marshal encodes the bind body.
func (b *Bind) Marshal() []byte {
	w := ndr.NewWriter()
	w.U16(b.MaxXmit)
	w.U16(b.MaxRecv)
	w.U32(b.AssocGroup)
	w.U8(uint8(len(b.Contexts)))
	w.U8(0)
	w.U16(0)
	for _, c := range b.Contexts {
		w.U16(c.ID)
		w.U8(uint8(len(c.Transfer)))
		w.U8(0)
		w.GUID(c.Abstract.UUID)
		w.U32(c.Abstract.Version)
		for _, t := range c.Transfer {
			w.GUID(t.UUID)
			w.U32(t.Version)
		}
	}
	return w.Bytes()
}

// ParseBind decodes a bind or alter_context body.
func ParseBind(body []byte) (*Bind, error) {
	r := ndr.NewReader(body)
	b := &Bind{MaxXmit: r.U16(), MaxRecv: r.U16(), AssocGroup: r.U32()}
	n := int(r.U8())
	r.U8()
	r.U16()
	for i := 0; i < n && r.Err() == nil; i++ {
		c := ContextElem{ID: r.U16()}
		nt := int(r.U8())
		r.U8()
		c.Abstract = SyntaxID{r.GUID(), r.U32()}
		for j := 0; j < nt && r.Err() == nil; j++ {
			c.Transfer = append(c.Transfer, SyntaxID{r.GUID(), r.U32()})
		}
		b.Contexts = append(b.Contexts, c)
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("%w: bind: %v", ErrMalformed, err)
	}
	return b, nil
}

// BindAck is the body of bind_ack and alter_context_resp PDUs.
type BindAck struct {
	MaxXmit, MaxRecv uint16
	AssocGroup       uint32
	SecondaryAddr    string
	Results          []ContextResult
}

// ContextResult answers one ContextElem (Result 0 is acceptance).
type ContextResult struct {
	Result, Reason uint16
	Transfer       SyntaxID
}

// Marshal encodes the bind_ack body.
func (a *BindAck) Marshal() []byte {
	w := ndr.NewWriter()
	w.U16(a.MaxXmit)
	w.U16(a.MaxRecv)
	w.U32(a.AssocGroup)
	if a.SecondaryAddr == "" {
		w.U16(0)
	} else {
		w.U16(uint16(len(a.SecondaryAddr) + 1))
		w.Raw(append([]byte(a.SecondaryAddr), 0))
	}
	// The result list is 4-byte aligned relative to the PDU, whose
	// header is 16 bytes: the same as relative to the body.
	w.Align(4)
	w.U8(uint8(len(a.Results)))
	w.U8(0)
	w.U16(0)
	for _, c := range a.Results {
		w.U16(c.Result)
		w.U16(c.Reason)
		w.GUID(c.Transfer.UUID)
		w.U32(c.Transfer.Version)
	}
	return w.Bytes()
}

// ParseBindAck decodes a bind_ack or alter_context_resp body.
func ParseBindAck(body []byte) (*BindAck, error) {
	r := ndr.NewReader(body)
	a := &BindAck{MaxXmit: r.U16(), MaxRecv: r.U16(), AssocGroup: r.U32()}
	n := int(r.U16())
	if n > 0 {
		s := r.Raw(n)
		if len(s) > 0 {
			a.SecondaryAddr = string(s[:len(s)-1])
		}
	}
	r.Align(4)
	nr := int(r.U8())
	r.U8()
	r.U16()
	for i := 0; i < nr && r.Err() == nil; i++ {
		a.Results = append(a.Results, ContextResult{Result: r.U16(), Reason: r.U16(), Transfer: SyntaxID{r.GUID(), r.U32()}})
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("%w: bind_ack: %v", ErrMalformed, err)
	}
	return a, nil
}

// Request is a parsed request fragment body.
type Request struct {
	AllocHint uint32
	ContextID uint16
	Opnum     uint16
	Object    *ndr.GUID
	Stub      []byte
}

// ParseRequest decodes a request body (flags tell whether an object
// UUID is present).
func ParseRequest(flags uint8, body []byte) (*Request, error) {
	if len(body) < 8 {
		return nil, fmt.Errorf("%w: request body of %d bytes", ErrMalformed, len(body))
	}
	q := &Request{AllocHint: binary.LittleEndian.Uint32(body), ContextID: binary.LittleEndian.Uint16(body[4:]), Opnum: binary.LittleEndian.Uint16(body[6:])}
	rest := body[8:]
	if flags&FlagObjectUUID != 0 {
		if len(rest) < 16 {
			return nil, fmt.Errorf("%w: request object UUID truncated", ErrMalformed)
		}
		var g ndr.GUID
		copy(g[:], rest)
		q.Object = &g
		rest = rest[16:]
	}
	q.Stub = rest
	return q, nil
}

// RequestHeaderLen returns the size of a request's header and fixed
// fields before its stub.
func RequestHeaderLen(object bool) int {
	if object {
		return headerLen + 8 + 16
	}
	return headerLen + 8
}

// ResponseHeaderLen is the size of a response before its stub.
const ResponseHeaderLen = headerLen + 8

// FaultBody encodes a fault body with status.
func FaultBody(ctxID uint16, status uint32) []byte {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint16(b[4:], ctxID)
	binary.LittleEndian.PutUint32(b[8:], status)
	return b
}

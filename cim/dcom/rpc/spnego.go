package rpc

import (
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/cimsh/cimsh/cim/internal/krb5gss"
)

// SPNEGO (RFC 4178, with Microsoft's usage in MS-SPNG) as DCE/RPC's
// RPC_C_AUTHN_GSS_NEGOTIATE carries it: the first token is a GSS-API
// InitialContextToken holding a NegTokenInit; every later token, in either
// direction, is a bare NegTokenResp. The codec is shared by the client's
// initiator and the test server's acceptor. Decoding goes through
// encoding/asn1, which refuses hostile input with an error, never a panic.

// Mechanism object identifiers.
var (
	OIDSPNEGO     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 2}
	OIDNTLM       = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 2, 10}
	OIDKerberos   = krb5gss.OIDKerberos
	OIDMSKerberos = krb5gss.OIDMSKerberos // Windows' legacy Kerberos OID
)

// NegState values of a NegTokenResp (RFC 4178 4.2.2); NegStateAbsent
// means the field was not sent.
const (
	NegStateAbsent      = -1
	NegAcceptCompleted  = 0
	NegAcceptIncomplete = 1
	NegReject           = 2
	NegRequestMIC       = 3
)

// ErrSPNEGO wraps every SPNEGO decoding error.
var ErrSPNEGO = errors.New("rpc: malformed SPNEGO token")

// NegTokenInit is the initiator's first SPNEGO token.
type NegTokenInit struct {
	MechTypes []asn1.ObjectIdentifier
	// MechTypesDER is the mechTypes list exactly as it was encoded: the
	// mechListMIC is computed over these bytes.
	MechTypesDER []byte
	MechToken    []byte
	MechListMIC  []byte
}

// NegTokenResp is every later SPNEGO token.
type NegTokenResp struct {
	State         int // NegStateAbsent when not sent
	SupportedMech asn1.ObjectIdentifier
	ResponseToken []byte
	MechListMIC   []byte
}

// MechTypesDER encodes a mechanism list as the mechListMIC covers it.
func MechTypesDER(mechs []asn1.ObjectIdentifier) []byte {
	b, err := asn1.Marshal(mechs)
	if err != nil {
		panic(fmt.Sprintf("rpc: mechanism list %v: %v", mechs, err)) // only fixed OIDs reach here
	}
	return b
}

// derTLV writes one DER element with a definite length.
func derTLV(tag byte, content []byte) []byte {
	n := len(content)
	out := []byte{tag}
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	case n < 0x10000:
		out = append(out, 0x82, byte(n>>8), byte(n))
	default:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, content...)
}

func octets(b []byte) []byte { return derTLV(0x04, b) }

// Marshal encodes the token as a GSS-API InitialContextToken for SPNEGO.
func (t *NegTokenInit) Marshal() []byte {
	types := t.MechTypesDER
	if types == nil {
		types = MechTypesDER(t.MechTypes)
	}
	seq := derTLV(0xa0, types)
	if t.MechToken != nil {
		seq = append(seq, derTLV(0xa2, octets(t.MechToken))...)
	}
	if t.MechListMIC != nil {
		seq = append(seq, derTLV(0xa3, octets(t.MechListMIC))...)
	}
	oid, _ := asn1.Marshal(OIDSPNEGO)
	inner := append(oid, derTLV(0xa0, derTLV(0x30, seq))...)
	return derTLV(0x60, inner)
}

// Marshal encodes the token as a NegotiationToken choice [1].
func (t *NegTokenResp) Marshal() []byte {
	var seq []byte
	if t.State != NegStateAbsent {
		seq = append(seq, derTLV(0xa0, []byte{0x0a, 0x01, byte(t.State)})...)
	}
	if t.SupportedMech != nil {
		oid, _ := asn1.Marshal(t.SupportedMech)
		seq = append(seq, derTLV(0xa1, oid)...)
	}
	if t.ResponseToken != nil {
		seq = append(seq, derTLV(0xa2, octets(t.ResponseToken))...)
	}
	if t.MechListMIC != nil {
		seq = append(seq, derTLV(0xa3, octets(t.MechListMIC))...)
	}
	return derTLV(0xa1, derTLV(0x30, seq))
}

type negTokenInitASN struct {
	MechTypes   asn1.RawValue `asn1:"tag:0"` // [0] SEQUENCE OF OID, kept as sent
	ReqFlags    asn1.RawValue `asn1:"optional,tag:1"`
	MechToken   []byte        `asn1:"optional,explicit,tag:2"`
	MechListMIC []byte        `asn1:"optional,explicit,tag:3"`
}

type negTokenRespASN struct {
	NegState      asn1.RawValue         `asn1:"optional,tag:0"` // [0] ENUMERATED
	SupportedMech asn1.ObjectIdentifier `asn1:"optional,explicit,tag:1"`
	ResponseToken []byte                `asn1:"optional,explicit,tag:2"`
	MechListMIC   []byte                `asn1:"optional,explicit,tag:3"`
}

// ParseNegToken decodes a SPNEGO token: an InitialContextToken with a
// NegTokenInit, or a bare NegTokenResp. Exactly one result is non-nil.
func ParseNegToken(b []byte) (*NegTokenInit, *NegTokenResp, error) {
	var outer asn1.RawValue
	rest, err := asn1.Unmarshal(b, &outer)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrSPNEGO, err)
	}
	if len(rest) > 0 {
		return nil, nil, fmt.Errorf("%w: %d bytes after the token", ErrSPNEGO, len(rest))
	}
	switch {
	case outer.Class == asn1.ClassApplication && outer.Tag == 0 && outer.IsCompound:
		var oid asn1.ObjectIdentifier
		inner, err := asn1.Unmarshal(outer.Bytes, &oid)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrSPNEGO, err)
		}
		if !oid.Equal(OIDSPNEGO) {
			return nil, nil, fmt.Errorf("%w: mechanism %v, not SPNEGO", ErrSPNEGO, oid)
		}
		var choice asn1.RawValue
		if rest, err := asn1.Unmarshal(inner, &choice); err != nil || len(rest) > 0 {
			return nil, nil, fmt.Errorf("%w: NegotiationToken: %v", ErrSPNEGO, err)
		}
		if choice.Class != asn1.ClassContextSpecific || choice.Tag != 0 || !choice.IsCompound {
			return nil, nil, fmt.Errorf("%w: an initial token must hold a NegTokenInit", ErrSPNEGO)
		}
		t, err := parseNegTokenInit(choice.Bytes)
		return t, nil, err
	case outer.Class == asn1.ClassContextSpecific && outer.Tag == 1 && outer.IsCompound:
		t, err := parseNegTokenResp(outer.Bytes)
		return nil, t, err
	}
	return nil, nil, fmt.Errorf("%w: neither a NegTokenInit nor a NegTokenResp", ErrSPNEGO)
}

func parseNegTokenInit(b []byte) (*NegTokenInit, error) {
	var a negTokenInitASN
	if rest, err := asn1.Unmarshal(b, &a); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("%w: NegTokenInit: %v", ErrSPNEGO, err)
	}
	t := &NegTokenInit{MechTypesDER: a.MechTypes.Bytes, MechToken: a.MechToken, MechListMIC: a.MechListMIC}
	if rest, err := asn1.Unmarshal(a.MechTypes.Bytes, &t.MechTypes); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("%w: mechTypes: %v", ErrSPNEGO, err)
	}
	if len(t.MechTypes) == 0 {
		return nil, fmt.Errorf("%w: no mechanism offered", ErrSPNEGO)
	}
	return t, nil
}

func parseNegTokenResp(b []byte) (*NegTokenResp, error) {
	var a negTokenRespASN
	if rest, err := asn1.Unmarshal(b, &a); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("%w: NegTokenResp: %v", ErrSPNEGO, err)
	}
	t := &NegTokenResp{State: NegStateAbsent, SupportedMech: a.SupportedMech, ResponseToken: a.ResponseToken, MechListMIC: a.MechListMIC}
	if a.NegState.FullBytes != nil {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(a.NegState.Bytes, &v)
		if err != nil || len(rest) > 0 || v.Class != asn1.ClassUniversal || v.Tag != asn1.TagEnum || len(v.Bytes) != 1 || v.Bytes[0] > NegRequestMIC {
			return nil, fmt.Errorf("%w: negState %x", ErrSPNEGO, a.NegState.FullBytes)
		}
		t.State = int(v.Bytes[0])
	}
	return t, nil
}

// offers reports whether mech is among the offered mechanisms, and
// whether it is the first (the one the optimistic token is for).
func offers(mechs []asn1.ObjectIdentifier, mech asn1.ObjectIdentifier) (found, first bool) {
	for i, m := range mechs {
		if m.Equal(mech) {
			return true, i == 0
		}
	}
	return false, false
}

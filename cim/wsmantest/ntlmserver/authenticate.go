package ntlmserver

import (
	"encoding/binary"
	"fmt"
)

// authenticateMinLen is the fixed part of an AUTHENTICATE_MESSAGE without
// Version and MIC; authenticateMICEnd is where the MIC ends when present
// (MS-NLMP 2.2.1.3).
const (
	authenticateMinLen = 64
	micOffset          = 72
	authenticateMICEnd = 88
)

// Authenticate is a parsed AUTHENTICATE_MESSAGE.
type Authenticate struct {
	Flags                     uint32
	LMResponse                []byte
	NTResponse                []byte
	Domain                    string
	User                      string
	Workstation               string
	EncryptedRandomSessionKey []byte
	// payloadStart is the lowest offset of any non-empty payload field:
	// the MIC can only be present when it is at least authenticateMICEnd.
	payloadStart int
}

// ParseAuthenticate parses an AUTHENTICATE_MESSAGE.
func ParseAuthenticate(msg []byte) (*Authenticate, error) {
	if err := checkType(msg, TypeAuthenticate, authenticateMinLen); err != nil {
		return nil, err
	}
	a := &Authenticate{Flags: binary.LittleEndian.Uint32(msg[60:])}
	unicode := a.Flags&FlagUnicode != 0
	var err error
	if a.LMResponse, err = field(msg, 12, "LmChallengeResponse"); err != nil {
		return nil, err
	}
	if a.NTResponse, err = field(msg, 20, "NtChallengeResponse"); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		off  int
		name string
		dst  *string
	}{{28, "DomainName", &a.Domain}, {36, "UserName", &a.User}, {44, "Workstation", &a.Workstation}} {
		b, err := field(msg, f.off, f.name)
		if err != nil {
			return nil, err
		}
		if *f.dst, err = decodeString(b, unicode, f.name); err != nil {
			return nil, err
		}
	}
	if a.EncryptedRandomSessionKey, err = field(msg, 52, "EncryptedRandomSessionKey"); err != nil {
		return nil, err
	}
	a.payloadStart = len(msg)
	for _, off := range []int{12, 20, 28, 36, 44, 52} {
		if o := fieldOffset(msg, off); o >= 0 && o < a.payloadStart {
			a.payloadStart = o
		}
	}
	return a, nil
}

// mic returns the MIC field, or an error when the message is too short to
// hold one.
func mic(msg []byte, a *Authenticate) ([]byte, error) {
	if len(msg) < authenticateMICEnd || a.payloadStart < authenticateMICEnd {
		return nil, fmt.Errorf("%w: MIC announced but the message has no room for it", ErrMalformed)
	}
	return msg[micOffset:authenticateMICEnd], nil
}

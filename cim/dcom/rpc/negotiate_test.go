package rpc

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"testing"

	"github.com/cimsh/cimsh/cim/internal/ntlmsec"
)

// fakeIni and fakeAcc are a two-leg mechanism whose session security
// is NTLM's over a fixed key, to drive SPNEGO's state machines.
type fakeIni struct {
	state int
	sec   *Security
}

var fakeKey = bytes.Repeat([]byte{3}, 16)

const fakeFlags = ntlmsec.FlagExtendedSessionSecurity | ntlmsec.FlagKeyExch | ntlmsec.Flag128 | ntlmsec.FlagSeal | ntlmsec.FlagSign

func (f *fakeIni) step(in []byte) ([]byte, bool, bool, error) {
	f.state++
	if f.state == 1 {
		return []byte("hello"), true, false, nil
	}
	if string(in) != "challenge" {
		return nil, false, false, errors.New("bad challenge")
	}
	f.sec, _ = NewNTLMSecurity(fakeFlags, fakeKey, false)
	return []byte("auth"), false, true, nil
}

func (f *fakeIni) sealer() Sealer { return f.sec }

type fakeAcc struct {
	state    int
	sec      *Security
	needsMIC bool
}

func (f *fakeAcc) Accept(in []byte) ([]byte, bool, error) {
	f.state++
	switch {
	case f.state == 1 && string(in) == "hello":
		return []byte("challenge"), false, nil
	case f.state == 2 && string(in) == "auth":
		f.sec, _ = NewNTLMSecurity(fakeFlags, fakeKey, true)
		return nil, true, nil
	}
	return nil, false, errors.New("bad token")
}

func (f *fakeAcc) Sealer() Sealer { return f.sec }
func (f *fakeAcc) NeedsMIC() bool { return f.needsMIC }

// handshake runs an initiator against an acceptor, with tamper applied
// to every acceptor reply, and returns both ends' errors.
func handshake(ini initiator, acc Acceptor, tamper func([]byte) []byte) (iniErr, accErr error) {
	tok, _, _, err := ini.step(nil)
	if err != nil {
		return err, nil
	}
	for i := 0; i < 5; i++ {
		out, accDone, err := acc.Accept(tok)
		if err != nil {
			// The acceptor's rejection still reaches the client.
			if out != nil {
				_, _, _, iniErr = ini.step(out)
			}
			return iniErr, err
		}
		if tamper != nil {
			out = tamper(out)
		}
		next, _, done, err := ini.step(out)
		if err != nil {
			return err, nil
		}
		if done {
			if !accDone {
				return errors.New("client done before the server"), nil
			}
			return nil, nil
		}
		tok = next
	}
	return errors.New("no end"), nil
}

func TestSPNEGOStateMachines(t *testing.T) {
	newIni := func(sendMIC bool) *spnegoInitiator {
		return &spnegoInitiator{mech: &fakeIni{}, oid: OIDNTLM, sendMIC: sendMIC}
	}
	newAcc := func(needsMIC bool) *SPNEGOAcceptor {
		return NewSPNEGOAcceptor(func(oid asn1.ObjectIdentifier) MechAcceptor {
			if oid.Equal(OIDNTLM) {
				return &fakeAcc{needsMIC: needsMIC}
			}
			return nil
		})
	}
	stripMIC := func(b []byte) []byte {
		_, r, err := ParseNegToken(b)
		if err != nil {
			return b
		}
		r.MechListMIC = nil
		return r.Marshal()
	}
	claimKerberos := func(b []byte) []byte {
		_, r, _ := ParseNegToken(b)
		r.SupportedMech = OIDKerberos
		return r.Marshal()
	}

	acc := newAcc(true)
	if ie, ae := handshake(newIni(true), acc, nil); ie != nil || ae != nil || !acc.MICChecked {
		t.Fatalf("with MICs: client %v, server %v, MIC checked %v", ie, ae, acc.MICChecked)
	}
	if ie, ae := handshake(newIni(false), newAcc(true), nil); !errors.Is(ae, ErrAuthRefused) || !errors.Is(ie, ErrAuthRefused) {
		t.Fatalf("client without its MIC: client %v, server %v", ie, ae)
	}
	if ie, ae := handshake(newIni(false), newAcc(false), nil); ie != nil || ae != nil {
		t.Fatalf("no MIC on either side where none is needed: client %v, server %v", ie, ae)
	}
	if ie, _ := handshake(newIni(true), newAcc(true), stripMIC); !errors.Is(ie, ErrAuthRefused) {
		t.Fatalf("server without its MIC: %v", ie)
	}
	if ie, _ := handshake(newIni(true), newAcc(true), claimKerberos); !errors.Is(ie, ErrAuthRefused) {
		t.Fatalf("server choosing an unoffered mechanism: %v", ie)
	}
	none := NewSPNEGOAcceptor(func(asn1.ObjectIdentifier) MechAcceptor { return nil })
	if ie, ae := handshake(newIni(true), none, nil); !errors.Is(ae, ErrAuthRefused) || !errors.Is(ie, ErrAuthRefused) {
		t.Fatalf("no common mechanism: client %v, server %v", ie, ae)
	}
}

package rpc

import (
	"encoding/asn1"
	"fmt"
)

// Acceptor runs the server side of one security context's handshake:
// each token the client sends (in bind, alter_context or auth3) goes to
// Accept, whose output goes back in the bind_ack or alter_context_resp.
// Once done, Sealer protects the context's PDUs. The test server's NTLM
// and Kerberos acceptors implement it, and SPNEGOAcceptor wraps them.
type Acceptor interface {
	Accept(in []byte) (out []byte, done bool, err error)
	Sealer() Sealer
}

// MechAcceptor is an Acceptor SPNEGO can carry.
type MechAcceptor interface {
	Acceptor
	// NeedsMIC reports, once the mechanism is done, whether SPNEGO must
	// exchange mechListMICs: NTLM whose AUTHENTICATE carried a MIC
	// ("new" SPNEGO, as Samba calls it).
	NeedsMIC() bool
}

// SPNEGOAcceptor is SPNEGO's acceptor over the mechanisms choose knows:
// it picks the first mechanism of the client's list that choose returns
// an acceptor for, runs it, and checks and answers the mechListMIC.
// MICs are verified whenever a client sends one, and required when the
// mechanism says so.
type SPNEGOAcceptor struct {
	choose func(asn1.ObjectIdentifier) MechAcceptor

	state     int
	mech      MechAcceptor
	oid       asn1.ObjectIdentifier
	mechTypes []byte
	mechDone  bool
	// MICChecked reports that the client's mechListMIC verified.
	MICChecked bool
}

// NewSPNEGOAcceptor starts an acceptor over the mechanisms choose knows
// (nil for a mechanism it does not).
func NewSPNEGOAcceptor(choose func(asn1.ObjectIdentifier) MechAcceptor) *SPNEGOAcceptor {
	return &SPNEGOAcceptor{choose: choose}
}

// Mech returns the chosen mechanism's acceptor (nil before the first
// token).
func (s *SPNEGOAcceptor) Mech() MechAcceptor { return s.mech }

// Sealer protects PDUs with the chosen mechanism's session.
func (s *SPNEGOAcceptor) Sealer() Sealer { return s.mech.Sealer() }

// Accept takes the client's next SPNEGO token.
func (s *SPNEGOAcceptor) Accept(in []byte) ([]byte, bool, error) {
	init, resp, err := ParseNegToken(in)
	if err != nil {
		return nil, false, err
	}
	var mechTok, mic []byte
	var first bool
	switch {
	case s.state == 0 && init != nil:
		s.state = 1
		for i, m := range init.MechTypes {
			if a := s.choose(m); a != nil {
				s.mech, s.oid, first = a, m, i == 0
				break
			}
		}
		if s.mech == nil {
			return (&NegTokenResp{State: NegReject}).Marshal(), false, fmt.Errorf("%w: no offered mechanism is supported (%v)", ErrAuthRefused, init.MechTypes)
		}
		s.mechTypes = init.MechTypesDER
		if !first {
			// The optimistic token is for a mechanism not chosen: ask
			// for the chosen one's first token (RFC 4178 5.1), and for
			// the MIC that protects the downgrade.
			return (&NegTokenResp{State: NegRequestMIC, SupportedMech: s.oid}).Marshal(), false, nil
		}
		mechTok, mic = init.MechToken, init.MechListMIC
	case s.state == 1 && resp != nil:
		mechTok, mic = resp.ResponseToken, resp.MechListMIC
	default:
		return nil, false, fmt.Errorf("%w: unexpected SPNEGO token", ErrSPNEGO)
	}
	var out []byte
	if !s.mechDone {
		if len(mechTok) == 0 {
			return nil, false, fmt.Errorf("%w: SPNEGO token without a mechanism token", ErrAuthRefused)
		}
		if out, s.mechDone, err = s.mech.Accept(mechTok); err != nil {
			return (&NegTokenResp{State: NegReject}).Marshal(), false, err
		}
	} else if len(mechTok) > 0 {
		return nil, false, fmt.Errorf("%w: mechanism token after the mechanism finished", ErrSPNEGO)
	}
	reply := &NegTokenResp{State: NegAcceptIncomplete, ResponseToken: out}
	if init != nil {
		reply.SupportedMech = s.oid
	}
	if !s.mechDone {
		if len(mic) > 0 {
			return nil, false, fmt.Errorf("%w: mechListMIC before the mechanism finished", ErrSPNEGO)
		}
		return reply.Marshal(), false, nil
	}
	if len(mic) > 0 {
		if err := s.mech.Sealer().CheckMIC(s.mechTypes, mic); err != nil {
			return (&NegTokenResp{State: NegReject}).Marshal(), false, fmt.Errorf("%w: %v", ErrAuthRefused, err)
		}
		s.MICChecked = true
		if reply.MechListMIC, err = s.mech.Sealer().MIC(s.mechTypes); err != nil {
			return nil, false, err
		}
	} else if s.mech.NeedsMIC() {
		return (&NegTokenResp{State: NegReject}).Marshal(), false, fmt.Errorf("%w: the client sent no mechListMIC", ErrAuthRefused)
	}
	reply.State = NegAcceptCompleted
	return reply.Marshal(), true, nil
}

package rpc

import (
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/cimsh/cimsh/cim/internal/krb5gss"
)

// An initiator runs the client side of one security context's
// handshake, token by token, for the bind loop in client.go.
type initiator interface {
	// step takes the server's last token (nil at first) and returns the
	// next one to send. reply says the server must answer it, so that
	// it goes in an alter_context rather than an auth3; done says the
	// context is established once out (if any) is sent.
	step(in []byte) (out []byte, reply, done bool, err error)
	// sealer protects PDUs once the context is established.
	sealer() Sealer
}

// ErrAuthRefused wraps a handshake the server refused or could not
// finish: a rejecting SPNEGO reply, a mechanism the client did not
// offer, a reply that does not prove the server's identity.
var ErrAuthRefused = errors.New("rpc: authentication refused")

// newInitiator returns the initiator for cfg's authentication type.
func newInitiator(cfg *Config) (initiator, error) {
	switch cfg.AuthType {
	case AuthWinNT:
		return newNTLMStepper(cfg)
	case AuthNegotiate:
		if cfg.Kerberos != nil {
			k, err := newKrbInitiator(cfg)
			if err != nil {
				return nil, err
			}
			return &spnegoInitiator{mech: k, oid: OIDKerberos}, nil
		}
		n, err := newNTLMStepper(cfg)
		if err != nil {
			return nil, err
		}
		return &spnegoInitiator{mech: n, oid: OIDNTLM, sendMIC: true}, nil
	case AuthKerberos:
		return newKrbInitiator(cfg)
	}
	return nil, fmt.Errorf("rpc: authentication type %d is not supported", cfg.AuthType)
}

// ntlmStepper is raw NTLM (RPC_C_AUTHN_WINNT): NEGOTIATE in the bind,
// CHALLENGE in the ack, AUTHENTICATE in auth3.
type ntlmStepper struct {
	ini   *ntlmInitiator
	state int
	sec   *Security
}

func newNTLMStepper(cfg *Config) (*ntlmStepper, error) {
	ini, err := newNTLMInitiator(cfg.User, cfg.Domain, cfg.Password)
	if err != nil {
		return nil, err
	}
	return &ntlmStepper{ini: ini}, nil
}

func (n *ntlmStepper) step(in []byte) ([]byte, bool, bool, error) {
	switch n.state {
	case 0:
		n.state = 1
		out, err := n.ini.negotiate()
		if err != nil {
			return nil, false, false, fmt.Errorf("rpc: NTLM: %w", err)
		}
		return out, true, false, nil
	case 1:
		n.state = 2
		if len(in) == 0 {
			return nil, false, false, fmt.Errorf("%w: the server answered without an NTLM challenge", ErrAuthRefused)
		}
		out, err := n.ini.authenticate(in)
		if err != nil {
			return nil, false, false, err
		}
		if n.sec, err = NewNTLMSecurity(n.ini.flags, n.ini.key, false); err != nil {
			return nil, false, false, err
		}
		return out, false, true, nil
	}
	return nil, false, false, fmt.Errorf("%w: NTLM token after the handshake ended", ErrAuthRefused)
}

func (n *ntlmStepper) sealer() Sealer { return n.sec }

// spnegoInitiator wraps a mechanism in SPNEGO (RPC_C_AUTHN_GSS_NEGOTIATE)
// offering that one mechanism. With NTLM it sends the mechListMIC with
// the AUTHENTICATE message, as Windows and Samba do, and requires the
// server's in the final reply; with Kerberos a MIC is exchanged only
// when the server sends or asks for one. Either way the last token
// needs the server's answer (accept-completed), so it goes in an
// alter_context.
type spnegoInitiator struct {
	mech    initiator
	oid     asn1.ObjectIdentifier
	sendMIC bool

	state    int
	mechDone bool
	sentMIC  bool
}

func (s *spnegoInitiator) mechTypes() []byte { return MechTypesDER([]asn1.ObjectIdentifier{s.oid}) }

func (s *spnegoInitiator) step(in []byte) ([]byte, bool, bool, error) {
	if s.state == 0 {
		s.state = 1
		tok, _, _, err := s.mech.step(nil)
		if err != nil {
			return nil, false, false, err
		}
		init := &NegTokenInit{MechTypes: []asn1.ObjectIdentifier{s.oid}, MechToken: tok}
		return init.Marshal(), true, false, nil
	}
	if len(in) == 0 {
		return nil, false, false, fmt.Errorf("%w: the server answered without a SPNEGO token", ErrAuthRefused)
	}
	_, resp, err := ParseNegToken(in)
	if err != nil {
		return nil, false, false, err
	}
	if resp == nil {
		return nil, false, false, fmt.Errorf("%w: the server answered with a NegTokenInit", ErrSPNEGO)
	}
	if resp.State == NegReject {
		return nil, false, false, fmt.Errorf("%w: the server rejected the SPNEGO negotiation", ErrAuthRefused)
	}
	if resp.SupportedMech != nil && !resp.SupportedMech.Equal(s.oid) && !(krb5gss.IsKerberos(s.oid) && krb5gss.IsKerberos(resp.SupportedMech)) {
		return nil, false, false, fmt.Errorf("%w: the server chose mechanism %v, which was not offered", ErrAuthRefused, resp.SupportedMech)
	}
	var out []byte
	if !s.mechDone {
		if len(resp.ResponseToken) == 0 {
			return nil, false, false, fmt.Errorf("%w: SPNEGO reply without a mechanism token", ErrAuthRefused)
		}
		tok, _, done, err := s.mech.step(resp.ResponseToken)
		if err != nil {
			return nil, false, false, err
		}
		s.mechDone = done
		out = tok
	} else if len(resp.ResponseToken) > 0 {
		return nil, false, false, fmt.Errorf("%w: mechanism token after the mechanism finished", ErrSPNEGO)
	}
	if len(resp.MechListMIC) > 0 {
		if !s.mechDone {
			return nil, false, false, fmt.Errorf("%w: mechListMIC before the mechanism finished", ErrSPNEGO)
		}
		if err := s.mech.sealer().CheckMIC(s.mechTypes(), resp.MechListMIC); err != nil {
			return nil, false, false, fmt.Errorf("%w: %v", ErrAuthRefused, err)
		}
	} else if resp.State == NegAcceptCompleted && s.sentMIC {
		return nil, false, false, fmt.Errorf("%w: the server accepted without its mechListMIC", ErrAuthRefused)
	}
	if resp.State == NegAcceptCompleted {
		if !s.mechDone || out != nil {
			return nil, false, false, fmt.Errorf("%w: the server completed SPNEGO before the mechanism finished", ErrAuthRefused)
		}
		return nil, false, true, nil
	}
	next := &NegTokenResp{State: NegStateAbsent, ResponseToken: out}
	if s.mechDone && !s.sentMIC && (s.sendMIC || resp.State == NegRequestMIC || len(resp.MechListMIC) > 0) {
		mic, err := s.mech.sealer().MIC(s.mechTypes())
		if err != nil {
			return nil, false, false, err
		}
		next.MechListMIC, s.sentMIC = mic, true
	}
	if next.ResponseToken == nil && next.MechListMIC == nil {
		return nil, false, false, fmt.Errorf("%w: the server wants more, but SPNEGO has nothing to send", ErrAuthRefused)
	}
	return next.Marshal(), true, false, nil
}

func (s *spnegoInitiator) sealer() Sealer { return s.mech.sealer() }

package dcomtest

import (
	"encoding/asn1"
	"fmt"

	"github.com/cimsh/cimsh/cim/dcom/rpc"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

// identified is an established acceptor that knows its client's name.
type identified interface{ User() string }

// ntlmAcceptor is the project's NTLM acceptor (cim/wsmantest/ntlmserver)
// as an rpc.MechAcceptor: NEGOTIATE gives the CHALLENGE, AUTHENTICATE
// establishes the context, whose session security is rpc's NTLM.
type ntlmAcceptor struct {
	acc   *ntlmserver.Acceptor
	state int
	sec   *rpc.Security
	user  string
	mic   bool
}

func (a *ntlmAcceptor) Accept(in []byte) ([]byte, bool, error) {
	switch a.state {
	case 0:
		a.state = 1
		chal, err := a.acc.Negotiate(in)
		return chal, false, err
	case 1:
		a.state = 2
		ctx, err := a.acc.Authenticate(in)
		if err != nil {
			return nil, false, fmt.Errorf("NTLM: %w", err)
		}
		if a.sec, err = rpc.NewNTLMSecurity(ctx.Flags, ctx.ExportedSessionKey(), true); err != nil {
			return nil, false, err
		}
		a.user, a.mic = ctx.User, ctx.MIC
		return nil, true, nil
	}
	return nil, false, fmt.Errorf("%w: NTLM token after the handshake ended", rpc.ErrAuthRefused)
}

func (a *ntlmAcceptor) Sealer() rpc.Sealer { return a.sec }
func (a *ntlmAcceptor) NeedsMIC() bool     { return a.mic }
func (a *ntlmAcceptor) User() string       { return a.user }

// spnegoAcceptor adds the client's name to rpc's SPNEGO acceptor.
type spnegoAcceptor struct{ *rpc.SPNEGOAcceptor }

func (a spnegoAcceptor) User() string {
	if id, ok := a.Mech().(identified); ok {
		return id.User()
	}
	return ""
}

// newAcceptor returns the acceptor for an RPC authentication type, or
// nil when the server does not speak it (the bind is refused with
// "authentication type not recognized", as Windows does).
func (s *Server) newAcceptor(authType uint8) rpc.Acceptor {
	switch authType {
	case rpc.AuthWinNT:
		return &ntlmAcceptor{acc: s.ntlm.NewAcceptor()}
	case rpc.AuthKerberos:
		if s.opts.Keytab != nil {
			return &krbAcceptor{s: s}
		}
	case rpc.AuthNegotiate:
		return spnegoAcceptor{rpc.NewSPNEGOAcceptor(func(oid asn1.ObjectIdentifier) rpc.MechAcceptor {
			switch {
			case oid.Equal(rpc.OIDNTLM):
				return &ntlmAcceptor{acc: s.ntlm.NewAcceptor()}
			case (oid.Equal(rpc.OIDKerberos) || oid.Equal(rpc.OIDMSKerberos)) && s.opts.Keytab != nil:
				return &krbAcceptor{s: s}
			}
			return nil
		})}
	}
	return nil
}

// authName names an established context's authentication for the
// server's statistics: "ntlm", "spnego/ntlm", "spnego/ntlm+mic", ...
func authName(authType uint8, acc rpc.Acceptor) string {
	name := map[uint8]string{rpc.AuthWinNT: "ntlm", rpc.AuthKerberos: "kerberos", rpc.AuthNegotiate: "spnego"}[authType]
	if sp, ok := acc.(spnegoAcceptor); ok {
		switch sp.Mech().(type) {
		case *ntlmAcceptor:
			name += "/ntlm"
		default:
			name += "/kerberos"
		}
		if sp.MICChecked {
			name += "+mic"
		}
	}
	return name
}

package dcomtest

import (
	"encoding/binary"
	"fmt"

	"github.com/cimsh/cimsh/cim/dcom/rpc"
	"github.com/cimsh/cimsh/cim/internal/krb5gss"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/types"
)

// krbAcceptor is DCE-style Kerberos on the server, with gokrb5 checking
// the AP-REQ against the service keytab: the AP-REQ gets a raw AP-REP
// with a fresh subkey and sequence number; the client's AP-REP must
// decrypt with the ticket's session key and echo that sequence number
// (as Heimdal and Windows check). The subkey then keys the session.
type krbAcceptor struct {
	s     *Server
	state int

	sessionKey types.EncryptionKey
	subkey     types.EncryptionKey
	seq        int64
	peerSeq    int64
	user       string
	sec        *rpc.KerberosSecurity
}

func (a *krbAcceptor) Accept(in []byte) (out []byte, done bool, err error) {
	defer func() {
		if r := recover(); r != nil { // gokrb5's ASN.1 on hostile input
			out, done, err = nil, false, fmt.Errorf("%w: malformed token", rpc.ErrKerberos)
		}
	}()
	switch a.state {
	case 0:
		a.state = 1
		var req messages.APReq
		if err := req.Unmarshal(krb5gss.UnframeAPReq(in)); err != nil {
			return nil, false, fmt.Errorf("%w: not an AP-REQ: %v", rpc.ErrKerberos, err)
		}
		opts := []func(*service.Settings){service.DecodePAC(false)}
		if a.s.opts.SPN != "" {
			opts = append(opts, service.KeytabPrincipal(a.s.opts.SPN))
		}
		ok, creds, err := service.VerifyAPREQ(&req, service.NewSettings(a.s.opts.Keytab, opts...))
		if err != nil || !ok || creds == nil {
			return nil, false, fmt.Errorf("%w: %v", rpc.ErrKerberos, err)
		}
		if ck := req.Authenticator.Cksum.Checksum; len(ck) < 24 || binary.LittleEndian.Uint32(ck[20:])&rpc.GSSDCEStyle == 0 {
			return nil, false, fmt.Errorf("%w: the AP-REQ does not ask for DCE style, which DCE/RPC needs", rpc.ErrKerberos)
		}
		a.user = creds.UserName() + "@" + creds.Domain()
		a.sessionKey = req.Ticket.DecryptedEncPart.Key
		a.peerSeq = req.Authenticator.SeqNumber
		if a.subkey, err = krb5gss.NewSubkey(a.sessionKey); err != nil {
			return nil, false, err
		}
		if a.seq, err = krb5gss.NewSequenceNumber(); err != nil {
			return nil, false, err
		}
		rep, err := krb5gss.APRep(a.sessionKey, req.Authenticator.CTime, req.Authenticator.Cusec, &a.subkey, a.seq)
		return rep, false, err
	case 1:
		a.state = 2
		part, err := rpc.ReadAPRep(in, a.sessionKey)
		if err != nil {
			return nil, false, err
		}
		if part.SequenceNumber != a.seq {
			return nil, false, fmt.Errorf("%w: the client's AP-REP has sequence number %d, not the server's %d", rpc.ErrKerberos, part.SequenceNumber, a.seq)
		}
		if a.sec, err = rpc.NewKerberosSecurity(a.subkey, true, uint64(uint32(a.seq)), uint64(uint32(a.peerSeq))); err != nil {
			return nil, false, err
		}
		return nil, true, nil
	}
	return nil, false, fmt.Errorf("%w: Kerberos token after the handshake ended", rpc.ErrKerberos)
}

func (a *krbAcceptor) Sealer() rpc.Sealer { return a.sec }
func (a *krbAcceptor) NeedsMIC() bool     { return false }
func (a *krbAcceptor) User() string       { return a.user }

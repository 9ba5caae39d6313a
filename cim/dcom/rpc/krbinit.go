package rpc

import (
	"errors"
	"fmt"
	"time"

	"github.com/jcmturner/gokrb5/v8/gssapi"

	"github.com/cimsh/cimsh/cim/internal/krb5gss"
)

// krbInitiator is DCE-style Kerberos on the client: the AP-REQ (GSS-API
// framed, mutual authentication required, GSS_C_DCE_STYLE), then, given
// the server's AP-REP, the client's AP-REP echoing the server's sequence
// number. The server's AP-REP must decrypt with the ticket's session key
// and echo the authenticator's time (mutual authentication); its subkey
// keys the session.
type krbInitiator struct {
	cfg   *Config
	state int
	req   *krb5gss.APReq
	sec   *KerberosSecurity
}

// ErrNoKerberos is returned when Kerberos is asked for without a client.
var ErrNoKerberos = errors.New("rpc: Kerberos needs a logged-in client")

func newKrbInitiator(cfg *Config) (initiator, error) {
	if cfg.Kerberos == nil {
		return nil, ErrNoKerberos
	}
	if cfg.SPN == "" {
		return nil, fmt.Errorf("rpc: Kerberos needs a service principal name")
	}
	return &krbInitiator{cfg: cfg}, nil
}

func (k *krbInitiator) step(in []byte) ([]byte, bool, bool, error) {
	switch k.state {
	case 0:
		k.state = 1
		out, err := k.apReq()
		return out, true, false, err
	case 1:
		k.state = 2
		if len(in) == 0 {
			return nil, false, false, fmt.Errorf("%w: the server answered without a Kerberos AP-REP", ErrAuthRefused)
		}
		part, err := k.req.ReadAPRep(in)
		if errors.Is(err, krb5gss.ErrNotAnswered) {
			return nil, false, false, fmt.Errorf("%w: the AP-REP does not answer this AP-REQ: mutual authentication failed", ErrAuthRefused)
		}
		if err != nil {
			return nil, false, false, fmt.Errorf("%w: %v: %v", ErrAuthRefused, ErrKerberos, err)
		}
		if !krb5gss.HasSubkey(part) {
			return nil, false, false, fmt.Errorf("%w: DCE-style AP-REP without an acceptor subkey", ErrAuthRefused)
		}
		now := time.Now().UTC()
		out, err := krb5gss.APRep(k.req.Key, now, now.Nanosecond()/1000, nil, part.SequenceNumber)
		if err != nil {
			return nil, false, false, fmt.Errorf("rpc: Kerberos AP-REP: %w", err)
		}
		if k.sec, err = NewKerberosSecurity(part.Subkey, false, uint64(uint32(k.req.Seq)), uint64(uint32(part.SequenceNumber))); err != nil {
			return nil, false, false, err
		}
		return out, false, true, nil
	}
	return nil, false, false, fmt.Errorf("%w: Kerberos token after the handshake ended", ErrAuthRefused)
}

// apReq asks for the service ticket (from the cache after the first
// time) and builds the AP-REQ.
func (k *krbInitiator) apReq() ([]byte, error) {
	req, err := krb5gss.NewAPReq(k.cfg.Kerberos, k.cfg.SPN,
		[]int{gssapi.ContextFlagMutual, gssapi.ContextFlagReplay, gssapi.ContextFlagSequence, gssapi.ContextFlagConf, gssapi.ContextFlagInteg, GSSDCEStyle})
	var te *krb5gss.TicketError
	if errors.As(err, &te) {
		return nil, &KerberosError{SPN: te.SPN, Err: te.Err}
	}
	if err != nil {
		return nil, fmt.Errorf("rpc: Kerberos %w", err)
	}
	k.req = req
	return req.Token, nil
}

func (k *krbInitiator) sealer() Sealer { return k.sec }

// KerberosError is a failure to get a service ticket: the KDC refused,
// or knows no such service principal.
type KerberosError struct {
	SPN string
	Err error
}

func (e *KerberosError) Error() string {
	return fmt.Sprintf("rpc: Kerberos service ticket for %s: %v", e.SPN, e.Err)
}

func (e *KerberosError) Unwrap() error { return e.Err }

package rpc

import (
	"errors"
	"fmt"
	"time"

	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"
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

	sessionKey types.EncryptionKey
	ctime      time.Time
	cusec      int
	seq        int64
	sec        *KerberosSecurity
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
		part, err := ReadAPRep(in, k.sessionKey)
		if err != nil {
			return nil, false, false, fmt.Errorf("%w: %v", ErrAuthRefused, err)
		}
		if !part.CTime.Equal(k.ctime) || part.Cusec != k.cusec {
			return nil, false, false, fmt.Errorf("%w: the AP-REP does not answer this AP-REQ: mutual authentication failed", ErrAuthRefused)
		}
		if part.Subkey.KeyType == 0 || len(part.Subkey.KeyValue) == 0 {
			return nil, false, false, fmt.Errorf("%w: DCE-style AP-REP without an acceptor subkey", ErrAuthRefused)
		}
		now := time.Now().UTC()
		out, err := APRep(k.sessionKey, now, now.Nanosecond()/1000, nil, part.SequenceNumber)
		if err != nil {
			return nil, false, false, fmt.Errorf("rpc: Kerberos AP-REP: %w", err)
		}
		if k.sec, err = NewKerberosSecurity(part.Subkey, false, uint64(uint32(k.seq)), uint64(uint32(part.SequenceNumber))); err != nil {
			return nil, false, false, err
		}
		return out, false, true, nil
	}
	return nil, false, false, fmt.Errorf("%w: Kerberos token after the handshake ended", ErrAuthRefused)
}

// apReq asks for the service ticket (from the cache after the first
// time) and builds the AP-REQ.
func (k *krbInitiator) apReq() (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil { // gokrb5 on a hostile KDC reply
			out, err = nil, fmt.Errorf("rpc: Kerberos: malformed ticket")
		}
	}()
	cl := k.cfg.Kerberos
	tkt, key, err := cl.GetServiceTicket(k.cfg.SPN)
	if err != nil {
		return nil, &KerberosError{SPN: k.cfg.SPN, Err: err}
	}
	tok, err := spnego.NewKRB5TokenAPREQ(cl, tkt, key,
		[]int{gssapi.ContextFlagMutual, gssapi.ContextFlagReplay, gssapi.ContextFlagSequence, gssapi.ContextFlagConf, gssapi.ContextFlagInteg, GSSDCEStyle},
		[]int{flags.APOptionMutualRequired})
	if err != nil {
		return nil, fmt.Errorf("rpc: Kerberos AP-REQ for %s: %w", k.cfg.SPN, err)
	}
	if err := tok.APReq.DecryptAuthenticator(key); err != nil {
		return nil, fmt.Errorf("rpc: Kerberos AP-REQ for %s: %w", k.cfg.SPN, err)
	}
	a := tok.APReq.Authenticator
	k.sessionKey, k.ctime, k.cusec, k.seq = key, a.CTime, a.Cusec, a.SeqNumber
	return tok.Marshal()
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

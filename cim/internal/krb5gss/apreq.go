package krb5gss

import (
	"errors"
	"fmt"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"
)

// APReq is an initiator's first token and what it must remember to
// check the AP-REP and to key the context: the ticket's session key and
// the authenticator's time and sequence number.
type APReq struct {
	// Token is the AP-REQ in GSS-API framing (RFC 1964 1.1).
	Token []byte
	Key   types.EncryptionKey
	CTime time.Time
	Cusec int
	Seq   int64
}

// TicketError is a failure to get a service ticket: the KDC refused, or
// knows no such service principal.
type TicketError struct {
	SPN string
	Err error
}

func (e *TicketError) Error() string { return fmt.Sprintf("service ticket for %s: %v", e.SPN, e.Err) }
func (e *TicketError) Unwrap() error { return e.Err }

// NewAPReq asks cl for a ticket for spn (from its cache after the first
// time) and builds an AP-REQ that requires mutual authentication, with
// the GSS-API context flags gssFlags in the authenticator's checksum.
func NewAPReq(cl *client.Client, spn string, gssFlags []int) (req *APReq, err error) {
	defer func() {
		if r := recover(); r != nil { // gokrb5 on a hostile KDC reply
			req, err = nil, errors.New("malformed ticket")
		}
	}()
	tkt, key, err := cl.GetServiceTicket(spn)
	if err != nil {
		return nil, &TicketError{SPN: spn, Err: err}
	}
	tok, err := spnego.NewKRB5TokenAPREQ(cl, tkt, key, gssFlags, []int{flags.APOptionMutualRequired})
	if err != nil {
		return nil, fmt.Errorf("AP-REQ for %s: %w", spn, err)
	}
	if err := tok.APReq.DecryptAuthenticator(key); err != nil {
		return nil, fmt.Errorf("AP-REQ for %s: %w", spn, err)
	}
	b, err := tok.Marshal()
	if err != nil {
		return nil, fmt.Errorf("AP-REQ token: %w", err)
	}
	a := tok.APReq.Authenticator
	return &APReq{Token: b, Key: key, CTime: a.CTime, Cusec: a.Cusec, Seq: a.SeqNumber}, nil
}

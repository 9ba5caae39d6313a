package krb5gss

import (
	"bytes"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	gasn1 "github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/asn1tools"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/iana/asnAppTag"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/iana/msgtype"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"
)

// The Kerberos mechanism's object identifiers: RFC 1964's, and the one
// Windows also offers.
var (
	OIDKerberos   = asn1.ObjectIdentifier{1, 2, 840, 113554, 1, 2, 2}
	OIDMSKerberos = asn1.ObjectIdentifier{1, 2, 840, 48018, 1, 2, 2}
)

// IsKerberos reports whether mech is one of Kerberos' two OIDs.
func IsKerberos(mech asn1.ObjectIdentifier) bool {
	return mech.Equal(OIDKerberos) || mech.Equal(OIDMSKerberos)
}

// GSS-API token IDs of the Kerberos mechanism (RFC 1964 1.1).
var (
	TokAPReq = [2]byte{1, 0}
	TokAPRep = [2]byte{2, 0}
)

// ErrNotAnswered is an AP-REP that does not echo the authenticator's
// time: it was not made for this AP-REQ, or not by the service.
var ErrNotAnswered = errors.New("the AP-REP does not answer the AP-REQ: mutual authentication failed")

// encAPRepPart is EncAPRepPart (RFC 4120 5.5.2) as both sides send it:
// the acceptor with its subkey, the initiator (DCE style) without.
type encAPRepPart struct {
	CTime          time.Time           `asn1:"generalized,explicit,tag:0"`
	Cusec          int                 `asn1:"explicit,tag:1"`
	Subkey         types.EncryptionKey `asn1:"optional,explicit,tag:2"`
	SequenceNumber int64               `asn1:"explicit,tag:3"`
}

// APRep builds a raw AP-REP whose encrypted part, under the ticket's
// session key, holds ctime/cusec, the subkey (if any) and seq.
func APRep(sessionKey types.EncryptionKey, ctime time.Time, cusec int, subkey *types.EncryptionKey, seq int64) ([]byte, error) {
	part := encAPRepPart{CTime: ctime.UTC().Truncate(time.Second), Cusec: cusec, SequenceNumber: seq}
	if subkey != nil {
		part.Subkey = *subkey
	}
	b, err := gasn1.Marshal(part)
	if err != nil {
		return nil, err
	}
	b = asn1tools.AddASNAppTag(b, asnAppTag.EncAPRepPart)
	ed, err := crypto.GetEncryptedData(b, sessionKey, keyusage.AP_REP_ENCPART, 0)
	if err != nil {
		return nil, err
	}
	rep, err := gasn1.Marshal(messages.APRep{PVNO: 5, MsgType: msgtype.KRB_AP_REP, EncPart: ed})
	if err != nil {
		return nil, err
	}
	return asn1tools.AddASNAppTag(rep, asnAppTag.APREP), nil
}

// Frame puts a Kerberos token in GSS-API InitialContextToken framing
// with the given token ID.
func Frame(id [2]byte, tok []byte) []byte {
	oid, _ := gasn1.Marshal(gasn1.ObjectIdentifier(OIDKerberos)) // a fixed OID always encodes
	return asn1tools.AddASNAppTag(append(append(oid, id[:]...), tok...), 0)
}

// unframe strips the GSS-API framing of a Kerberos token with the given
// token ID, reporting whether it was framed so.
func unframe(tok []byte, id [2]byte) ([]byte, bool) {
	var outer asn1.RawValue
	if rest, err := asn1.Unmarshal(tok, &outer); err != nil || len(rest) > 0 || outer.Class != asn1.ClassApplication || outer.Tag != 0 {
		return nil, false
	}
	var oid asn1.ObjectIdentifier
	inner, err := asn1.Unmarshal(outer.Bytes, &oid)
	if err != nil || !IsKerberos(oid) || len(inner) < 2 || !bytes.Equal(inner[:2], id[:]) {
		return nil, false
	}
	return inner[2:], true
}

// UnframeAPReq returns the AP-REQ of a first Kerberos token, framed (as
// MIT and Windows send it) or raw (which DCE style allows).
func UnframeAPReq(tok []byte) []byte {
	if inner, ok := unframe(tok, TokAPReq); ok {
		return inner
	}
	return tok
}

// ReadAPRep decrypts an AP-REP (raw, or in GSS-API framing) with the
// ticket's session key.
func ReadAPRep(tok []byte, sessionKey types.EncryptionKey) (part *messages.EncAPRepPart, err error) {
	defer func() {
		if r := recover(); r != nil { // gokrb5's ASN.1 on hostile input
			part, err = nil, errors.New("malformed AP-REP")
		}
	}()
	if inner, ok := unframe(tok, TokAPRep); ok {
		tok = inner
	}
	var rep messages.APRep
	if err := rep.Unmarshal(tok); err != nil {
		return nil, fmt.Errorf("not an AP-REP: %v", err)
	}
	b, err := crypto.DecryptEncPart(rep.EncPart, sessionKey, keyusage.AP_REP_ENCPART)
	if err != nil {
		return nil, fmt.Errorf("AP-REP: %v", err)
	}
	part = &messages.EncAPRepPart{}
	if err := part.Unmarshal(b); err != nil {
		return nil, fmt.Errorf("AP-REP: %v", err)
	}
	return part, nil
}

// ReadAPRep reads the acceptor's answer to r and checks that it echoes
// the authenticator's time, which only the service could have done
// (ErrNotAnswered otherwise).
func (r *APReq) ReadAPRep(tok []byte) (*messages.EncAPRepPart, error) {
	part, err := ReadAPRep(tok, r.Key)
	if err != nil {
		return nil, err
	}
	if !part.CTime.Equal(r.CTime) || part.Cusec != r.Cusec {
		return nil, ErrNotAnswered
	}
	return part, nil
}

// HasSubkey reports whether an AP-REP carries an acceptor subkey.
func HasSubkey(part *messages.EncAPRepPart) bool {
	return part.Subkey.KeyType != 0 && len(part.Subkey.KeyValue) > 0
}

// NewSubkey draws a random key of the session key's type.
func NewSubkey(sessionKey types.EncryptionKey) (types.EncryptionKey, error) {
	et, err := crypto.GetEtype(sessionKey.KeyType)
	if err != nil {
		return types.EncryptionKey{}, err
	}
	b := make([]byte, et.GetKeyByteSize())
	if _, err := rand.Read(b); err != nil {
		return types.EncryptionKey{}, err
	}
	return types.EncryptionKey{KeyType: sessionKey.KeyType, KeyValue: et.RandomToKey(b)}, nil
}

// NewSequenceNumber draws an initial sequence number, as MIT does, below
// 2^30 so that every implementation's signed handling agrees.
func NewSequenceNumber() (int64, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1<<30))
	if err != nil {
		return 0, err
	}
	return n.Int64() + 1, nil
}

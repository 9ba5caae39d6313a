package rpc

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
	krbcrypto "github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/iana/asnAppTag"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/iana/msgtype"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"
)

// Kerberos in DCE/RPC is "DCE style" (RFC 4121 with GSS_C_DCE_STYLE, as
// Windows, MIT and impacket run it): three legs, an AP-REQ asking for
// mutual authentication, the acceptor's AP-REP carrying a subkey and its
// sequence number, and the initiator's own AP-REP echoing that sequence
// number. The AP-REPs travel raw, without the GSS-API framing of the
// first token. These helpers build and read the AP-REPs for both sides.

// GSSDCEStyle is GSS_C_DCE_STYLE in the authenticator checksum's flags.
const GSSDCEStyle = 0x1000

// ErrKerberos wraps every Kerberos token the peer sent that is refused.
var ErrKerberos = errors.New("rpc: Kerberos token refused")

// encAPRepPart is EncAPRepPart (RFC 4120 5.5.2) as both sides send it:
// the acceptor with its subkey, the initiator without.
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
	ed, err := krbcrypto.GetEncryptedData(b, sessionKey, keyusage.AP_REP_ENCPART, 0)
	if err != nil {
		return nil, err
	}
	rep, err := gasn1.Marshal(messages.APRep{PVNO: 5, MsgType: msgtype.KRB_AP_REP, EncPart: ed})
	if err != nil {
		return nil, err
	}
	return asn1tools.AddASNAppTag(rep, asnAppTag.APREP), nil
}

// ReadAPRep decrypts an AP-REP (raw, or in GSS-API framing) with the
// ticket's session key.
func ReadAPRep(tok []byte, sessionKey types.EncryptionKey) (part *messages.EncAPRepPart, err error) {
	defer func() {
		if r := recover(); r != nil { // gokrb5's ASN.1 on hostile input
			part, err = nil, fmt.Errorf("%w: malformed AP-REP", ErrKerberos)
		}
	}()
	if inner, ok := unframe(tok, tokAPRep); ok {
		tok = inner
	}
	var rep messages.APRep
	if err := rep.Unmarshal(tok); err != nil {
		return nil, fmt.Errorf("%w: not an AP-REP: %v", ErrKerberos, err)
	}
	b, err := krbcrypto.DecryptEncPart(rep.EncPart, sessionKey, keyusage.AP_REP_ENCPART)
	if err != nil {
		return nil, fmt.Errorf("%w: AP-REP: %v", ErrKerberos, err)
	}
	part = &messages.EncAPRepPart{}
	if err := part.Unmarshal(b); err != nil {
		return nil, fmt.Errorf("%w: AP-REP: %v", ErrKerberos, err)
	}
	return part, nil
}

// GSS-API token IDs of the Kerberos mechanism (RFC 1964 1.1).
var (
	tokAPReq = []byte{1, 0}
	tokAPRep = []byte{2, 0}
)

// unframe strips the GSS-API InitialContextToken framing of a Kerberos
// token with the given token ID, reporting whether it was framed so.
func unframe(tok, id []byte) ([]byte, bool) {
	var outer asn1.RawValue
	if rest, err := asn1.Unmarshal(tok, &outer); err != nil || len(rest) > 0 || outer.Class != asn1.ClassApplication || outer.Tag != 0 {
		return nil, false
	}
	var oid asn1.ObjectIdentifier
	inner, err := asn1.Unmarshal(outer.Bytes, &oid)
	if err != nil || !isKerberos(oid) || len(inner) < 2 || !bytes.Equal(inner[:2], id) {
		return nil, false
	}
	return inner[2:], true
}

// UnframeAPReq returns the AP-REQ of a first Kerberos token, framed (as
// MIT and Windows send it) or raw (which DCE style allows).
func UnframeAPReq(tok []byte) []byte {
	if inner, ok := unframe(tok, tokAPReq); ok {
		return inner
	}
	return tok
}

// NewSubkey draws a random key of the session key's type.
func NewSubkey(sessionKey types.EncryptionKey) (types.EncryptionKey, error) {
	et, err := krbcrypto.GetEtype(sessionKey.KeyType)
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

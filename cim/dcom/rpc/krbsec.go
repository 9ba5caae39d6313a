package rpc

import (
	"fmt"

	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/cimsh/cimsh/cim/internal/krb5gss"
)

// KerberosSecurity protects DCE/RPC PDUs with RFC 4121 per-message
// tokens (cim/internal/krb5gss) as MS-KILE 3.4.5.4.1 binds them to
// GSS_WrapEx for DCE/RPC (without header signing, which this package
// does not negotiate):
//
//   - packet privacy: a wrap token (0x0504) whose header and rotated
//     trailer are the auth value while the stub and its padding are
//     encrypted in place; EC is one block (16 filler bytes, as Windows
//     sends) and the rotation is RRC+EC with RRC 28. Received tokens may
//     carry any EC (impacket pads to the block, Windows sends 16).
//   - packet integrity: a MIC token (0x0404) over the stub and padding.
//
// Each direction keeps its sequence number; DCE style always uses the
// acceptor's subkey, which every token's flags announce.
type KerberosSecurity struct{ c *krb5gss.Context }

// The wrap token layout of DCE style.
const (
	krbRRC = 28
	krbEC  = 16
)

// NewKerberosSecurity returns the session of one end: key is the
// acceptor's subkey; sendSeq and recvSeq are the first sequence numbers
// (the initiator's is its authenticator's, the acceptor's its AP-REP's).
// Only the AES types (RFC 3962, RFC 8009) are supported.
func NewKerberosSecurity(key types.EncryptionKey, acceptor bool, sendSeq, recvSeq uint64) (*KerberosSecurity, error) {
	c, err := krb5gss.New(krb5gss.Config{Key: key, AcceptorSubkey: true, Acceptor: acceptor, SendSeq: sendSeq, RecvSeq: recvSeq, DCE: true})
	if err != nil {
		return nil, fmt.Errorf("rpc: Kerberos %w", err)
	}
	return &KerberosSecurity{c: c}, nil
}

// AuthLen is the wrap token's size at packet privacy, the MIC token's
// at packet integrity.
func (k *KerberosSecurity) AuthLen(level uint8) int {
	if level == LevelPrivacy {
		return k.c.WrapOverhead(krbEC)
	}
	return k.c.MICLen()
}

// Protect signs or seals a fragment whose auth value (AuthLen bytes)
// follows the sec_trailer at end.
func (k *KerberosSecurity) Protect(pdu []byte, level uint8, start, end int) error {
	return k.protect(pdu, level, start, end, krbEC)
}

// protect is Protect with ec filler bytes in a wrap token (the auth
// value is then AuthLen-krbEC+ec bytes).
func (k *KerberosSecurity) protect(pdu []byte, level uint8, start, end, ec int) error {
	auth := end + secTrailerLen
	want := k.AuthLen(level)
	if level == LevelPrivacy {
		want += ec - krbEC
	}
	if start > end || auth+want != len(pdu) {
		return fmt.Errorf("rpc: PDU of %d bytes has no room for a Kerberos token", len(pdu))
	}
	if level != LevelPrivacy {
		tok, err := k.c.MIC(pdu[start:end])
		if err != nil {
			return fmt.Errorf("rpc: Kerberos MIC: %w", err)
		}
		copy(pdu[auth:], tok)
		return nil
	}
	tok, err := k.c.Wrap(pdu[start:end], ec, krbRRC)
	if err != nil {
		return fmt.Errorf("rpc: Kerberos wrap: %w", err)
	}
	split := len(tok) - (end - start)
	copy(pdu[auth:], tok[:split])
	copy(pdu[start:end], tok[split:])
	return nil
}

// Verify checks (and at privacy level decrypts in place) a received
// fragment whose auth value follows the sec_trailer at end.
func (k *KerberosSecurity) Verify(pdu []byte, level uint8, start, end int) error {
	auth := end + secTrailerLen
	if start > end || auth+krb5gss.HeaderLen > len(pdu) {
		return fmt.Errorf("%w: Kerberos token of %d bytes", ErrSignature, len(pdu)-auth)
	}
	if level != LevelPrivacy {
		if err := k.c.VerifyMIC(pdu[start:end], pdu[auth:]); err != nil {
			return fmt.Errorf("%w: Kerberos MIC: %v", ErrSignature, err)
		}
		return nil
	}
	if err := k.c.UnwrapInPlace(pdu[auth:], pdu[start:end]); err != nil {
		return fmt.Errorf("%w: Kerberos wrap token: %v", ErrSignature, err)
	}
	return nil
}

// MIC makes SPNEGO's mechListMIC: a MIC token, which takes a sequence
// number like any other.
func (k *KerberosSecurity) MIC(data []byte) ([]byte, error) { return k.c.MIC(data) }

// CheckMIC verifies the peer's mechListMIC.
func (k *KerberosSecurity) CheckMIC(data, mic []byte) error {
	if err := k.c.VerifyMIC(data, mic); err != nil {
		return fmt.Errorf("%w: SPNEGO mechListMIC does not verify", ErrSignature)
	}
	return nil
}

var _ Sealer = (*KerberosSecurity)(nil)

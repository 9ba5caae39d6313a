// Package krbwrap lays out Kerberos (RFC 4121 CFX) wrap tokens as WinRM
// seals messages with them, for both ends of a connection: the client
// transport is the initiator, the test server's authentication layer
// the acceptor. The tokens themselves are cim/internal/krb5gss's.
//
// The layout is the one Windows uses for
// HTTP-SPNEGO-session-encrypted bodies: confidentiality on, no padding
// (EC 0), and a right rotation (RRC) of the header copy and checksum, so
// that the part after the token is exactly as long as the message and the
// token (the "signature" of the multipart framing) is 60 bytes for AES.
package krbwrap

import (
	"errors"
	"fmt"

	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/cimsh/cimsh/cim/internal/krb5gss"
)

// ErrRefused wraps every reason a token is refused.
var ErrRefused = errors.New("krbwrap: wrap token refused")

// Wrapper seals outgoing and unseals incoming messages of one security
// context, keeping both sequence numbers. It is safe for concurrent use.
type Wrapper struct{ c *krb5gss.Context }

// New returns a Wrapper for key, on the acceptor's side or the
// initiator's, with the first sequence numbers to send and to expect.
// acceptorSubkey says the key is the subkey the acceptor sent in its
// AP-REP (the flag every token then carries). Only the AES types are
// supported: RC4-HMAC and DES use the older RFC 1964/4757 tokens.
func New(key types.EncryptionKey, acceptor, acceptorSubkey bool, sendSeq, recvSeq uint64) (*Wrapper, error) {
	c, err := krb5gss.New(krb5gss.Config{Key: key, Acceptor: acceptor, AcceptorSubkey: acceptorSubkey, SendSeq: sendSeq, RecvSeq: recvSeq})
	if err != nil {
		return nil, fmt.Errorf("krbwrap: %w", err)
	}
	return &Wrapper{c: c}, nil
}

// Wrap seals msg and returns the token (header, rotated trailer and
// confounder) and the encrypted data, as long as msg.
func (w *Wrapper) Wrap(msg []byte) (sig, sealedMsg []byte, err error) {
	// The rotation Windows uses: the header copy and the checksum.
	tok, err := w.c.Wrap(msg, 0, krb5gss.HeaderLen+w.c.ChecksumLen())
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	split := len(tok) - len(msg)
	return tok[:split], tok[split:], nil
}

// Unwrap checks and decrypts a token from the other end, given as its
// signature part and the encrypted data after it: header fields,
// direction, key flag, sequence number, checksum and header copy.
func (w *Wrapper) Unwrap(sig, sealedMsg []byte) ([]byte, error) {
	plain, err := w.c.Unwrap(sig, sealedMsg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	return plain, nil
}

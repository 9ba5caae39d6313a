// Package krbwrap seals and unseals WinRM messages with Kerberos (RFC 4121
// CFX) wrap tokens, for both ends of a connection: the client transport is
// the initiator, the test server's authentication layer the acceptor.
//
// The layout is the one Windows uses for
// HTTP-SPNEGO-session-encrypted bodies: confidentiality on, no padding
// (EC 0), and a right rotation (RRC) of the header copy and checksum, so
// that the part after the token is exactly as long as the message and the
// token (the "signature" of the multipart framing) is 60 bytes for AES.
package krbwrap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/crypto/etype"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/types"
)

// RFC 4121 section 4.2.6.2: the wrap token header.
const (
	tokenID           = 0x0504
	headerLen         = 16
	flagSentByAccept  = 0x01
	flagSealed        = 0x02
	flagAcceptorSubky = 0x04
)

// ErrRefused wraps every reason a token is refused.
var ErrRefused = errors.New("krbwrap: wrap token refused")

// Wrapper seals outgoing and unseals incoming messages of one security
// context, keeping both sequence numbers. It is safe for concurrent use.
type Wrapper struct {
	mu       sync.Mutex
	key      types.EncryptionKey
	et       etype.EType
	acceptor bool // this end is the acceptor (the server)
	subkey   bool // key is the acceptor's subkey
	sendSeq  uint64
	recvSeq  uint64
}

// New returns a Wrapper for key, on the acceptor's side or the
// initiator's, with the first sequence numbers to send and to expect.
// acceptorSubkey says the key is the subkey the acceptor sent in its
// AP-REP (the flag every token then carries). Only the AES types are
// supported: RC4-HMAC and DES use the older RFC 1964/4757 tokens.
func New(key types.EncryptionKey, acceptor, acceptorSubkey bool, sendSeq, recvSeq uint64) (*Wrapper, error) {
	switch key.KeyType {
	case 17, 18, 19, 20: // RFC 3962 and RFC 8009
	default:
		return nil, fmt.Errorf("krbwrap: encryption type %d is not supported (use AES)", key.KeyType)
	}
	et, err := crypto.GetEtype(key.KeyType)
	if err != nil {
		return nil, fmt.Errorf("krbwrap: %w", err)
	}
	return &Wrapper{key: key, et: et, acceptor: acceptor, subkey: acceptorSubkey, sendSeq: sendSeq, recvSeq: recvSeq}, nil
}

// rrc is the rotation Windows uses: the header copy and the checksum.
func (w *Wrapper) rrc() int { return headerLen + w.et.GetHMACBitLength()/8 }

// usages returns the key usages for sealing and for unsealing.
func (w *Wrapper) usages() (seal, unseal uint32) {
	if w.acceptor {
		return keyusage.GSSAPI_ACCEPTOR_SEAL, keyusage.GSSAPI_INITIATOR_SEAL
	}
	return keyusage.GSSAPI_INITIATOR_SEAL, keyusage.GSSAPI_ACCEPTOR_SEAL
}

// flags returns the flags of a token sent by the acceptor or not.
func (w *Wrapper) flags(byAcceptor bool) byte {
	f := byte(flagSealed)
	if byAcceptor {
		f |= flagSentByAccept
	}
	if w.subkey {
		f |= flagAcceptorSubky
	}
	return f
}

func header(flags byte, rrc int, seq uint64) []byte {
	h := make([]byte, headerLen)
	binary.BigEndian.PutUint16(h, tokenID)
	h[2] = flags
	h[3] = 0xff
	// h[4:6] EC = 0: AES needs no padding.
	binary.BigEndian.PutUint16(h[6:], uint16(rrc))
	binary.BigEndian.PutUint64(h[8:], seq)
	return h
}

// Wrap seals msg and returns the token (header, rotated trailer and
// confounder) and the encrypted data, as long as msg.
func (w *Wrapper) Wrap(msg []byte) (sig, sealedMsg []byte, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	seal, _ := w.usages()
	flags := w.flags(w.acceptor)
	// The encrypted copy of the header carries RRC 0 (RFC 4121 4.2.5).
	plain := append(append(make([]byte, 0, len(msg)+headerLen), msg...), header(flags, 0, w.sendSeq)...)
	_, ct, err := w.et.EncryptMessage(w.key.KeyValue, plain, seal)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	rrc := w.rrc()
	token := append(header(flags, rrc, w.sendSeq), rotateRight(ct, rrc)...)
	w.sendSeq++
	split := len(token) - len(msg)
	return token[:split], token[split:], nil
}

// Unwrap checks and decrypts a token from the other end, given as its
// signature part and the encrypted data after it: header fields,
// direction, key flag, sequence number, checksum and header copy.
func (w *Wrapper) Unwrap(sig, sealedMsg []byte) (plain []byte, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	defer func() {
		if r := recover(); r != nil { // gokrb5's decryption on hostile input
			plain, err = nil, fmt.Errorf("%w: malformed token", ErrRefused)
		}
	}()
	if len(sig) < headerLen {
		return nil, fmt.Errorf("%w: %d-byte token", ErrRefused, len(sig))
	}
	hdr := sig[:headerLen]
	if binary.BigEndian.Uint16(hdr) != tokenID || hdr[3] != 0xff {
		return nil, fmt.Errorf("%w: not a CFX wrap token", ErrRefused)
	}
	if want := w.flags(!w.acceptor); hdr[2] != want {
		return nil, fmt.Errorf("%w: flags %#x, want %#x", ErrRefused, hdr[2], want)
	}
	ec := int(binary.BigEndian.Uint16(hdr[4:]))
	rrc := int(binary.BigEndian.Uint16(hdr[6:]))
	if seq := binary.BigEndian.Uint64(hdr[8:]); seq != w.recvSeq {
		return nil, fmt.Errorf("%w: sequence number %d, want %d", ErrRefused, seq, w.recvSeq)
	}
	body := make([]byte, 0, len(sig)-headerLen+len(sealedMsg))
	body = append(append(body, sig[headerLen:]...), sealedMsg...)
	if min := w.et.GetConfounderByteSize() + ec + headerLen + w.et.GetHMACBitLength()/8; len(body) < min {
		return nil, fmt.Errorf("%w: %d bytes of ciphertext, want at least %d", ErrRefused, len(body), min)
	}
	body = rotateRight(body, len(body)-rrc%len(body)) // undo the right rotation
	_, unseal := w.usages()
	pt, err := w.et.DecryptMessage(w.key.KeyValue, body, unseal)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	if len(pt) < ec+headerLen {
		return nil, fmt.Errorf("%w: plaintext shorter than its header", ErrRefused)
	}
	want := append([]byte(nil), hdr...)
	want[6], want[7] = 0, 0
	if !bytes.Equal(pt[len(pt)-headerLen:], want) {
		return nil, fmt.Errorf("%w: header copy does not match", ErrRefused)
	}
	w.recvSeq++
	return pt[:len(pt)-headerLen-ec], nil
}

// rotateRight returns b rotated right by n bytes (RFC 4121 4.2.5).
func rotateRight(b []byte, n int) []byte {
	if len(b) == 0 {
		return nil
	}
	n %= len(b)
	out := make([]byte, 0, len(b))
	return append(append(out, b[len(b)-n:]...), b[:len(b)-n]...)
}

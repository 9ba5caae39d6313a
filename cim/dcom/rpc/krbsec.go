package rpc

import (
	"bytes"
	"crypto/hmac"
	"encoding/binary"
	"fmt"
	"sync"

	krbcrypto "github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/crypto/etype"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/types"
)

// KerberosSecurity protects DCE/RPC PDUs with RFC 4121 per-message
// tokens as MS-KILE 3.4.5.4.1 binds them to GSS_WrapEx for DCE/RPC
// (without header signing, which this package does not negotiate):
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
type KerberosSecurity struct {
	mu       sync.Mutex
	key      types.EncryptionKey
	et       etype.EType
	acceptor bool
	sendSeq  uint64
	recvSeq  uint64
}

// RFC 4121 4.2.2 token flags and layout.
const (
	krbSentByAcceptor = 0x01
	krbSealed         = 0x02
	krbAcceptorSubkey = 0x04
	krbHeaderLen      = 16
	krbRRC            = 28
	krbEC             = 16
)

// NewKerberosSecurity returns the session of one end: key is the
// acceptor's subkey; sendSeq and recvSeq are the first sequence numbers
// (the initiator's is its authenticator's, the acceptor's its AP-REP's).
// Only the AES types (RFC 3962, RFC 8009) are supported.
func NewKerberosSecurity(key types.EncryptionKey, acceptor bool, sendSeq, recvSeq uint64) (*KerberosSecurity, error) {
	switch key.KeyType {
	case 17, 18, 19, 20:
	default:
		return nil, fmt.Errorf("rpc: Kerberos encryption type %d is not supported (use AES)", key.KeyType)
	}
	et, err := krbcrypto.GetEtype(key.KeyType)
	if err != nil {
		return nil, fmt.Errorf("rpc: Kerberos: %w", err)
	}
	return &KerberosSecurity{key: key, et: et, acceptor: acceptor, sendSeq: sendSeq, recvSeq: recvSeq}, nil
}

func (k *KerberosSecurity) hmacLen() int { return k.et.GetHMACBitLength() / 8 }

// AuthLen is the wrap token's size at packet privacy, the MIC token's
// at packet integrity.
func (k *KerberosSecurity) AuthLen(level uint8) int {
	if level == LevelPrivacy {
		return krbHeaderLen + k.et.GetConfounderByteSize() + krbEC + krbHeaderLen + k.hmacLen()
	}
	return krbHeaderLen + k.hmacLen()
}

func (k *KerberosSecurity) flags(fromAcceptor, sealed bool) byte {
	f := byte(krbAcceptorSubkey)
	if fromAcceptor {
		f |= krbSentByAcceptor
	}
	if sealed {
		f |= krbSealed
	}
	return f
}

func (k *KerberosSecurity) usages(sign bool) (send, recv uint32) {
	if sign {
		send, recv = keyusage.GSSAPI_INITIATOR_SIGN, keyusage.GSSAPI_ACCEPTOR_SIGN
	} else {
		send, recv = keyusage.GSSAPI_INITIATOR_SEAL, keyusage.GSSAPI_ACCEPTOR_SEAL
	}
	if k.acceptor {
		send, recv = recv, send
	}
	return send, recv
}

func wrapHeader(flags byte, ec, rrc int, seq uint64) []byte {
	h := make([]byte, krbHeaderLen)
	h[0], h[1], h[2], h[3] = 0x05, 0x04, flags, 0xff
	binary.BigEndian.PutUint16(h[4:], uint16(ec))
	binary.BigEndian.PutUint16(h[6:], uint16(rrc))
	binary.BigEndian.PutUint64(h[8:], seq)
	return h
}

func micHeader(flags byte, seq uint64) []byte {
	h := []byte{0x04, 0x04, flags, 0xff, 0xff, 0xff, 0xff, 0xff}
	return binary.BigEndian.AppendUint64(h, seq)
}

// mic computes a MIC token over data with sequence number seq.
func (k *KerberosSecurity) mic(data []byte, fromAcceptor bool, seq uint64, usage uint32) ([]byte, error) {
	h := micHeader(k.flags(fromAcceptor, false), seq)
	sum, err := k.et.GetChecksumHash(k.key.KeyValue, append(append([]byte(nil), data...), h...), usage)
	if err != nil {
		return nil, err
	}
	return append(h, sum[:k.hmacLen()]...), nil
}

// Protect signs or seals a fragment whose auth value (AuthLen bytes)
// follows the sec_trailer at end.
func (k *KerberosSecurity) Protect(pdu []byte, level uint8, start, end int) error {
	return k.protect(pdu, level, start, end, krbEC)
}

// protect is Protect with ec filler bytes in a wrap token (the auth
// value is then AuthLen-krbEC+ec bytes).
func (k *KerberosSecurity) protect(pdu []byte, level uint8, start, end, ec int) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	auth := end + secTrailerLen
	want := k.AuthLen(level)
	if level == LevelPrivacy {
		want += ec - krbEC
	}
	if start > end || auth+want != len(pdu) {
		return fmt.Errorf("rpc: PDU of %d bytes has no room for a Kerberos token", len(pdu))
	}
	sendUse, _ := k.usages(level != LevelPrivacy)
	if level != LevelPrivacy {
		tok, err := k.mic(pdu[start:end], k.acceptor, k.sendSeq, sendUse)
		if err != nil {
			return fmt.Errorf("rpc: Kerberos MIC: %w", err)
		}
		copy(pdu[auth:], tok)
		k.sendSeq++
		return nil
	}
	flags := k.flags(k.acceptor, true)
	plain := make([]byte, 0, end-start+ec+krbHeaderLen)
	plain = append(plain, pdu[start:end]...)
	plain = append(plain, make([]byte, ec)...)
	plain = append(plain, wrapHeader(flags, ec, 0, k.sendSeq)...)
	_, ct, err := k.et.EncryptMessage(k.key.KeyValue, plain, sendUse)
	if err != nil {
		return fmt.Errorf("rpc: Kerberos wrap: %w", err)
	}
	ct = rotateRight(ct, krbRRC+ec)
	split := len(ct) - (end - start)
	copy(pdu[auth:], wrapHeader(flags, ec, krbRRC, k.sendSeq))
	copy(pdu[auth+krbHeaderLen:], ct[:split])
	copy(pdu[start:end], ct[split:])
	k.sendSeq++
	return nil
}

// Verify checks (and at privacy level decrypts in place) a received
// fragment whose auth value follows the sec_trailer at end.
func (k *KerberosSecurity) Verify(pdu []byte, level uint8, start, end int) (err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	defer func() {
		if r := recover(); r != nil { // gokrb5's decryption on hostile input
			err = fmt.Errorf("%w: malformed Kerberos token", ErrSignature)
		}
	}()
	auth := end + secTrailerLen
	if start > end || auth+krbHeaderLen > len(pdu) {
		return fmt.Errorf("%w: Kerberos token of %d bytes", ErrSignature, len(pdu)-auth)
	}
	tok := pdu[auth:]
	_, recvUse := k.usages(level != LevelPrivacy)
	if level != LevelPrivacy {
		if len(tok) != krbHeaderLen+k.hmacLen() || tok[0] != 0x04 || tok[1] != 0x04 {
			return fmt.Errorf("%w: not a Kerberos MIC token", ErrSignature)
		}
		want, err := k.mic(pdu[start:end], !k.acceptor, k.recvSeq, recvUse)
		if err != nil {
			return err
		}
		if !hmac.Equal(tok, want) {
			return fmt.Errorf("%w: Kerberos MIC, sequence number %d", ErrSignature, k.recvSeq)
		}
		k.recvSeq++
		return nil
	}
	hdr := tok[:krbHeaderLen]
	if hdr[0] != 0x05 || hdr[1] != 0x04 || hdr[3] != 0xff {
		return fmt.Errorf("%w: not a Kerberos wrap token", ErrSignature)
	}
	if want := k.flags(!k.acceptor, true); hdr[2] != want {
		return fmt.Errorf("%w: wrap token flags %#x, want %#x", ErrSignature, hdr[2], want)
	}
	ec := int(binary.BigEndian.Uint16(hdr[4:]))
	rrc := int(binary.BigEndian.Uint16(hdr[6:]))
	if seq := binary.BigEndian.Uint64(hdr[8:]); seq != k.recvSeq {
		return fmt.Errorf("%w: wrap token sequence number %d, want %d", ErrSignature, seq, k.recvSeq)
	}
	body := make([]byte, 0, len(tok)-krbHeaderLen+end-start)
	body = append(append(body, tok[krbHeaderLen:]...), pdu[start:end]...)
	if len(body) < k.et.GetConfounderByteSize()+ec+krbHeaderLen+k.hmacLen() {
		return fmt.Errorf("%w: wrap token too short", ErrSignature)
	}
	body = rotateRight(body, len(body)-(rrc+ec)%len(body))
	plain, err := k.et.DecryptMessage(k.key.KeyValue, body, recvUse)
	if err != nil {
		return fmt.Errorf("%w: Kerberos wrap token: %v", ErrSignature, err)
	}
	if len(plain) != end-start+ec+krbHeaderLen {
		return fmt.Errorf("%w: wrap token of %d bytes for a %d-byte stub", ErrSignature, len(plain), end-start)
	}
	copyHdr := plain[len(plain)-krbHeaderLen:]
	want := append([]byte(nil), hdr...)
	want[6], want[7] = 0, 0 // the encrypted copy carries RRC 0
	if !bytes.Equal(copyHdr, want) {
		return fmt.Errorf("%w: wrap token header copy does not match", ErrSignature)
	}
	copy(pdu[start:end], plain[:end-start])
	k.recvSeq++
	return nil
}

// MIC makes SPNEGO's mechListMIC: a MIC token, which takes a sequence
// number like any other.
func (k *KerberosSecurity) MIC(data []byte) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	sendUse, _ := k.usages(true)
	tok, err := k.mic(data, k.acceptor, k.sendSeq, sendUse)
	if err != nil {
		return nil, err
	}
	k.sendSeq++
	return tok, nil
}

// CheckMIC verifies the peer's mechListMIC.
func (k *KerberosSecurity) CheckMIC(data, mic []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, recvUse := k.usages(true)
	want, err := k.mic(data, !k.acceptor, k.recvSeq, recvUse)
	if err != nil {
		return err
	}
	if !hmac.Equal(mic, want) {
		return fmt.Errorf("%w: SPNEGO mechListMIC does not verify", ErrSignature)
	}
	k.recvSeq++
	return nil
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

var _ Sealer = (*KerberosSecurity)(nil)

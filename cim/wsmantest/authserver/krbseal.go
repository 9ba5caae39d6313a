package authserver

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/crypto/etype"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/types"
)

// RFC 4121 4.2.6.2 wrap token constants.
const (
	wrapTokenID        = 0x0504
	wrapHeaderLen      = 16
	flagSentByAcceptor = 0x01
	flagSealed         = 0x02
	flagAcceptorSubkey = 0x04
)

var errKrbSeal = errors.New("authserver: kerberos wrap token refused")

// krbSession seals and unseals WinRM messages with RFC 4121 (CFX) wrap
// tokens under the acceptor subkey sent in the AP-REP, as Windows does.
type krbSession struct {
	mu      sync.Mutex
	key     types.EncryptionKey
	et      etype.EType
	sendSeq uint64
	recvSeq uint64
}

// newAcceptorSubkey draws a random key of the ticket session key's type.
func newAcceptorSubkey(sessionKey types.EncryptionKey) (types.EncryptionKey, etype.EType, error) {
	et, err := crypto.GetEtype(sessionKey.KeyType)
	if err != nil {
		return types.EncryptionKey{}, nil, err
	}
	b := make([]byte, et.GetKeyByteSize())
	if _, err := rand.Read(b); err != nil {
		return types.EncryptionKey{}, nil, err
	}
	return types.EncryptionKey{KeyType: sessionKey.KeyType, KeyValue: et.RandomToKey(b)}, et, nil
}

// rrc is the right rotation count that puts the confounder, the header
// copy and the checksum in front of the encrypted data, so that what
// follows the "signature" is exactly as long as the plaintext (the
// layout MS-WSMV and Windows use: 60-byte signatures for AES).
func (s *krbSession) rrc() int {
	return wrapHeaderLen + s.et.GetHMACBitLength()/8
}

// Seal wraps msg (acceptor to initiator) and returns the signature part
// (token header, rotated trailer and confounder) and the encrypted data.
func (s *krbSession) Seal(msg []byte) (sig, sealedData []byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	hdr := make([]byte, wrapHeaderLen)
	binary.BigEndian.PutUint16(hdr, wrapTokenID)
	hdr[2] = flagSentByAcceptor | flagSealed | flagAcceptorSubkey
	hdr[3] = 0xff
	// EC = 0: AES needs no padding. RRC is zero in the encrypted copy.
	binary.BigEndian.PutUint64(hdr[8:], s.sendSeq)
	plain := append(append([]byte(nil), msg...), hdr...)
	_, ct, err := s.et.EncryptMessage(s.key.KeyValue, plain, keyusage.GSSAPI_ACCEPTOR_SEAL)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errKrbSeal, err)
	}
	rrc := s.rrc()
	binary.BigEndian.PutUint16(hdr[6:], uint16(rrc))
	rot := rotateRight(ct, rrc)
	s.sendSeq++
	split := len(rot) - len(msg)
	token := append(hdr, rot[:split]...)
	return token, rot[split:], nil
}

// Unseal checks and decrypts an initiator's wrap token given as its
// signature part and the encrypted data that follows it.
func (s *krbSession) Unseal(sig, sealedData []byte) (plain []byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() {
		if p := recover(); p != nil { // gokrb5's decryption on hostile input
			plain, err = nil, fmt.Errorf("%w: malformed", errKrbSeal)
		}
	}()
	if len(sig) < wrapHeaderLen {
		return nil, fmt.Errorf("%w: %d-byte token", errKrbSeal, len(sig))
	}
	hdr := sig[:wrapHeaderLen]
	if binary.BigEndian.Uint16(hdr) != wrapTokenID || hdr[3] != 0xff {
		return nil, fmt.Errorf("%w: not a CFX wrap token", errKrbSeal)
	}
	flags := hdr[2]
	if flags&flagSentByAcceptor != 0 || flags&flagSealed == 0 || flags&flagAcceptorSubkey == 0 {
		return nil, fmt.Errorf("%w: flags %#x", errKrbSeal, flags)
	}
	ec := int(binary.BigEndian.Uint16(hdr[4:]))
	rrc := int(binary.BigEndian.Uint16(hdr[6:]))
	seq := binary.BigEndian.Uint64(hdr[8:])
	if seq != s.recvSeq {
		return nil, fmt.Errorf("%w: sequence number %d, want %d", errKrbSeal, seq, s.recvSeq)
	}
	body := append(append([]byte(nil), sig[wrapHeaderLen:]...), sealedData...)
	min := s.et.GetConfounderByteSize() + ec + wrapHeaderLen + s.et.GetHMACBitLength()/8
	if len(body) < min {
		return nil, fmt.Errorf("%w: %d bytes of ciphertext", errKrbSeal, len(body))
	}
	if len(body) > 0 {
		body = rotateRight(body, len(body)-rrc%len(body)) // rotate left by RRC
	}
	pt, err := s.et.DecryptMessage(s.key.KeyValue, body, keyusage.GSSAPI_INITIATOR_SEAL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errKrbSeal, err)
	}
	if len(pt) < ec+wrapHeaderLen {
		return nil, fmt.Errorf("%w: short plaintext", errKrbSeal)
	}
	inner := pt[len(pt)-wrapHeaderLen:]
	want := append([]byte(nil), hdr...)
	want[6], want[7] = 0, 0 // the encrypted copy carries RRC 0
	if !bytes.Equal(inner, want) {
		return nil, fmt.Errorf("%w: header copy mismatch", errKrbSeal)
	}
	s.recvSeq++
	return pt[:len(pt)-wrapHeaderLen-ec], nil
}

// rotateRight returns b rotated right by n bytes (RFC 4121 4.2.5).
func rotateRight(b []byte, n int) []byte {
	if len(b) == 0 {
		return nil
	}
	n %= len(b)
	out := make([]byte, 0, len(b))
	out = append(out, b[len(b)-n:]...)
	return append(out, b[:len(b)-n]...)
}

package rpc

import (
	"crypto/hmac"
	"crypto/rc4"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/cimsh/cimsh/cim/internal/ntlmsec"
)

// ErrSignature reports a PDU whose NTLM signature does not verify.
var ErrSignature = errors.New("rpc: message signature mismatch")

// Security is the NTLM session security of one RPC security context
// (MS-NLMP 3.4 with extended session security, as DCE/RPC applies it:
// the stub and auth padding are sealed, and the signature covers the
// whole PDU up to the auth value with the stub in plaintext). Each
// direction has its own sealing handle and sequence number.
type Security struct {
	mu                 sync.Mutex
	flags              uint32
	sendSeq, recvSeq   uint32
	sendSign, recvSign []byte
	sendRC4, recvRC4   *rc4.Cipher
}

// NewNTLMSecurity derives the session security for the exported session
// key and negotiated flags; server selects the acceptor's direction.
// Only NTLM2 (extended session security) is supported, as Windows
// requires of NTLMv2.
func NewNTLMSecurity(flags uint32, exportedKey []byte, server bool) (*Security, error) {
	if flags&ntlmsec.FlagExtendedSessionSecurity == 0 {
		return nil, fmt.Errorf("rpc: NTLM without extended session security is not supported")
	}
	if len(exportedKey) != 16 {
		return nil, fmt.Errorf("rpc: NTLM session key of %d bytes", len(exportedKey))
	}
	s := &Security{flags: flags}
	sendSeal := ntlmsec.SealKey(flags, exportedKey, ntlmsec.ClientSealingMagic)
	recvSeal := ntlmsec.SealKey(flags, exportedKey, ntlmsec.ServerSealingMagic)
	s.sendSign = ntlmsec.SignKey(flags, exportedKey, ntlmsec.ClientSigningMagic)
	s.recvSign = ntlmsec.SignKey(flags, exportedKey, ntlmsec.ServerSigningMagic)
	if server {
		sendSeal, recvSeal = recvSeal, sendSeal
		s.sendSign, s.recvSign = s.recvSign, s.sendSign
	}
	s.sendRC4, _ = rc4.NewCipher(sendSeal)
	s.recvRC4, _ = rc4.NewCipher(recvSeal)
	return s, nil
}

func (s *Security) mac(handle *rc4.Cipher, key []byte, seq uint32, msg []byte) []byte {
	return ntlmsec.MAC(s.flags, handle, key, seq, msg)
}

// AuthLen is the size of an NTLM signature, at either level.
func (s *Security) AuthLen(uint8) int { return ntlmsec.SignatureLen }

// Protect signs (and at privacy level seals) a PDU built with a 16-byte
// auth value at its end; [start, end) is the stub and its padding.
func (s *Security) Protect(pdu []byte, level uint8, start, end int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(pdu) - ntlmsec.SignatureLen
	if n < end || start > end {
		return fmt.Errorf("rpc: PDU of %d bytes has no room for an NTLM signature", len(pdu))
	}
	var sig []byte
	if level == LevelPrivacy {
		plain := append([]byte(nil), pdu[:n]...)
		s.sendRC4.XORKeyStream(pdu[start:end], pdu[start:end])
		sig = s.mac(s.sendRC4, s.sendSign, s.sendSeq, plain)
	} else {
		sig = s.mac(s.sendRC4, s.sendSign, s.sendSeq, pdu[:n])
	}
	s.sendSeq++
	copy(pdu[n:], sig)
	return nil
}

// Verify checks (and at privacy level first unseals, in place) a
// received PDU whose auth value is its last 16 bytes.
func (s *Security) Verify(pdu []byte, level uint8, start, end int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(pdu) - ntlmsec.SignatureLen
	if n < start || end > n || start > end {
		return fmt.Errorf("%w: auth value of %d bytes", ErrSignature, len(pdu)-end)
	}
	if level == LevelPrivacy {
		s.recvRC4.XORKeyStream(pdu[start:end], pdu[start:end])
	}
	want := s.mac(s.recvRC4, s.recvSign, s.recvSeq, pdu[:n])
	got := pdu[n:]
	if binary.LittleEndian.Uint32(got) != 1 || !hmac.Equal(got[4:], want[4:]) {
		return fmt.Errorf("%w: sequence number %d", ErrSignature, s.recvSeq)
	}
	s.recvSeq++
	return nil
}

// MIC signs data for SPNEGO's mechListMIC (GSS_GetMIC in the sending
// direction). The sequence number advances, but the sealing handle is
// restored afterwards (MS-SPNG 3.3.5.1): the first PDU is protected
// with the same RC4 key state the MIC used, as Windows and Samba do.
func (s *Security) MIC(data []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	saved := *s.sendRC4
	sig := s.mac(s.sendRC4, s.sendSign, s.sendSeq, data)
	*s.sendRC4 = saved
	s.sendSeq++
	return sig, nil
}

// CheckMIC verifies the peer's mechListMIC over data (GSS_VerifyMIC),
// restoring the receiving handle as MIC does on the other side.
func (s *Security) CheckMIC(data, mic []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	saved := *s.recvRC4
	want := s.mac(s.recvRC4, s.recvSign, s.recvSeq, data)
	*s.recvRC4 = saved
	if len(mic) != ntlmsec.SignatureLen || binary.LittleEndian.Uint32(mic) != 1 || !hmac.Equal(mic[4:], want[4:]) {
		return fmt.Errorf("%w: SPNEGO mechListMIC does not verify", ErrSignature)
	}
	s.recvSeq++
	return nil
}

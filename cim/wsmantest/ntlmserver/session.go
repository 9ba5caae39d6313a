package ntlmserver

import (
	"crypto/hmac"
	"crypto/rc4"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/cimsh/cimsh/cim/internal/ntlmsec"
)

// SignatureLen is the length of an NTLMSSP_MESSAGE_SIGNATURE.
const SignatureLen = ntlmsec.SignatureLen

// Session is the connection-oriented session security of MS-NLMP 3.4:
// one RC4 stream and sequence number per direction. It is safe for
// concurrent use, but messages must be unsealed in the order they were
// sealed, since RC4 and the sequence numbers run on.
type Session struct {
	mu              sync.Mutex
	flags           uint32
	sendSeq         uint32
	recvSeq         uint32
	sendSignKey     []byte
	recvSignKey     []byte
	sendRC4         *rc4.Cipher
	recvRC4         *rc4.Cipher
	broken          bool
	sealingPossible bool
}

// Without extended session security (NTLMv1) both directions use the
// same sealing key, each with its own RC4 handle, as MS-NLMP 3.4 reads.
//
// NewSession derives the session security for an exported session key
// and negotiated flags. acceptor selects the direction: the acceptor seals
// with the server-to-client keys and unseals with the client-to-server
// ones; an initiator does the opposite (used by tests against the
// specification's client-side examples).
func NewSession(flags uint32, exportedSessionKey []byte, acceptor bool) (*Session, error) {
	if len(exportedSessionKey) != 16 {
		return nil, fmt.Errorf("%w: session key of %d bytes, want 16", ErrMalformed, len(exportedSessionKey))
	}
	clientSeal := ntlmsec.SealKey(flags, exportedSessionKey, ntlmsec.ClientSealingMagic)
	serverSeal := ntlmsec.SealKey(flags, exportedSessionKey, ntlmsec.ServerSealingMagic)
	clientSign := ntlmsec.SignKey(flags, exportedSessionKey, ntlmsec.ClientSigningMagic)
	serverSign := ntlmsec.SignKey(flags, exportedSessionKey, ntlmsec.ServerSigningMagic)
	s := &Session{flags: flags, sealingPossible: flags&FlagSeal != 0}
	sendSeal, recvSeal := clientSeal, serverSeal
	s.sendSignKey, s.recvSignKey = clientSign, serverSign
	if acceptor {
		sendSeal, recvSeal = serverSeal, clientSeal
		s.sendSignKey, s.recvSignKey = serverSign, clientSign
	}
	var err error
	if s.sendRC4, err = rc4.NewCipher(sendSeal); err != nil {
		return nil, fmt.Errorf("ntlmserver: sealing key: %w", err)
	}
	if s.recvRC4, err = rc4.NewCipher(recvSeal); err != nil {
		return nil, fmt.Errorf("ntlmserver: sealing key: %w", err)
	}
	return s, nil
}

// Flags returns the negotiated flags the session was derived with.
func (s *Session) Flags() uint32 { return s.flags }

// Seal encrypts msg for the peer and returns the sealed bytes and the
// 16-byte signature. It fails when sealing was not negotiated.
func (s *Session) Seal(msg []byte) (sealed, signature []byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.sealingPossible {
		return nil, nil, ErrNoConfidentiality
	}
	if s.broken {
		return nil, nil, fmt.Errorf("%w: session unusable after a failed verification", ErrSignature)
	}
	sealed = make([]byte, len(msg))
	s.sendRC4.XORKeyStream(sealed, msg)
	signature = ntlmsec.MAC(s.flags, s.sendRC4, s.sendSignKey, s.sendSeq, msg)
	s.sendSeq++
	return sealed, signature, nil
}

// Unseal decrypts a sealed message from the peer and verifies its
// signature and sequence number. After a failure the session is unusable
// (the RC4 streams are out of step) and every later call fails.
func (s *Session) Unseal(sealed, signature []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.sealingPossible {
		return nil, ErrNoConfidentiality
	}
	if s.broken {
		return nil, fmt.Errorf("%w: session unusable after a failed verification", ErrSignature)
	}
	if len(signature) != SignatureLen {
		s.broken = true
		return nil, fmt.Errorf("%w: signature of %d bytes, want %d", ErrSignature, len(signature), SignatureLen)
	}
	plain := make([]byte, len(sealed))
	s.recvRC4.XORKeyStream(plain, sealed)
	want := ntlmsec.MAC(s.flags, s.recvRC4, s.recvSignKey, s.recvSeq, plain)
	from := 4
	if s.flags&FlagExtendedSessionSecurity == 0 {
		from = 8 // RandomPad carries nothing
	}
	if binary.LittleEndian.Uint32(signature) != 1 || !hmac.Equal(signature[from:], want[from:]) {
		s.broken = true
		return nil, fmt.Errorf("%w: sequence number %d", ErrSignature, s.recvSeq)
	}
	s.recvSeq++
	return plain, nil
}

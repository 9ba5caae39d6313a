package ntlmserver

import (
	"crypto/hmac"
	"crypto/rc4"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"sync"
)

// Magic constants for key derivation (MS-NLMP 3.4.5.2, 3.4.5.3); each
// ends with a NUL byte.
var (
	clientSigningMagic = []byte("session key to client-to-server signing key magic constant\x00")
	serverSigningMagic = []byte("session key to server-to-client signing key magic constant\x00")
	clientSealingMagic = []byte("session key to client-to-server sealing key magic constant\x00")
	serverSealingMagic = []byte("session key to server-to-client sealing key magic constant\x00")
)

// SignatureLen is the length of an NTLMSSP_MESSAGE_SIGNATURE.
const SignatureLen = 16

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
	clientSeal := sealKey(flags, exportedSessionKey, clientSealingMagic)
	serverSeal := sealKey(flags, exportedSessionKey, serverSealingMagic)
	clientSign := signKey(flags, exportedSessionKey, clientSigningMagic)
	serverSign := signKey(flags, exportedSessionKey, serverSigningMagic)
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

// sealKey is SEALKEY (MS-NLMP 3.4.5.3).
func sealKey(flags uint32, key, magic []byte) []byte {
	switch {
	case flags&FlagExtendedSessionSecurity != 0:
		k := key
		switch {
		case flags&Flag128 != 0:
		case flags&Flag56 != 0:
			k = key[:7]
		default:
			k = key[:5]
		}
		return md5Of(k, magic)
	case flags&FlagLMKey != 0:
		if flags&Flag56 != 0 {
			return append(append([]byte{}, key[:7]...), 0xa0)
		}
		return append(append([]byte{}, key[:5]...), 0xe5, 0x38, 0xb0)
	default:
		return append([]byte{}, key...)
	}
}

// signKey is SIGNKEY (MS-NLMP 3.4.5.2); without extended session security
// there is no signing key (the signature is a CRC32).
func signKey(flags uint32, key, magic []byte) []byte {
	if flags&FlagExtendedSessionSecurity == 0 {
		return nil
	}
	return md5Of(key, magic)
}

// mac computes an NTLMSSP_MESSAGE_SIGNATURE (MS-NLMP 3.4.4) over the
// plaintext msg, advancing the RC4 handle as the specification does.
func mac(flags uint32, handle *rc4.Cipher, signKey []byte, seq uint32, msg []byte) []byte {
	sig := make([]byte, SignatureLen)
	binary.LittleEndian.PutUint32(sig, 1)
	var seqBytes [4]byte
	binary.LittleEndian.PutUint32(seqBytes[:], seq)
	if flags&FlagExtendedSessionSecurity != 0 {
		checksum := hmacMD5(signKey, seqBytes[:], msg)[:8]
		if flags&FlagKeyExch != 0 {
			handle.XORKeyStream(checksum, checksum)
		}
		copy(sig[4:12], checksum)
		copy(sig[12:16], seqBytes[:])
		return sig
	}
	// NTLMv1 without extended session security: RandomPad, CRC32 and a
	// zero sequence each pass through RC4; the pad is then zeroed and the
	// sequence number XORed in.
	var pad [4]byte
	handle.XORKeyStream(pad[:], pad[:])
	var crc [4]byte
	binary.LittleEndian.PutUint32(crc[:], crc32.ChecksumIEEE(msg))
	handle.XORKeyStream(crc[:], crc[:])
	var zero [4]byte
	handle.XORKeyStream(zero[:], zero[:])
	copy(sig[8:12], crc[:])
	binary.LittleEndian.PutUint32(sig[12:], binary.LittleEndian.Uint32(zero[:])^seq)
	return sig
}

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
	signature = mac(s.flags, s.sendRC4, s.sendSignKey, s.sendSeq, msg)
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
	want := mac(s.flags, s.recvRC4, s.recvSignKey, s.recvSeq, plain)
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

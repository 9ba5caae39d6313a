// Package ntlmsec is NTLM's session security (MS-NLMP 3.4): the sealing
// and signing keys derived from the exported session key, the message
// signature with its sequence number, and the NTLMv2 one-way functions
// the keys start from. DCE/RPC's NTLM (cim/dcom/rpc, client and test
// server) and the WS-Man test server's acceptor (cim/wsmantest/ntlmserver)
// use it; they differ in what a signature covers (DCE/RPC signs the
// whole PDU around a stub sealed in place, WinRM the message it seals),
// which stays with them. The WS-Man client uses bodgit/ntlmssp's own
// session, whose layout is WinRM's.
package ntlmsec

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rc4"
	"encoding/binary"
	"hash/crc32"
	"strings"
	"unicode/utf16"

	"golang.org/x/crypto/md4" //nolint:staticcheck // NTLM's NT hash is MD4 by specification
)

// The negotiate flags (MS-NLMP 2.2.2.5) the session security depends on.
const (
	FlagSign                    uint32 = 0x00000010
	FlagSeal                    uint32 = 0x00000020
	FlagLMKey                   uint32 = 0x00000080
	FlagExtendedSessionSecurity uint32 = 0x00080000
	Flag128                     uint32 = 0x20000000
	FlagKeyExch                 uint32 = 0x40000000
	Flag56                      uint32 = 0x80000000
)

// SignatureLen is the length of an NTLMSSP_MESSAGE_SIGNATURE.
const SignatureLen = 16

// Magic constants of the key derivations (MS-NLMP 3.4.5.2, 3.4.5.3);
// each ends with a NUL byte.
var (
	ClientSigningMagic = []byte("session key to client-to-server signing key magic constant\x00")
	ServerSigningMagic = []byte("session key to server-to-client signing key magic constant\x00")
	ClientSealingMagic = []byte("session key to client-to-server sealing key magic constant\x00")
	ServerSealingMagic = []byte("session key to server-to-client sealing key magic constant\x00")
)

// SealKey is SEALKEY (MS-NLMP 3.4.5.3).
func SealKey(flags uint32, key, magic []byte) []byte {
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
		return MD5(k, magic)
	case flags&FlagLMKey != 0:
		if flags&Flag56 != 0 {
			return append(append([]byte{}, key[:7]...), 0xa0)
		}
		return append(append([]byte{}, key[:5]...), 0xe5, 0x38, 0xb0)
	default:
		return append([]byte{}, key...)
	}
}

// SignKey is SIGNKEY (MS-NLMP 3.4.5.2); without extended session
// security there is no signing key (the signature is a CRC32).
func SignKey(flags uint32, key, magic []byte) []byte {
	if flags&FlagExtendedSessionSecurity == 0 {
		return nil
	}
	return MD5(key, magic)
}

// MAC computes an NTLMSSP_MESSAGE_SIGNATURE (MS-NLMP 3.4.4) over the
// plaintext msg, advancing the RC4 handle as the specification does.
func MAC(flags uint32, handle *rc4.Cipher, signKey []byte, seq uint32, msg []byte) []byte {
	sig := make([]byte, SignatureLen)
	binary.LittleEndian.PutUint32(sig, 1)
	var seqBytes [4]byte
	binary.LittleEndian.PutUint32(seqBytes[:], seq)
	if flags&FlagExtendedSessionSecurity != 0 {
		checksum := HMACMD5(signKey, seqBytes[:], msg)[:8]
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

// NTOWFv1 is MD4(UNICODE(Passwd)) (MS-NLMP 3.3.1), the NT hash.
func NTOWFv1(password string) []byte {
	h := md4.New()
	h.Write(UTF16(password))
	return h.Sum(nil)
}

// NTOWFv2 is HMAC_MD5(NT hash, UNICODE(Uppercase(User) + UserDom))
// (MS-NLMP 3.3.2).
func NTOWFv2(ntHash []byte, user, domain string) []byte {
	return HMACMD5(ntHash, UTF16(strings.ToUpper(user)+domain))
}

// HMACMD5 is HMAC-MD5 of the concatenated data.
func HMACMD5(key []byte, data ...[]byte) []byte {
	h := hmac.New(md5.New, key)
	for _, d := range data {
		h.Write(d)
	}
	return h.Sum(nil)
}

// MD5 is MD5 of the concatenated data.
func MD5(data ...[]byte) []byte {
	h := md5.New()
	for _, d := range data {
		h.Write(d)
	}
	return h.Sum(nil)
}

// UTF16 encodes s as UTF-16LE without a terminator, as NTLM's Unicode
// strings are.
func UTF16(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

package rpc

import (
	"crypto/rc4"
	"encoding/binary"
	"fmt"
	"unicode/utf16"

	"github.com/bodgit/ntlmssp"

	"github.com/cimsh/cimsh/cim/internal/ntlmsec"
)

// ntlmInitiator runs the client side of NTLM with bodgit/ntlmssp (which
// builds the messages, MIC included) and recovers the exported session
// key from its AUTHENTICATE message: RPC needs the key to sign the PDU
// layout DCE/RPC uses, which bodgit's own session does not offer.
type ntlmInitiator struct {
	c        *ntlmssp.Client
	password string
	flags    uint32
	key      []byte
}

func newNTLMInitiator(user, domain, password string) (*ntlmInitiator, error) {
	c, err := ntlmssp.NewClient(ntlmssp.SetUserInfo(user, password), ntlmssp.SetDomain(domain),
		ntlmssp.SetVersion(ntlmssp.DefaultVersion()))
	if err != nil {
		return nil, fmt.Errorf("rpc: NTLM: %w", err)
	}
	return &ntlmInitiator{c: c, password: password}, nil
}

func (n *ntlmInitiator) negotiate() ([]byte, error) { return n.c.Authenticate(nil, nil) }

func (n *ntlmInitiator) authenticate(challenge []byte) ([]byte, error) {
	msg, err := n.c.Authenticate(challenge, nil)
	if err != nil {
		return nil, fmt.Errorf("rpc: NTLM challenge: %w", err)
	}
	if err := n.recoverKey(msg); err != nil {
		return nil, err
	}
	return msg, nil
}

// recoverKey derives the exported session key of an NTLMv2 AUTHENTICATE
// message (MS-NLMP 3.3.2): ResponseKeyNT from the password, user and
// domain as sent; the session base key from the NTProofStr; then the
// random session key decrypted with it when KEY_EXCH was negotiated.
func (n *ntlmInitiator) recoverKey(msg []byte) error {
	field := func(off int) []byte {
		if len(msg) < off+8 {
			return nil
		}
		l := int(binary.LittleEndian.Uint16(msg[off:]))
		o := int(binary.LittleEndian.Uint32(msg[off+4:]))
		if o+l > len(msg) {
			return nil
		}
		return msg[o : o+l]
	}
	if len(msg) < 64 {
		return fmt.Errorf("rpc: NTLM AUTHENTICATE of %d bytes", len(msg))
	}
	n.flags = binary.LittleEndian.Uint32(msg[60:])
	nt := field(20)
	if len(nt) <= 24 {
		return fmt.Errorf("rpc: NTLM: only NTLMv2 is supported")
	}
	dec := func(b []byte) string {
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(b[2*i:])
		}
		return string(utf16.Decode(u))
	}
	domain, user := dec(field(28)), dec(field(36))
	responseKey := ntlmsec.NTOWFv2(ntlmsec.NTOWFv1(n.password), user, domain)
	kx := ntlmsec.HMACMD5(responseKey, nt[:16])
	n.key = kx
	if n.flags&ntlmsec.FlagKeyExch != 0 {
		enc := field(52)
		if len(enc) != 16 {
			return fmt.Errorf("rpc: NTLM: encrypted session key of %d bytes", len(enc))
		}
		c, _ := rc4.NewCipher(kx)
		n.key = make([]byte, 16)
		c.XORKeyStream(n.key, enc)
	}
	return nil
}

package transport

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

// RFC 4121 section 4.2.6.2: the CFX wrap token header.
const (
	cfxWrapID         = 0x0504
	cfxHeaderLen      = 16
	cfxSentByAcceptor = 0x01
	cfxSealed         = 0x02
	cfxAcceptorSubkey = 0x04
)

// krbSealer seals WinRM messages with RFC 4121 wrap tokens, as Windows
// does for HTTP-SPNEGO-session-encrypted bodies: confidentiality on,
// no padding (EC 0) and a right rotation (RRC) of the header copy and
// checksum, so that the part after the token is exactly as long as the
// message and the token ("signature") is 60 bytes for AES-SHA1.
type krbSealer struct {
	mu        sync.Mutex
	key       types.EncryptionKey // the acceptor subkey, or the ticket session key
	et        etype.EType
	subkey    bool // key is the acceptor's subkey: flag AcceptorSubkey
	sendSeq   uint64
	recvSeq   uint64
	protoName string
}

func newKrbSealer(key types.EncryptionKey, acceptorSubkey bool, sendSeq, recvSeq uint64, protocol string) (*krbSealer, error) {
	et, err := crypto.GetEtype(key.KeyType)
	if err != nil {
		return nil, fmt.Errorf("kerberos sealing: %w", err)
	}
	switch key.KeyType {
	case 17, 18, 19, 20: // the AES types of RFC 3962 and RFC 8009
	default:
		// RC4-HMAC and DES use the older RFC 1964/4757 token format.
		return nil, fmt.Errorf("kerberos sealing: encryption type %d is not supported (use AES)", key.KeyType)
	}
	return &krbSealer{key: key, et: et, subkey: acceptorSubkey, sendSeq: sendSeq, recvSeq: recvSeq, protoName: protocol}, nil
}

func (k *krbSealer) protocol() string { return k.protoName }

// rrc is the rotation Windows uses: the header copy and the checksum.
func (k *krbSealer) rrc() int { return cfxHeaderLen + k.et.GetHMACBitLength()/8 }

func (k *krbSealer) header(flags byte, rrc int, seq uint64) []byte {
	h := make([]byte, cfxHeaderLen)
	binary.BigEndian.PutUint16(h, cfxWrapID)
	h[2] = flags
	h[3] = 0xff
	// h[4:6] EC = 0
	binary.BigEndian.PutUint16(h[6:], uint16(rrc))
	binary.BigEndian.PutUint64(h[8:], seq)
	return h
}

// wrap seals msg from the initiator (key usage 24).
func (k *krbSealer) wrap(msg []byte) (sig, sealedMsg []byte, err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	flags := byte(cfxSealed)
	if k.subkey {
		flags |= cfxAcceptorSubkey
	}
	// The encrypted copy of the header carries RRC 0 (RFC 4121 4.2.5).
	inner := k.header(flags, 0, k.sendSeq)
	_, ct, err := k.et.EncryptMessage(k.key.KeyValue, append(append(make([]byte, 0, len(msg)+cfxHeaderLen), msg...), inner...), keyusage.GSSAPI_INITIATOR_SEAL)
	if err != nil {
		return nil, nil, err
	}
	rrc := k.rrc()
	token := append(k.header(flags, rrc, k.sendSeq), rotate(ct, rrc)...)
	k.sendSeq++
	split := len(token) - len(msg)
	return token[:split], token[split:], nil
}

// unwrap checks and decrypts a wrap token from the acceptor (key usage
// 22): its header fields, sequence number, checksum and header copy.
func (k *krbSealer) unwrap(sig, sealedMsg []byte) (plain []byte, err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	defer func() {
		if r := recover(); r != nil { // gokrb5 on hostile input
			plain, err = nil, errors.New("kerberos unseal failed: malformed token")
		}
	}()
	if len(sig) < cfxHeaderLen {
		return nil, fmt.Errorf("kerberos wrap token of %d bytes", len(sig))
	}
	hdr := sig[:cfxHeaderLen]
	if binary.BigEndian.Uint16(hdr) != cfxWrapID || hdr[3] != 0xff {
		return nil, errors.New("not a kerberos CFX wrap token")
	}
	flags := hdr[2]
	if flags&cfxSentByAcceptor == 0 || flags&cfxSealed == 0 {
		return nil, fmt.Errorf("kerberos wrap token flags %#x: not sealed by the acceptor", flags)
	}
	if (flags&cfxAcceptorSubkey != 0) != k.subkey {
		return nil, fmt.Errorf("kerberos wrap token flags %#x: wrong key", flags)
	}
	ec := int(binary.BigEndian.Uint16(hdr[4:]))
	rrc := int(binary.BigEndian.Uint16(hdr[6:]))
	if seq := binary.BigEndian.Uint64(hdr[8:]); seq != k.recvSeq {
		return nil, fmt.Errorf("kerberos sequence number %d, want %d", seq, k.recvSeq)
	}
	body := make([]byte, 0, len(sig)-cfxHeaderLen+len(sealedMsg))
	body = append(append(body, sig[cfxHeaderLen:]...), sealedMsg...)
	if min := k.et.GetConfounderByteSize() + ec + cfxHeaderLen + k.et.GetHMACBitLength()/8; len(body) < min {
		return nil, fmt.Errorf("kerberos wrap token of %d bytes, want at least %d", len(body), min)
	}
	body = rotate(body, len(body)-rrc%len(body)) // undo the right rotation
	pt, err := k.et.DecryptMessage(k.key.KeyValue, body, keyusage.GSSAPI_ACCEPTOR_SEAL)
	if err != nil {
		return nil, fmt.Errorf("kerberos unseal: %w", err)
	}
	if len(pt) < ec+cfxHeaderLen {
		return nil, errors.New("kerberos unseal: plaintext shorter than its header")
	}
	want := append([]byte(nil), hdr...)
	want[6], want[7] = 0, 0
	if !bytes.Equal(pt[len(pt)-cfxHeaderLen:], want) {
		return nil, errors.New("kerberos unseal: header copy does not match")
	}
	k.recvSeq++
	return pt[:len(pt)-cfxHeaderLen-ec], nil
}

// rotate returns b rotated right by n bytes (RFC 4121 4.2.5).
func rotate(b []byte, n int) []byte {
	if len(b) == 0 {
		return nil
	}
	n %= len(b)
	out := make([]byte, 0, len(b))
	return append(append(out, b[len(b)-n:]...), b[:len(b)-n]...)
}

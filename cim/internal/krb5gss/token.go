package krb5gss

import (
	"bytes"
	"crypto/hmac"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/crypto/etype"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/types"
)

// RFC 4121 4.2.6: the token IDs, the length of both tokens' headers and
// the flags (4.2.2).
const (
	TokenIDWrap = 0x0504
	TokenIDMIC  = 0x0404
	HeaderLen   = 16

	FlagSentByAcceptor = 0x01
	FlagSealed         = 0x02
	FlagAcceptorSubkey = 0x04
)

// Config describes one end of a security context.
type Config struct {
	// Key protects the tokens: the acceptor's subkey when AcceptorSubkey
	// is set (every token then says so in its flags), else the ticket's
	// session key or the initiator's subkey.
	Key            types.EncryptionKey
	AcceptorSubkey bool
	// Acceptor says this end is the acceptor (the server).
	Acceptor bool
	// SendSeq and RecvSeq are the first sequence numbers to send and to
	// expect.
	SendSeq, RecvSeq uint64
	// DCE is Windows' DCE style (MS-KILE 3.4.5.4.1): the encrypted part
	// of a wrap token is rotated by RRC+EC rather than by RRC alone.
	DCE bool
}

// Context makes and checks the per-message tokens of one end of a
// security context, keeping both directions' sequence numbers. A token
// that does not verify leaves them as they were. It is safe for
// concurrent use.
type Context struct {
	mu               sync.Mutex
	cfg              Config
	et               etype.EType
	sendSeq, recvSeq uint64
}

// New returns the context of one end. Only the AES encryption types
// (RFC 3962, RFC 8009) are supported: RC4-HMAC and DES use the older
// RFC 1964/4757 tokens.
func New(cfg Config) (*Context, error) {
	switch cfg.Key.KeyType {
	case 17, 18, 19, 20:
	default:
		return nil, fmt.Errorf("encryption type %d is not supported (use AES)", cfg.Key.KeyType)
	}
	et, err := crypto.GetEtype(cfg.Key.KeyType)
	if err != nil {
		return nil, err
	}
	return &Context{cfg: cfg, et: et, sendSeq: cfg.SendSeq, recvSeq: cfg.RecvSeq}, nil
}

// ChecksumLen is the length of the key type's checksum.
func (c *Context) ChecksumLen() int { return c.et.GetHMACBitLength() / 8 }

// WrapOverhead is how many bytes a wrap token with ec filler bytes adds
// to the message: header, confounder, filler, header copy and checksum.
func (c *Context) WrapOverhead(ec int) int {
	return HeaderLen + c.et.GetConfounderByteSize() + ec + HeaderLen + c.ChecksumLen()
}

// MICLen is the length of a MIC token.
func (c *Context) MICLen() int { return HeaderLen + c.ChecksumLen() }

// flags are the flags of a token sent by the acceptor or not.
func (c *Context) flags(byAcceptor, sealed bool) byte {
	var f byte
	if byAcceptor {
		f |= FlagSentByAcceptor
	}
	if sealed {
		f |= FlagSealed
	}
	if c.cfg.AcceptorSubkey {
		f |= FlagAcceptorSubkey
	}
	return f
}

// usages returns the key usages for sending and for receiving.
func (c *Context) usages(sign bool) (send, recv uint32) {
	send, recv = keyusage.GSSAPI_INITIATOR_SEAL, keyusage.GSSAPI_ACCEPTOR_SEAL
	if sign {
		send, recv = keyusage.GSSAPI_INITIATOR_SIGN, keyusage.GSSAPI_ACCEPTOR_SIGN
	}
	if c.cfg.Acceptor {
		send, recv = recv, send
	}
	return send, recv
}

// rotation is how far the encrypted part of a wrap token is rotated.
func (c *Context) rotation(ec, rrc int) int {
	if c.cfg.DCE {
		return rrc + ec
	}
	return rrc
}

func wrapHeader(flags byte, ec, rrc int, seq uint64) []byte {
	h := make([]byte, HeaderLen)
	binary.BigEndian.PutUint16(h, TokenIDWrap)
	h[2], h[3] = flags, 0xff
	binary.BigEndian.PutUint16(h[4:], uint16(ec))
	binary.BigEndian.PutUint16(h[6:], uint16(rrc))
	binary.BigEndian.PutUint64(h[8:], seq)
	return h
}

func micHeader(flags byte, seq uint64) []byte {
	h := []byte{TokenIDMIC >> 8, TokenIDMIC & 0xff, flags, 0xff, 0xff, 0xff, 0xff, 0xff}
	return binary.BigEndian.AppendUint64(h, seq)
}

// Wrap seals msg with ec zero filler bytes and returns the whole wrap
// token: the header, then the encrypted part rotated right by rrc (by
// rrc+ec in DCE style), whose last len(msg) bytes are what callers that
// seal in place put where msg was.
func (c *Context) Wrap(msg []byte, ec, rrc int) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	send, _ := c.usages(false)
	flags := c.flags(c.cfg.Acceptor, true)
	// The encrypted copy of the header carries RRC 0 (RFC 4121 4.2.5).
	plain := make([]byte, 0, len(msg)+ec+HeaderLen)
	plain = append(plain, msg...)
	plain = append(plain, make([]byte, ec)...)
	plain = append(plain, wrapHeader(flags, ec, 0, c.sendSeq)...)
	_, ct, err := c.et.EncryptMessage(c.cfg.Key.KeyValue, plain, send)
	if err != nil {
		return nil, err
	}
	tok := append(wrapHeader(flags, ec, rrc, c.sendSeq), rotateRight(ct, c.rotation(ec, rrc))...)
	c.sendSeq++
	return tok, nil
}

// Unwrap checks and decrypts a wrap token from the other end, given as
// sig (the header and what the sender put before data) and data, and
// returns the message: header fields, direction, key flag, sequence
// number, checksum and header copy are checked.
func (c *Context) Unwrap(sig, data []byte) ([]byte, error) {
	return c.unwrap(sig, data, false)
}

// UnwrapInPlace is Unwrap for a token sealed in place: the message must
// be exactly as long as data, and replaces it.
func (c *Context) UnwrapInPlace(sig, data []byte) error {
	plain, err := c.unwrap(sig, data, true)
	if err == nil {
		copy(data, plain)
	}
	return err
}

func (c *Context) unwrap(sig, data []byte, inPlace bool) (msg []byte, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer func() {
		if r := recover(); r != nil { // gokrb5's decryption on hostile input
			msg, err = nil, fmt.Errorf("malformed token")
		}
	}()
	if len(sig) < HeaderLen {
		return nil, fmt.Errorf("%d-byte token", len(sig))
	}
	hdr := sig[:HeaderLen]
	if binary.BigEndian.Uint16(hdr) != TokenIDWrap || hdr[3] != 0xff {
		return nil, fmt.Errorf("not a CFX wrap token")
	}
	if want := c.flags(!c.cfg.Acceptor, true); hdr[2] != want {
		return nil, fmt.Errorf("flags %#x, want %#x", hdr[2], want)
	}
	ec := int(binary.BigEndian.Uint16(hdr[4:]))
	rrc := int(binary.BigEndian.Uint16(hdr[6:]))
	if seq := binary.BigEndian.Uint64(hdr[8:]); seq != c.recvSeq {
		return nil, fmt.Errorf("sequence number %d, want %d", seq, c.recvSeq)
	}
	body := make([]byte, 0, len(sig)-HeaderLen+len(data))
	body = append(append(body, sig[HeaderLen:]...), data...)
	if min := c.et.GetConfounderByteSize() + ec + HeaderLen + c.ChecksumLen(); len(body) < min {
		return nil, fmt.Errorf("%d bytes of ciphertext, want at least %d", len(body), min)
	}
	body = rotateRight(body, len(body)-c.rotation(ec, rrc)%len(body)) // undo the right rotation
	_, recv := c.usages(false)
	pt, err := c.et.DecryptMessage(c.cfg.Key.KeyValue, body, recv)
	if err != nil {
		return nil, err
	}
	if len(pt) < ec+HeaderLen {
		return nil, fmt.Errorf("plaintext shorter than its header")
	}
	if n := len(pt) - ec - HeaderLen; inPlace && n != len(data) {
		return nil, fmt.Errorf("%d bytes of plaintext for %d sealed in place", n, len(data))
	}
	want := append([]byte(nil), hdr...)
	want[6], want[7] = 0, 0
	if !bytes.Equal(pt[len(pt)-HeaderLen:], want) {
		return nil, fmt.Errorf("header copy does not match")
	}
	c.recvSeq++
	return pt[:len(pt)-HeaderLen-ec], nil
}

// MIC returns a MIC token over data with the next sequence number.
func (c *Context) MIC(data []byte) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	send, _ := c.usages(true)
	tok, err := c.mic(data, c.cfg.Acceptor, c.sendSeq, send)
	if err != nil {
		return nil, err
	}
	c.sendSeq++
	return tok, nil
}

// VerifyMIC checks the other end's MIC token over data, which must carry
// the sequence number expected next.
func (c *Context) VerifyMIC(data, tok []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(tok) != c.MICLen() || binary.BigEndian.Uint16(tok) != TokenIDMIC {
		return fmt.Errorf("not a MIC token")
	}
	_, recv := c.usages(true)
	want, err := c.mic(data, !c.cfg.Acceptor, c.recvSeq, recv)
	if err != nil {
		return err
	}
	if !hmac.Equal(tok, want) {
		return fmt.Errorf("checksum does not verify at sequence number %d", c.recvSeq)
	}
	c.recvSeq++
	return nil
}

func (c *Context) mic(data []byte, byAcceptor bool, seq uint64, usage uint32) ([]byte, error) {
	h := micHeader(c.flags(byAcceptor, false), seq)
	sum, err := c.et.GetChecksumHash(c.cfg.Key.KeyValue, append(append(make([]byte, 0, len(data)+HeaderLen), data...), h...), usage)
	if err != nil {
		return nil, err
	}
	return append(h, sum[:c.ChecksumLen()]...), nil
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

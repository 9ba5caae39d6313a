package krb5gss

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/jcmturner/gokrb5/v8/types"
)

// seqKey is the key 00 01 02 ... of the type's length.
func seqKey(kt int32) types.EncryptionKey {
	b := make([]byte, map[int32]int{17: 16, 18: 32, 19: 16, 20: 32}[kt])
	for i := range b {
		b[i] = byte(i)
	}
	return types.EncryptionKey{KeyType: kt, KeyValue: b}
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pair returns both ends of one context.
func pair(t testing.TB, kt int32, dce bool, iseq, aseq uint64) (initiator, acceptor *Context) {
	t.Helper()
	i, err := New(Config{Key: seqKey(kt), AcceptorSubkey: true, SendSeq: iseq, RecvSeq: aseq, DCE: dce})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{Key: seqKey(kt), AcceptorSubkey: true, Acceptor: true, SendSeq: aseq, RecvSeq: iseq, DCE: dce})
	if err != nil {
		t.Fatal(err)
	}
	return i, a
}

const vectorData = "RFC 4121 MIC test vector, 32 B.."

// TestMICVectors: MIC tokens (RFC 4121 4.2.6.1) computed independently
// with impacket's Kerberos crypto (impacket.krb5.crypto: the header
// 04 04 flags ff ff ff ff ff seq, then HMAC-SHA1-96 of data || header
// under the sign key usage), for the initiator (usage 25) and the
// acceptor (usage 23, SentByAcceptor set).
func TestMICVectors(t *testing.T) {
	for _, v := range []struct {
		name     string
		kt       int32
		acceptor bool
		seq      uint64
		want     string
	}{
		{"aes256 initiator", 18, false, 0x12345678, "040404ffffffffff0000000012345678cef4fe73ca14f4e756b7eebc"},
		{"aes128 acceptor", 17, true, 7, "040405ffffffffff0000000000000007e9192474df117349080d967c"},
	} {
		t.Run(v.name, func(t *testing.T) {
			c, err := New(Config{Key: seqKey(v.kt), AcceptorSubkey: true, Acceptor: v.acceptor, SendSeq: v.seq, RecvSeq: v.seq})
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.MIC([]byte(vectorData))
			if err != nil || hex.EncodeToString(got) != v.want {
				t.Fatalf("MIC %x %v, want %s", got, err, v.want)
			}
			// The other end verifies it, once.
			peer, _ := New(Config{Key: seqKey(v.kt), AcceptorSubkey: true, Acceptor: !v.acceptor, SendSeq: v.seq, RecvSeq: v.seq})
			if err := peer.VerifyMIC([]byte(vectorData), got); err != nil {
				t.Fatal(err)
			}
			if err := peer.VerifyMIC([]byte(vectorData), got); err == nil || !strings.Contains(err.Error(), "sequence number") {
				t.Fatalf("replayed MIC: %v", err)
			}
		})
	}
}

// TestUnwrapVector: a DCE-style wrap token made by impacket's AES256
// wrap (flags Sealed|AcceptorSubkey, EC 16, RRC 28, the encrypted part
// rotated by RRC+EC as Windows does, a fixed confounder of 0xc0 bytes)
// over a 16-byte stub sealed in place.
func TestUnwrapVector(t *testing.T) {
	tok := unhex(t, "050406ff0010001c0000000012345678e3b9ba29ea9401500a3ff9997e6a65cc3a8d54cae1b05bad4b002c772b86dd16ee763fbd60e280efc23cd5c2df12fef6a780547451c0e2c4163bce872640841d797fa6925929e2c46d2748ad")
	stub := tok[len(tok)-16:]
	_, a := pair(t, 18, true, 0x12345678, 0)
	if err := a.UnwrapInPlace(tok[:len(tok)-16], stub); err != nil {
		t.Fatal(err)
	}
	if string(stub) != "DCE stub 16 byte" {
		t.Fatalf("stub %q", stub)
	}
	// Rotated by RRC alone (RFC 4121, not DCE style) it does not decrypt.
	tok = unhex(t, "050406ff0010001c0000000012345678e3b9ba29ea9401500a3ff9997e6a65cc3a8d54cae1b05bad4b002c772b86dd16ee763fbd60e280efc23cd5c2df12fef6a780547451c0e2c4163bce872640841d797fa6925929e2c46d2748ad")
	_, rfc := pair(t, 18, false, 0x12345678, 0)
	if _, err := rfc.Unwrap(tok[:len(tok)-16], tok[len(tok)-16:]); err == nil {
		t.Fatal("DCE rotation accepted as RFC rotation")
	}
}

// TestWrapRoundTrip: both rotations, several EC and RRC values, both
// directions, sequence numbers advancing; the wrapped tail is as long as
// the message and the overhead is what WrapOverhead says.
func TestWrapRoundTrip(t *testing.T) {
	msg := []byte(strings.Repeat("<s:Envelope/>", 20))
	for _, kt := range []int32{17, 18, 19, 20} {
		for _, dce := range []bool{false, true} {
			i, a := pair(t, kt, dce, 100, 5)
			for n, p := range []struct{ ec, rrc int }{{0, 28}, {16, 28}, {0, 0}, {7, 60}} {
				tok, err := i.Wrap(msg, p.ec, p.rrc)
				if err != nil {
					t.Fatal(err)
				}
				if len(tok) != len(msg)+i.WrapOverhead(p.ec) {
					t.Fatalf("etype %d: token of %d bytes for %d + %d", kt, len(tok), len(msg), i.WrapOverhead(p.ec))
				}
				if bytes.Contains(tok, msg[:13]) {
					t.Fatal("plaintext visible")
				}
				split := len(tok) - len(msg)
				got, err := a.Unwrap(tok[:split], tok[split:])
				if err != nil || !bytes.Equal(got, msg) {
					t.Fatalf("etype %d dce %v %+v: %q %v", kt, dce, p, got, err)
				}
				back, err := a.Wrap(msg, p.ec, p.rrc)
				if err != nil {
					t.Fatal(err)
				}
				if back[2] != FlagSealed|FlagAcceptorSubkey|FlagSentByAcceptor || back[15] != byte(5+n) {
					t.Fatalf("acceptor header % x", back[:16])
				}
				if err := i.UnwrapInPlace(back[:split], back[split:]); err != nil || !bytes.Equal(back[split:], msg) {
					t.Fatalf("in place: %v", err)
				}
			}
		}
	}
	if _, err := New(Config{Key: types.EncryptionKey{KeyType: 23, KeyValue: make([]byte, 16)}}); err == nil || err.Error() != "encryption type 23 is not supported (use AES)" {
		t.Fatalf("RC4-HMAC: %v", err)
	}
}

// TestRefusals: what the peer did not send, or sent for another place,
// is refused, and leaves the expected sequence number as it was.
func TestRefusals(t *testing.T) {
	i, a := pair(t, 18, true, 1, 1)
	msg := []byte("0123456789abcdef")
	tok, _ := i.Wrap(msg, 16, 28)
	split := len(tok) - len(msg)
	flip := func(b []byte, n int) []byte { c := append([]byte(nil), b...); c[n] ^= 1; return c }
	own, _ := a.Wrap(msg, 16, 28)
	mic, _ := i.MIC(msg)
	for _, tt := range []struct {
		name, want string
		sig, data  []byte
	}{
		{"short", "3-byte token", tok[:3], nil},
		{"MIC as wrap", "not a CFX wrap token", mic, msg},
		{"own direction", "flags 0x7, want 0x6", own[:split], own[split:]},
		{"tampered", "integrity", tok[:split], flip(tok[split:], 2)},
		{"no ciphertext", "want at least", tok[:HeaderLen], nil},
		{"longer in place", "bytes of plaintext", tok[:split-1], tok[split-1:]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := a.UnwrapInPlace(tt.sig, append([]byte(nil), tt.data...))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
		})
	}
	if err := a.VerifyMIC(msg, tok[:28]); err == nil || err.Error() != "not a MIC token" {
		t.Fatalf("wrap as MIC: %v", err)
	}
	if err := a.VerifyMIC(msg[1:], mic); err == nil {
		t.Fatal("MIC over other data verified")
	}
	data := append([]byte(nil), tok[split:]...)
	if err := a.UnwrapInPlace(tok[:split], data); err != nil || !bytes.Equal(data, msg) {
		t.Fatalf("genuine token after refusals: %v", err)
	}
	if err := a.VerifyMIC(msg, mic); err != nil {
		t.Fatalf("MIC after the wrap token: %v", err)
	}
}

func FuzzUnwrap(f *testing.F) {
	i, _ := pair(f, 18, true, 1, 7)
	tok, _ := i.Wrap([]byte("hello"), 16, 28)
	f.Add(tok[:len(tok)-5], tok[len(tok)-5:])
	f.Add(tok[:16], []byte{})
	f.Fuzz(func(t *testing.T, sig, data []byte) {
		_, a := pair(t, 18, true, 1, 7)
		_, _ = a.Unwrap(sig, data)
		_ = a.VerifyMIC(data, sig)
	})
}

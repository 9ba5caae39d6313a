package transport

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/cimsh/cimsh/cim/wsman/sealed"
)

func testKey(kt int32, n int) types.EncryptionKey {
	return types.EncryptionKey{KeyType: kt, KeyValue: bytes.Repeat([]byte{0x42}, n)}
}

// acceptorWrap builds what a server sends: a wrap token sealed with the
// acceptor usage (22) and the SentByAcceptor flag, rotated like Windows.
func acceptorWrap(t testing.TB, k *krbSealer, seq uint64, msg []byte) (sig, body []byte) {
	t.Helper()
	flags := byte(cfxSentByAcceptor | cfxSealed | cfxAcceptorSubkey)
	_, ct, err := k.et.EncryptMessage(k.key.KeyValue, append(append([]byte(nil), msg...), k.header(flags, 0, seq)...), keyusage.GSSAPI_ACCEPTOR_SEAL)
	if err != nil {
		t.Fatal(err)
	}
	tok := append(k.header(flags, k.rrc(), seq), rotate(ct, k.rrc())...)
	split := len(tok) - len(msg)
	return tok[:split], tok[split:]
}

// The token matches the shape of the Windows capture in
// fixtures/wsman/win_wef_kerberos_http_encryption_capture_openwec.txt:
// 60 bytes for AES256, flags Sealed|AcceptorSubkey, EC 0, RRC 28, and the
// encrypted part exactly as long as the message.
func TestKrbWrapShape(t *testing.T) {
	k, err := newKrbSealer(testKey(18, 32), true, 267182760, 9, sealed.ProtocolKerberos)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte(strings.Repeat("<s:Envelope/>", 250))
	sig, enc, err := k.wrap(msg)
	if err != nil {
		t.Fatal(err)
	}
	if len(sig) != 60 || len(enc) != len(msg) {
		t.Fatalf("token %d bytes, data %d for %d", len(sig), len(enc), len(msg))
	}
	want := []byte{0x05, 0x04, 0x06, 0xff, 0x00, 0x00, 0x00, 0x1c, 0, 0, 0, 0, 0x0f, 0xec, 0xe2, 0xa8} // as captured
	if !bytes.Equal(sig[:16], want) {
		t.Fatalf("header % x, want % x", sig[:16], want)
	}
	if bytes.Contains(append(sig, enc...), []byte("Envelope")) {
		t.Fatal("plaintext visible")
	}
	sig2, _, _ := k.wrap(msg)
	if binary.BigEndian.Uint64(sig2[8:16]) != 267182761 {
		t.Fatal("sequence number did not advance")
	}
	// AES128 with SHA-256 (RFC 8009): a 16-byte checksum, RRC 32.
	k2, err := newKrbSealer(testKey(19, 16), true, 0, 0, sealed.ProtocolSPNEGO)
	if err != nil {
		t.Fatal(err)
	}
	sig, enc, err = k2.wrap(msg)
	if err != nil || len(sig) != 16+16+32 || len(enc) != len(msg) || binary.BigEndian.Uint16(sig[6:]) != 32 {
		t.Fatalf("aes128-sha256: %d %d %v", len(sig), len(enc), err)
	}
	if _, err := newKrbSealer(testKey(23, 16), true, 0, 0, sealed.ProtocolSPNEGO); err == nil {
		t.Fatal("RC4-HMAC accepted")
	}
}

func TestKrbUnwrap(t *testing.T) {
	k, _ := newKrbSealer(testKey(18, 32), true, 1, 1000, sealed.ProtocolSPNEGO)
	msg := []byte("<s:Envelope>reply</s:Envelope>")
	for seq := uint64(1000); seq < 1003; seq++ {
		sig, body := acceptorWrap(t, k, seq, msg)
		got, err := k.unwrap(sig, body)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("seq %d: %q %v", seq, got, err)
		}
	}
	sig, body := acceptorWrap(t, k, 1003, msg)
	flip := func(b []byte, i int) []byte { c := append([]byte(nil), b...); c[i] ^= 1; return c }
	bad := []struct {
		name      string
		sig, body []byte
		errHas    string
	}{
		{"replayed sequence number", func() []byte { s, _ := acceptorWrap(t, k, 1002, msg); return s }(), body, "sequence number 1002"},
		{"tampered data", sig, flip(body, 3), "integrity"},
		{"tampered checksum", flip(sig, 30), body, ""},
		{"short token", sig[:10], body, "wrap token of 10 bytes"},
		{"not a wrap token", flip(sig, 0), body, "not a kerberos CFX wrap token"},
		{"initiator's token", append([]byte{0x05, 0x04, 0x06}, sig[3:]...), body, "not sealed by the acceptor"},
		{"truncated", sig, body[:3], ""},
		{"huge rrc", func() []byte { s := append([]byte(nil), sig...); s[6], s[7] = 0xff, 0xff; return s }(), body, ""},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := k.unwrap(tt.sig, tt.body); err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("err %v, want %q", err, tt.errHas)
			}
		})
	}
	// After failures that did not verify, the expected sequence number
	// is unchanged: the genuine token still unwraps.
	if got, err := k.unwrap(sig, body); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("genuine token after failures: %v", err)
	}
}

func FuzzKrbUnwrap(f *testing.F) {
	k, _ := newKrbSealer(testKey(18, 32), true, 1, 7, sealed.ProtocolSPNEGO)
	sig, body := acceptorWrap(f, k, 7, []byte("hello"))
	f.Add(sig, body)
	f.Add(sig[:16], []byte{})
	f.Fuzz(func(t *testing.T, sig, body []byte) {
		k, _ := newKrbSealer(testKey(18, 32), true, 1, 7, sealed.ProtocolSPNEGO)
		_, _ = k.unwrap(sig, body)
	})
}

package krbwrap

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/jcmturner/gokrb5/v8/types"
)

func testKey(kt int32, n int) types.EncryptionKey {
	return types.EncryptionKey{KeyType: kt, KeyValue: bytes.Repeat([]byte{0x42}, n)}
}

// pair returns an initiator and an acceptor of one context.
func pair(t testing.TB, kt int32, n int, iseq, aseq uint64) (initiator, acceptor *Wrapper) {
	t.Helper()
	i, err := New(testKey(kt, n), false, true, iseq, aseq)
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(testKey(kt, n), true, true, aseq, iseq)
	if err != nil {
		t.Fatal(err)
	}
	return i, a
}

// The token matches the shape of the Windows capture in
// fixtures/wsman/win_wef_kerberos_http_encryption_capture_openwec.txt:
// 60 bytes for AES256, flags Sealed|AcceptorSubkey, EC 0, RRC 28, and the
// encrypted part exactly as long as the message.
func TestWrapShape(t *testing.T) {
	i, a := pair(t, 18, 32, 267182760, 9)
	msg := []byte(strings.Repeat("<s:Envelope/>", 250))
	sig, enc, err := i.Wrap(msg)
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
	if got, err := a.Unwrap(sig, enc); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("acceptor unwrap: %v", err)
	}
	sig2, _, _ := i.Wrap(msg)
	if binary.BigEndian.Uint64(sig2[8:16]) != 267182761 {
		t.Fatal("sequence number did not advance")
	}
	// The acceptor's tokens carry SentByAcceptor.
	sig3, _, _ := a.Wrap(msg)
	if sig3[2] != 0x07 {
		t.Fatalf("acceptor flags %#x", sig3[2])
	}
	// AES128 with SHA-256 (RFC 8009): a 16-byte checksum, RRC 32.
	i2, _ := pair(t, 19, 16, 0, 0)
	sig, enc, err = i2.Wrap(msg)
	if err != nil || len(sig) != 16+16+32 || len(enc) != len(msg) || binary.BigEndian.Uint16(sig[6:]) != 32 {
		t.Fatalf("aes128-sha256: %d %d %v", len(sig), len(enc), err)
	}
	if _, err := New(testKey(23, 16), false, true, 0, 0); err == nil {
		t.Fatal("RC4-HMAC accepted")
	}
}

func TestUnwrapRefuses(t *testing.T) {
	i, a := pair(t, 18, 32, 1, 1000)
	msg := []byte("<s:Envelope>reply</s:Envelope>")
	for n := 0; n < 3; n++ {
		sig, body, _ := a.Wrap(msg)
		if got, err := i.Unwrap(sig, body); err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("token %d: %q %v", n, got, err)
		}
	}
	_, old := pair(t, 18, 32, 1, 1002) // an acceptor replaying sequence number 1002
	replayed, _, _ := old.Wrap(msg)
	sig, body, _ := a.Wrap(msg)
	own, _, _ := i.Wrap(msg) // a token this end sent itself
	flip := func(b []byte, n int) []byte { c := append([]byte(nil), b...); c[n] ^= 1; return c }
	bad := []struct {
		name      string
		sig, body []byte
		errHas    string
	}{
		{"replayed sequence number", replayed, body, "sequence number 1002"},
		{"tampered data", sig, flip(body, 3), "integrity"},
		{"tampered checksum", flip(sig, 30), body, ""},
		{"short token", sig[:10], body, "10-byte token"},
		{"not a wrap token", flip(sig, 0), body, "not a CFX wrap token"},
		{"own direction", own, body, "flags 0x6, want 0x7"},
		{"truncated", sig, body[:3], ""},
		{"huge rrc", func() []byte { s := append([]byte(nil), sig...); s[6], s[7] = 0xff, 0xff; return s }(), body, ""},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := i.Unwrap(tt.sig, tt.body); err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("err %v, want %q", err, tt.errHas)
			}
		})
	}
	// After failures that did not verify, the expected sequence number
	// is unchanged: the genuine token still unwraps.
	if got, err := i.Unwrap(sig, body); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("genuine token after failures: %v", err)
	}
}

func FuzzUnwrap(f *testing.F) {
	_, a := pair(f, 18, 32, 1, 7)
	sig, body, _ := a.Wrap([]byte("hello"))
	f.Add(sig, body)
	f.Add(sig[:16], []byte{})
	f.Fuzz(func(t *testing.T, sig, body []byte) {
		i, _ := pair(t, 18, 32, 1, 7)
		_, _ = i.Unwrap(sig, body)
	})
}

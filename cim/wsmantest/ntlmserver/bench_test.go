package ntlmserver

import (
	"bytes"
	"testing"
)

// BenchmarkHandshake measures one NEGOTIATE/CHALLENGE/AUTHENTICATE
// exchange with bodgit/ntlmssp as the initiator (both sides' costs).
func BenchmarkHandshake(b *testing.B) {
	s, err := NewServer(Config{Users: []User{{Name: "alice", Password: "Secret-1"}}})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if _, err := handshake(b, s, bodgitClient(b, "alice", "", "Secret-1", 3)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSealUnseal measures sealing and unsealing a 64 KiB message
// (RC4 plus HMAC-MD5 each way).
func BenchmarkSealUnseal(b *testing.B) {
	client, _ := NewSession(0xe28a8233, specRandomKey, false)
	server, _ := NewSession(0xe28a8233, specRandomKey, true)
	msg := bytes.Repeat([]byte("<p:Name>svc</p:Name>"), 64<<10/20)
	b.SetBytes(int64(len(msg)))
	for i := 0; i < b.N; i++ {
		sealed, sig, err := client.Seal(msg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := server.Unseal(sealed, sig); err != nil {
			b.Fatal(err)
		}
	}
}

package ntlmserver

import (
	"testing"
)

// FuzzParse feeds arbitrary bytes to every parser and to both acceptor
// steps: errors are fine, panics are not.
func FuzzParse(f *testing.F) {
	f.Add(negotiateMsg(0xe0088033))
	f.Add(authMsg(0xe2888235, make([]byte, 24), make([]byte, 60), "Domain", "User", "WS", make([]byte, 16), true))
	f.Add(mustHex("4e544c4d5353500003000000ffff0000ffffffff"))
	f.Add([]byte("NTLMSSP\x00\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseNegotiate(b)
		ParseAuthenticate(b)
		avPairs(b)
		s, err := NewServer(Config{Users: []User{{Name: "User", Password: "Password"}}, AllowNTLMv1: true})
		if err != nil {
			t.Fatal(err)
		}
		a := s.NewAcceptor()
		a.Negotiate(b)
		a = s.NewAcceptor()
		if _, err := a.Negotiate(negotiateMsg(0xe0088033)); err != nil {
			t.Fatal(err)
		}
		a.Authenticate(b)
	})
}

// FuzzUnseal feeds arbitrary sealed bytes and signatures to a session.
func FuzzUnseal(f *testing.F) {
	f.Add([]byte("sealed"), make([]byte, 16))
	f.Add([]byte{}, []byte{1})
	f.Fuzz(func(t *testing.T, sealed, sig []byte) {
		for _, flags := range []uint32{0xe28a8233, 0xe2028233} {
			s, err := NewSession(flags, specRandomKey, true)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Unseal(sealed, sig); err == nil && len(sig) != 16 {
				t.Fatalf("signature of %d bytes accepted", len(sig))
			}
		}
	})
}

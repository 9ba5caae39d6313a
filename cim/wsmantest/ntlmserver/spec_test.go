package ntlmserver

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/internal/ntlmsec"
)

// Values of MS-NLMP section 4.2.1 (common to all examples).
var (
	specServerChallenge = mustHex("0123456789abcdef")
	specClientChallenge = mustHex("aaaaaaaaaaaaaaaa")
	specRandomKey       = bytes.Repeat([]byte{0x55}, 16)
	specPlaintext       = ntlmsec.UTF16("Plaintext")
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// fixedRand yields the specification's server challenge.
type fixedRand struct{ b []byte }

func (r *fixedRand) Read(p []byte) (int, error) {
	n := copy(p, r.b)
	return n, nil
}

func specServer(t *testing.T, allowV1 bool) *Server {
	t.Helper()
	s, err := NewServer(Config{
		Users:           []User{{Name: "User", Domain: "Domain", Password: "Password"}},
		NetBIOSDomain:   "Domain",
		NetBIOSComputer: "Server",
		OmitTimestamp:   true,
		Version:         [8]byte{0x06, 0x00, 0x70, 0x17, 0, 0, 0, 0x0f},
		AllowNTLMv1:     allowV1,
		Rand:            &fixedRand{specServerChallenge},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// negotiateMsg builds a minimal NEGOTIATE_MESSAGE with flags.
func negotiateMsg(flags uint32) []byte {
	m := make([]byte, 32)
	copy(m, ntlmSignature)
	binary.LittleEndian.PutUint32(m[8:], TypeNegotiate)
	binary.LittleEndian.PutUint32(m[12:], flags)
	return m
}

// authMsg builds an AUTHENTICATE_MESSAGE with a Version field and,
// when withMIC, a zero MIC to be filled in.
func authMsg(flags uint32, lm, nt []byte, domain, user, ws string, ersk []byte, withMIC bool) []byte {
	head := 72
	if withMIC {
		head = 88
	}
	m := make([]byte, head)
	copy(m, ntlmSignature)
	binary.LittleEndian.PutUint32(m[8:], TypeAuthenticate)
	binary.LittleEndian.PutUint32(m[60:], flags)
	copy(m[64:72], []byte{0x05, 0x01, 0x28, 0x0a, 0, 0, 0, 0x0f})
	off := head
	put := func(at int, b []byte) {
		putField(m[at:], len(b), off)
		off += len(b)
	}
	d, u, w := ntlmsec.UTF16(domain), ntlmsec.UTF16(user), ntlmsec.UTF16(ws)
	// Payload order as in the specification example: domain, user,
	// workstation, LM, NT, session key.
	put(28, d)
	put(36, u)
	put(44, w)
	put(12, lm)
	put(20, nt)
	put(52, ersk)
	for _, b := range [][]byte{d, u, w, lm, nt, ersk} {
		m = append(m, b...)
	}
	return m
}

// TestSpecNTLMv2 runs the acceptor through MS-NLMP 4.2.4: the CHALLENGE
// bytes, the AUTHENTICATE message of 4.2.4.3, the recovered session key
// and the sealed "Plaintext" of 4.2.4.4.
func TestSpecNTLMv2(t *testing.T) {
	s := specServer(t, false)
	a := s.NewAcceptor()
	// Client flags chosen so that the granted flags are the example's
	// 0xe28a8233.
	chal, err := a.Negotiate(negotiateMsg(0xe0088033))
	if err != nil {
		t.Fatal(err)
	}
	wantChal := mustHex("4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef" +
		"00000000000000002400240044000000060070170000000f" +
		"530065007200760065007200" + // TargetName "Server"
		"02000c0044006f006d00610069006e00" + // MsvAvNbDomainName "Domain"
		"01000c00530065007200760065007200" + // MsvAvNbComputerName "Server"
		"00000000") // MsvAvEOL
	if !bytes.Equal(chal, wantChal) {
		t.Fatalf("challenge\n got %x\nwant %x", chal, wantChal)
	}

	// 4.2.4.3 AUTHENTICATE_MESSAGE.
	authHex := "4e544c4d535350000300000018001800" + "6c00000054005400840000000c000c00" +
		"480000000800080054000000100010005c000000100010" + "00d8000000358288e20501280a0000000f" +
		"44006f006d00610069006e00" + "5500730065007200" + "43004f004d0050005500540045005200" +
		"86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa" +
		"68cd0ab851e51c96aabc927bebef6a1c" + "01010000000000000000000000000000aaaaaaaaaaaaaaaa00000000" +
		"02000c0044006f006d00610069006e00" + "01000c00530065007200760065007200" + "0000000000000000" +
		"c5dad2544fc9799094ce1ce90bc9d03e"
	ctx, err := a.Authenticate(mustHex(authHex))
	if err != nil {
		t.Fatal(err)
	}
	if ctx.User != "User" || ctx.Domain != "Domain" || ctx.Workstation != "COMPUTER" || ctx.NTLMVersion != 2 || ctx.MIC {
		t.Fatalf("context %+v", ctx)
	}
	if got := ctx.ExportedSessionKey(); !bytes.Equal(got, specRandomKey) {
		t.Fatalf("exported session key %x, want %x", got, specRandomKey)
	}
	// 4.2.4.4: the client's sealed "Plaintext" and its signature.
	plain, err := ctx.Session.Unseal(mustHex("54e50165bf1936dc996020c1811b0f06fb5f"), mustHex("010000007fb38ec5c55d497600000000"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plain, specPlaintext) {
		t.Fatalf("unsealed %x", plain)
	}
}

// TestSpecNTLMv1 covers 4.2.2 (NTLMv1) and 4.2.3 (NTLMv1 with extended
// session security), including their sealed "Plaintext".
func TestSpecNTLMv1(t *testing.T) {
	cases := []struct {
		name            string
		clientFlags     uint32
		authFlags       uint32
		lm, nt          []byte
		ersk            []byte
		sealed, sig     []byte
		wantExportedKey []byte
	}{
		{
			name:        "4.2.2 NTLMv1",
			clientFlags: 0xe0008033, authFlags: 0xe2028233,
			lm:              mustHex("98def7b87f88aa5dafe2df779688a172def11c7d5ccdef13"),
			nt:              mustHex("67c43011f30298a2ad35ece64f16331c44bdbed927841f94"),
			ersk:            rc4K(mustHex("d87262b0cde4b1cb7499becccdf10784"), specRandomKey),
			sealed:          mustHex("56fe04d861f9319af0d7238a2e3b4d457fb8"),
			sig:             mustHex("010000000000000009dcd1df2e459d36"),
			wantExportedKey: specRandomKey,
		},
		{
			name:        "4.2.3 NTLMv1 extended session security",
			clientFlags: 0x80088033, authFlags: 0x820a8233,
			lm:              append(append([]byte{}, specClientChallenge...), make([]byte, 16)...),
			nt:              mustHex("7537f803ae367128ca458204bde7caf81e97ed2683267232"),
			sealed:          mustHex("a02372f6530273f3aa1eb90190ce5200c99d"),
			sig:             mustHex("01000000ff2aeb52f681793a00000000"),
			wantExportedKey: mustHex("eb93429a8bd952f8b89c55b87f475edc"),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := specServer(t, true).NewAcceptor()
			if _, err := a.Negotiate(negotiateMsg(tc.clientFlags)); err != nil {
				t.Fatal(err)
			}
			ctx, err := a.Authenticate(authMsg(tc.authFlags, tc.lm, tc.nt, "Domain", "User", "COMPUTER", tc.ersk, false))
			if err != nil {
				t.Fatal(err)
			}
			if ctx.NTLMVersion != 1 {
				t.Fatalf("version %d", ctx.NTLMVersion)
			}
			if got := ctx.ExportedSessionKey(); !bytes.Equal(got, tc.wantExportedKey) {
				t.Fatalf("exported key %x, want %x", got, tc.wantExportedKey)
			}
			plain, err := ctx.Session.Unseal(tc.sealed, tc.sig)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(plain, specPlaintext) {
				t.Fatalf("unsealed %x", plain)
			}
		})
	}

	// Without AllowNTLMv1 the same response is refused.
	a := specServer(t, false).NewAcceptor()
	if _, err := a.Negotiate(negotiateMsg(0xe0008033)); err != nil {
		t.Fatal(err)
	}
	_, err := a.Authenticate(authMsg(0xe2028233, make([]byte, 24), cases[0].nt, "Domain", "User", "COMPUTER", cases[0].ersk, false))
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("NTLMv1 with AllowNTLMv1 off: %v", err)
	}
}

// TestSpecClientSeal checks the acceptor's own sealing against an
// initiator session over the 4.2.4 keys, in both directions and over
// several messages (RC4 and sequence numbers run on).
func TestSpecClientSeal(t *testing.T) {
	for _, flags := range []uint32{0xe28a8233, 0xe2028233, 0x820a8233, 0x820a8033 | FlagSeal} {
		client, err := NewSession(flags, specRandomKey, false)
		if err != nil {
			t.Fatal(err)
		}
		server, err := NewSession(flags, specRandomKey, true)
		if err != nil {
			t.Fatal(err)
		}
		if flags == 0xe28a8233 {
			sealed, sig, err := client.Seal(specPlaintext)
			if err != nil {
				t.Fatal(err)
			}
			if want := mustHex("54e50165bf1936dc996020c1811b0f06fb5f"); !bytes.Equal(sealed, want) {
				t.Fatalf("sealed %x, want %x", sealed, want)
			}
			if want := mustHex("010000007fb38ec5c55d497600000000"); !bytes.Equal(sig, want) {
				t.Fatalf("signature %x, want %x", sig, want)
			}
			if _, err := server.Unseal(sealed, sig); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 5; i++ {
			msg := []byte(strings.Repeat("reply ", i+1))
			sealed, sig, err := server.Seal(msg)
			if err != nil {
				t.Fatal(err)
			}
			got, err := client.Unseal(sealed, sig)
			if err != nil || !bytes.Equal(got, msg) {
				t.Fatalf("flags %#x message %d: %q, %v", flags, i, got, err)
			}
		}
		// A tampered message is refused and the session stays refused.
		sealed, sig, _ := server.Seal([]byte("tamper"))
		sealed[0] ^= 1
		if _, err := client.Unseal(sealed, sig); !errors.Is(err, ErrSignature) {
			t.Fatalf("flags %#x: tampered message accepted: %v", flags, err)
		}
		if _, err := client.Unseal(nil, make([]byte, 16)); !errors.Is(err, ErrSignature) {
			t.Fatalf("flags %#x: broken session accepted a message: %v", flags, err)
		}
	}
}

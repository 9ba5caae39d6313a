package ntlmsec

import (
	"bytes"
	"crypto/rc4"
	"encoding/hex"
	"testing"
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// TestSpecKeys checks the key derivations of MS-NLMP 4.2.4.1 and 4.2.4.4.
func TestSpecKeys(t *testing.T) {
	nt := NTOWFv1("Password")
	if want := mustHex("a4f49c406510bdcab6824ee7c30fd852"); !bytes.Equal(nt, want) {
		t.Errorf("NTOWFv1 %x, want %x", nt, want)
	}
	if v2, want := NTOWFv2(nt, "User", "Domain"), mustHex("0c868a403bfd7a93a3001ef22ef02e3f"); !bytes.Equal(v2, want) {
		t.Errorf("NTOWFv2 %x, want %x", v2, want)
	}
	key := bytes.Repeat([]byte{0x55}, 16)
	flags := uint32(0xe28a8233)
	if got, want := SealKey(flags, key, ClientSealingMagic), mustHex("59f600973cc4960a25480a7c196e4c58"); !bytes.Equal(got, want) {
		t.Errorf("client sealing key %x, want %x", got, want)
	}
	if got, want := SignKey(flags, key, ClientSigningMagic), mustHex("4788dc861b4782f35d43fd98fe1a2d39"); !bytes.Equal(got, want) {
		t.Errorf("client signing key %x, want %x", got, want)
	}
}

// TestSpecMAC: the signature of the sealed "Plaintext" in MS-NLMP 4.2.4.4
// (NTLMv2, KEY_EXCH): seal first, then MAC with the same RC4 handle.
func TestSpecMAC(t *testing.T) {
	key := bytes.Repeat([]byte{0x55}, 16)
	flags := uint32(0xe28a8233)
	handle, err := rc4.NewCipher(SealKey(flags, key, ClientSealingMagic))
	if err != nil {
		t.Fatal(err)
	}
	plain := UTF16("Plaintext")
	sealed := make([]byte, len(plain))
	handle.XORKeyStream(sealed, plain)
	if want := mustHex("54e50165bf1936dc996020c1811b0f06fb5f"); !bytes.Equal(sealed, want) {
		t.Fatalf("sealed %x, want %x", sealed, want)
	}
	sig := MAC(flags, handle, SignKey(flags, key, ClientSigningMagic), 0, plain)
	if want := mustHex("010000007fb38ec5c55d497600000000"); !bytes.Equal(sig, want) {
		t.Fatalf("signature %x, want %x", sig, want)
	}
}

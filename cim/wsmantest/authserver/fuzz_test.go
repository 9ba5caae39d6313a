package authserver

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	ntlmhttp "github.com/bodgit/ntlmssp/http"
	"github.com/cimsh/cimsh/cim/internal/krb5gss"
	"github.com/cimsh/cimsh/cim/wsman/sealed"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/types"
)

// TestDecodeSealedBodgitLength: bodgit/ntlmssp's framing (Length = whole
// payload) decodes to the right signature and sealed bytes; a declared
// length that matches neither form stays an error.
func TestDecodeSealedBodgitLength(t *testing.T) {
	sig := bytes.Repeat([]byte{0xaa}, 16)
	sealedMsg := []byte("sealed\x00bytes\twith\xff binary")
	payload := append(append([]byte{16, 0, 0, 0}, sig...), sealedMsg...)
	body, ct, err := ntlmhttp.Wrap(payload, "application/soap+xml;charset=UTF-8")
	if err != nil {
		t.Fatal(err)
	}
	gotSig, gotSealed, typ, err := decodeSealed(ct, body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotSig, sig) || !bytes.Equal(gotSealed, sealedMsg) || typ != "application/soap+xml;charset=UTF-8" {
		t.Fatalf("sig %x sealed %q type %q", gotSig, gotSealed, typ)
	}
	bad := bytes.Replace(body, []byte("Length="), []byte("Length=1"), 1)
	if _, _, _, err := decodeSealed(ct, bad); err == nil {
		t.Fatal("a wrong Length was accepted")
	}
}

// FuzzDecodeSealed: arbitrary bodies never panic the decoder, and what
// sealed.Encode produced always decodes back.
func FuzzDecodeSealed(f *testing.F) {
	enc, _ := sealed.Encode(sealed.ProtocolSPNEGO, make([]byte, 16), []byte("abc"), 3)
	f.Add(enc, []byte("abc"))
	f.Add([]byte("--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n\xff\xff\xff\xff--Encrypted Boundary--"), []byte{})
	ct := sealed.ContentType(sealed.ProtocolSPNEGO)
	f.Fuzz(func(t *testing.T, body, msg []byte) {
		decodeSealed(ct, body)
		e, ct2 := sealed.Encode(sealed.ProtocolSPNEGO, bytes.Repeat([]byte{1}, 16), msg, len(msg))
		_, got, _, err := decodeSealed(ct2, e)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("round trip of %q: %q, %v", msg, got, err)
		}
	})
}

// FuzzAuthorization sends arbitrary Authorization headers and bodies
// through the middleware: any status is fine, a panic is not.
func FuzzAuthorization(f *testing.F) {
	h := New(Config{
		NTLM:      ntlmCfg.NTLM,
		Basic:     ntlmCfg.Basic,
		Keytab:    keytab.New(),
		SPN:       "HTTP/localhost",
		Realm:     "WSMAN",
		ClientCAs: nil,
	}, &echoHandler{})
	f.Add("Negotiate TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==", []byte(""))
	f.Add("Negotiate YIIBBgYGKwYBBQUCoA==", []byte("x"))
	f.Add("Kerberos YIIB", []byte{})
	f.Add("Basic Og==", []byte("<a/>"))
	f.Add("", []byte("--Encrypted Boundary\r\n"))
	f.Fuzz(func(t *testing.T, authz string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/wsman", bytes.NewReader(body))
		req.Header.Set("Authorization", authz)
		req.Header.Set("Content-Type", sealed.ContentType(sealed.ProtocolSPNEGO))
		h.ServeHTTP(httptest.NewRecorder(), req)
	})
}

// FuzzKerberosUnseal: arbitrary wrap tokens never panic the Kerberos
// unsealer, and its own sealed output is refused (wrong direction).
func FuzzKerberosUnseal(f *testing.F) {
	f.Add(append([]byte{0x05, 0x04, 0x06, 0xff, 0, 0, 0, 28}, make([]byte, 52)...), make([]byte, 10))
	f.Add([]byte{0x05, 0x04, 0x06, 0xff, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0}, []byte{})
	f.Fuzz(func(t *testing.T, sig, data []byte) {
		key, err := krb5gss.NewSubkey(types.EncryptionKey{KeyType: 18, KeyValue: make([]byte, 32)})
		if err != nil {
			t.Fatal(err)
		}
		s, err := newKrbSession(key, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		s.Unseal(sig, data)
		msg := append([]byte("msg"), data...)
		osig, odata, err := s.Seal(msg)
		if err != nil {
			t.Fatal(err)
		}
		if len(odata) != len(msg) {
			t.Fatalf("sealed data %d bytes for %d", len(odata), len(msg))
		}
		if _, err := s.Unseal(osig, odata); err == nil {
			t.Fatal("acceptor accepted its own token")
		}
	})
}

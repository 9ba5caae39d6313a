package transport

import (
	"encoding/base64"
	"testing"

	"github.com/bodgit/ntlmssp"
)

func FuzzAuthToken(f *testing.F) {
	f.Add("Negotiate TlRMTVNTUAACAAAA")
	f.Add(`Basic realm="WSMAN", Negotiate, Kerberos`)
	f.Add("Negotiate")
	f.Add("")
	f.Fuzz(func(t *testing.T, v string) {
		tok, ok, err := authToken([]string{v}, "Negotiate")
		if err == nil && len(tok) > 0 && !ok {
			t.Fatal("token without the scheme")
		}
		_ = offered([]string{v})
	})
}

// A hostile challenge must never panic the client (the library's panics
// are recovered into errors).
func FuzzNTLMChallenge(f *testing.F) {
	f.Add(fakeChallenge(0xe2888235))
	f.Add(fakeChallenge(0)[:32])
	f.Add([]byte("NTLMSSP\x00\x02\x00\x00\x00"))
	good, _ := base64.StdEncoding.DecodeString("TlRMTVNTUAACAAAADAAMADgAAAAzgoriASNFZ4mrze8AAAAAAAAAACQAJABEAAAABgBwFwAAAA9TAGUAcgB2AGUAcgACAAwARABvAG0AYQBpAG4AAQAMAFMAZQByAHYAZQByAAAAAAA=")
	f.Add(good)
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := challengeFlags(b); err != nil {
			return
		}
		nc, err := ntlmssp.NewClient(ntlmssp.SetUserInfo("u", "p"), ntlmssp.SetDomain("d"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := nc.Authenticate(nil, nil); err != nil {
			t.Fatal(err)
		}
		_, _ = ntlmAuthenticate(nc, b, nil)
	})
}

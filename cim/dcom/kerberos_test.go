package dcom_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/dcom"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
	"github.com/cimsh/cimsh/cim/dcomtest"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest/kdc"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
	"github.com/jcmturner/gokrb5/v8/keytab"
)

// krbServer starts a KDC with a host/localhost service principal and a
// DCOM test server accepting Kerberos with its keys.
func krbServer(t *testing.T) (*kdc.KDC, *dcomtest.Server) {
	k, s, err := krbServerAt(t, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return k, s
}

// krbServerAt is krbServer with the endpoint mapper at addr.
func krbServerAt(t *testing.T, addr string) (*kdc.KDC, *dcomtest.Server, error) {
	t.Helper()
	k := kdc.Start(t, "")
	const spn = "host/localhost"
	pw := "Svc-" + strings.Repeat("k", 8) + time.Now().Format("150405.000000")
	k.AddUser(t, spn, pw)
	kt := keytab.New()
	for _, et := range []int32{17, 18} {
		if err := kt.AddEntry(spn, k.Realm, pw, time.Now(), 1, et); err != nil {
			t.Fatal(err)
		}
	}
	s, err := dcomtest.StartAt(addr, dcomtest.Options{Users: []ntlmserver.User{{Name: user, Password: password}}, Keytab: kt, SPN: spn, Computer: "localhost"})
	if err != nil {
		return k, nil, err
	}
	t.Cleanup(func() { s.Close() })
	return k, s, nil
}

// TestKerberos: authentication "kerberos" (RPC auth type 16) and
// "negotiate" without a password (SPNEGO carrying Kerberos from the
// ticket cache) against a real MIT KDC, at both levels: DCE-style
// three-leg handshakes, RFC 4121 wrap and MIC tokens on every PDU, the
// server counting the contexts so established.
func TestKerberos(t *testing.T) {
	k, s := krbServer(t)
	ccache := k.Kinit(t)
	_, port, _ := net.SplitHostPort(s.Addr())
	c := ctx(t)
	cases := []struct {
		name  string
		cfg   dcom.Config
		count string
	}{
		{"kerberos with a password", dcom.Config{Auth: dcom.AuthKerberos, User: k.User, Password: k.Password}, "kerberos"},
		{"kerberos from the ticket cache", dcom.Config{Auth: dcom.AuthKerberos, CCache: ccache}, "kerberos"},
		{"negotiate from the ticket cache", dcom.Config{Auth: dcom.AuthNegotiate, CCache: "FILE:" + ccache}, "spnego/kerberos"},
	}
	for _, tc := range cases {
		for _, level := range []uint8{rpc.LevelIntegrity, rpc.LevelPrivacy} {
			before := s.Authentications()[tc.count]
			cfg := tc.cfg
			cfg.Host, cfg.Port, cfg.Level, cfg.Krb5Conf, cfg.ComputerName = "localhost", atoi(t, port), level, k.Krb5Conf, "localhost"
			p, err := dcom.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			e, err := p.Enumerate(c, &model.EnumerateRequest{ClassName: "Win32_Service"})
			got := drain(t, c, e, err)
			if len(got) < 5 {
				t.Fatalf("%s at level %d: %d services", tc.name, level, len(got))
			}
			p.Close()
			if n := s.Authentications()[tc.count]; n < before+2 {
				t.Fatalf("%s at level %d: %d %s contexts (%v)", tc.name, level, n-before, tc.count, s.Authentications())
			}
		}
	}
	if s.Authentications()["ntlm"]+s.Authentications()["spnego/ntlm+mic"] != 0 {
		t.Fatalf("NTLM was used: %v", s.Authentications())
	}

	// Failures speak of the authentication the user chose.
	bad := []struct {
		cfg  dcom.Config
		want string
	}{
		{dcom.Config{Auth: dcom.AuthKerberos, User: k.User, Password: "wrong"}, `authentication="kerberos": the KDC refused the password`},
		{dcom.Config{Auth: dcom.AuthKerberos, User: k.User, Password: k.Password, SPN: "host/nowhere"}, `authentication="kerberos": cannot get a ticket for host/nowhere`},
		{dcom.Config{Auth: dcom.AuthNegotiate, CCache: t.TempDir() + "/none"}, `authentication="negotiate": no Kerberos ticket cache`},
	}
	for _, b := range bad {
		cfg := b.cfg
		cfg.Host, cfg.Port, cfg.Krb5Conf = "localhost", atoi(t, port), k.Krb5Conf
		p, _ := dcom.New(cfg)
		_, err := p.Get(c, &model.GetRequest{Path: &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "Spooler"}}}})
		f, ok := model.AsFault(err)
		if !ok || f.Category != model.CategoryAccessDenied || !strings.Contains(err.Error(), b.want) || strings.Contains(err.Error(), "wrong") {
			t.Errorf("%+v: %v", b.cfg.Auth, err)
		}
		p.Close()
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

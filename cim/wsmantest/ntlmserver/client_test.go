package ntlmserver

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/bodgit/ntlmssp"
	"github.com/cimsh/cimsh/cim/internal/ntlmsec"
)

// bodgitClient returns bodgit/ntlmssp's initiator at an LM compatibility
// level (the level type is unexported, so only constants can be passed).
func bodgitClient(t testing.TB, user, domain, password string, level int) *ntlmssp.Client {
	t.Helper()
	opt := ntlmssp.SetCompatibilityLevel(3)
	switch level {
	case 0:
		opt = ntlmssp.SetCompatibilityLevel(0)
	case 1:
		opt = ntlmssp.SetCompatibilityLevel(1)
	}
	c, err := ntlmssp.NewClient(ntlmssp.SetUserInfo(user, password), ntlmssp.SetDomain(domain),
		ntlmssp.SetWorkstation("WS1"), ntlmssp.SetVersion(ntlmssp.DefaultVersion()), opt)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// handshake runs bodgit/ntlmssp's initiator against an acceptor.
func handshake(t testing.TB, s *Server, c *ntlmssp.Client) (*Context, error) {
	t.Helper()
	a := s.NewAcceptor()
	neg, err := c.Authenticate(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	chal, err := a.Negotiate(neg)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := c.Authenticate(chal, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a.Authenticate(auth)
}

func testServer(t *testing.T) *Server {
	t.Helper()
	s, err := NewServer(Config{
		Users: []User{
			{Name: "alice", Password: "Secret-1"},
			{Name: "bob", Domain: "CORP", Password: "Hunter2!"},
		},
		DNSComputer: "localhost",
		AllowNTLMv1: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBodgitClient authenticates bodgit/ntlmssp (the library the cimsh
// client uses) and exchanges sealed messages both ways.
func TestBodgitClient(t *testing.T) {
	s := testServer(t)
	cases := []struct {
		user, domain, password string
		level                  int
		wantErr                error
		wantVersion            int
	}{
		{"alice", "", "Secret-1", 3, nil, 2},
		{"ALICE", "ANYWHERE", "Secret-1", 3, nil, 2},
		{"bob", "corp", "Hunter2!", 3, nil, 2},
		{"alice", "", "Secret-1", 1, nil, 1},
		{"alice", "", "wrong", 3, ErrLogonFailure, 0},
		{"bob", "OTHER", "Hunter2!", 3, ErrLogonFailure, 0},
		{"carol", "", "Secret-1", 3, ErrLogonFailure, 0},
		{"alice", "", "wrong", 1, ErrLogonFailure, 0},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s@%s/level%d", tc.user, tc.domain, tc.level), func(t *testing.T) {
			c := bodgitClient(t, tc.user, tc.domain, tc.password, tc.level)
			ctx, err := handshake(t, s, c)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
				if bytes.Contains([]byte(err.Error()), []byte(tc.password)) {
					t.Fatalf("error reveals the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ctx.NTLMVersion != tc.wantVersion {
				t.Fatalf("NTLM version %d, want %d", ctx.NTLMVersion, tc.wantVersion)
			}
			// NTLMv2 against a challenge with a timestamp carries a MIC,
			// which SPNEGO answers with mechListMICs.
			if ctx.MIC != (tc.wantVersion == 2) {
				t.Fatalf("MIC %v for NTLMv%d", ctx.MIC, tc.wantVersion)
			}
			if ctx.Flags&FlagSeal == 0 || ctx.Session == nil {
				t.Fatalf("sealing not negotiated: flags %#x", ctx.Flags)
			}
			cs := c.SecuritySession()
			for i := 0; i < 3; i++ {
				req := []byte(fmt.Sprintf("<request n='%d'/>", i))
				sealed, sig, err := cs.Wrap(req)
				if err != nil {
					t.Fatal(err)
				}
				got, err := ctx.Session.Unseal(sealed, sig)
				if err != nil || !bytes.Equal(got, req) {
					t.Fatalf("request %d: %q, %v", i, got, err)
				}
				resp := bytes.Repeat([]byte("response "), i+1)
				sealed, sig, err = ctx.Session.Seal(resp)
				if err != nil {
					t.Fatal(err)
				}
				got, err = cs.Unwrap(sealed, sig)
				if err != nil || !bytes.Equal(got, resp) {
					t.Fatalf("response %d: %q, %v", i, got, err)
				}
			}
		})
	}
}

// TestMICTampering changes one byte covered by the MIC: the acceptor must
// refuse the message even though the NTLMv2 proof still verifies.
func TestMICTampering(t *testing.T) {
	s := testServer(t)
	c := bodgitClient(t, "alice", "", "Secret-1", 3)
	a := s.NewAcceptor()
	neg, _ := c.Authenticate(nil, nil)
	chal, err := a.Negotiate(neg)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := c.Authenticate(chal, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The Version field (bytes 64..72) is covered by the MIC only.
	auth[66] ^= 0xff
	if _, err := a.Authenticate(auth); !errors.Is(err, ErrLogonFailure) {
		t.Fatalf("tampered AUTHENTICATE: %v", err)
	}
}

// TestStateMachine checks out-of-order messages.
func TestStateMachine(t *testing.T) {
	s := testServer(t)
	a := s.NewAcceptor()
	if _, err := a.Authenticate(authMsg(0, nil, nil, "", "", "", nil, false)); !errors.Is(err, ErrState) {
		t.Fatalf("AUTHENTICATE first: %v", err)
	}
	a = s.NewAcceptor()
	if _, err := a.Negotiate(negotiateMsg(FlagUnicode)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Negotiate(negotiateMsg(FlagUnicode)); !errors.Is(err, ErrState) {
		t.Fatalf("second NEGOTIATE: %v", err)
	}
	// Anonymous logon (empty NT response) is refused.
	a = s.NewAcceptor()
	a.Negotiate(negotiateMsg(FlagUnicode))
	if _, err := a.Authenticate(authMsg(FlagUnicode, []byte{0}, nil, "", "", "", nil, false)); !errors.Is(err, ErrLogonFailure) {
		t.Fatalf("anonymous: %v", err)
	}
}

// TestChallengeShape checks the target information of a default
// challenge: names, a timestamp, flags granted only when asked.
func TestChallengeShape(t *testing.T) {
	s := testServer(t)
	a := s.NewAcceptor()
	chal, err := a.Negotiate(negotiateMsg(FlagUnicode | FlagSeal | FlagSign | FlagKeyExch | Flag128 | FlagExtendedSessionSecurity | FlagLMKey | FlagRequestTarget))
	if err != nil {
		t.Fatal(err)
	}
	flags := leUint32(chal[20:])
	for _, f := range []uint32{FlagUnicode, FlagSeal, FlagSign, FlagKeyExch, Flag128, FlagExtendedSessionSecurity, FlagNTLM, FlagTargetInfo, FlagRequestTarget} {
		if flags&f == 0 {
			t.Errorf("flag %#x missing from %#x", f, flags)
		}
	}
	for _, f := range []uint32{FlagLMKey, Flag56, FlagOEM} {
		if flags&f != 0 {
			t.Errorf("flag %#x granted unasked or unsupported: %#x", f, flags)
		}
	}
	ti, err := field(chal, 40, "TargetInfo")
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := avPairs(ti)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(pairs[avNbComputerName]); got != string(ntlmsec.UTF16("CIMSH")) {
		t.Errorf("NetBIOS computer %q", got)
	}
	if got := string(pairs[avDNSComputerName]); got != string(ntlmsec.UTF16("localhost")) {
		t.Errorf("DNS computer %q", got)
	}
	if len(pairs[avTimestamp]) != 8 {
		t.Errorf("timestamp %x", pairs[avTimestamp])
	}
}

func leUint32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

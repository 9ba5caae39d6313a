package e2e

import (
	"testing"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

// The user name forms NTLM accepts, and passwords with characters that
// need care (':' in Basic, non-ASCII in both: UTF-8 for Basic, UTF-16
// for NTLM).
func TestCredentialForms(t *testing.T) {
	const odd = "Pä$$:wörd ✓ \"quoted\""
	basic := basicServer(t, wsmantest.Windows, wsmantest.Options{BasicUsers: map[string]string{"odd": odd}})
	ntlm := wsmantest.NewServer(t, wsmantest.Options{NTLMUsers: []ntlmserver.User{{Name: "Operator", Password: odd}}})
	cases := []struct {
		name string
		srv  *wsmantest.Server
		auth cim.Authentication
		user string
		want string
		opt  cim.SessionOption
	}{
		{"basic", basic, cim.AuthBasic, "odd", "odd", cim.SessionOption{NoEncryption: true}},
		{"ntlm-bare", ntlm, cim.AuthNTLM, "Operator", "Operator", cim.SessionOption{}},
		{"ntlm-domain-backslash", ntlm, cim.AuthNTLM, `WORKGROUP\Operator`, "Operator", cim.SessionOption{}},
		{"ntlm-user-at-domain", ntlm, cim.AuthNTLM, "Operator@WORKGROUP", "Operator", cim.SessionOption{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(tc.srv.Requests())
			s := open(t, config(tc.srv, tc.auth, cim.NewCredential(tc.user, odd), tc.opt))
			if _, err := s.Test(testCtx(t)); err != nil {
				noSecret(t, err, odd)
				t.Fatalf("%s as %q: %v", tc.auth, tc.user, err)
			}
			if l := tc.srv.Requests()[before:]; len(l) != 1 || l[0].User != tc.want {
				t.Fatalf("server saw %+v", l)
			}
		})
	}
}

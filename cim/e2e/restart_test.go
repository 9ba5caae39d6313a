package e2e

import (
	"net"
	"strconv"
	"testing"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/internal/testenv"
)

// A server that goes away makes operations fail as unreachable; once it
// is back on the same port, the same session carries on (new connection,
// new NTLM handshake), as after a WinRM service restart.
func TestServerRestart(t *testing.T) {
	for _, auth := range []cim.Authentication{cim.AuthBasic, cim.AuthNTLM} {
		t.Run(string(auth), func(t *testing.T) {
			opts := wsmantest.Options{BasicUsers: basicUsers, AllowUnencrypted: true, NTLMUsers: ntlmUsers}
			first, err := wsmantest.Start(opts)
			if err != nil {
				t.Fatal(err)
			}
			port := first.Port()
			cred := cim.NewCredential(basicUser, basicPassword)
			opt := cim.SessionOption{NoEncryption: true}
			if auth == cim.AuthNTLM {
				cred, opt = cim.NewCredential(ntlmUser, ntlmPassword), cim.SessionOption{}
			}
			s := open(t, cim.Config{ComputerName: "127.0.0.1", Port: port, Authentication: auth, Credential: cred, Option: opt})
			ctx := testCtx(t)
			svc := ref("Win32_Service", "root/cimv2", "Name", "WinRM")
			if _, err := s.GetInstance(ctx, svc, cim.Options{}); err != nil {
				t.Fatal(err)
			}
			first.Close()

			_, err = s.GetInstance(ctx, svc, cim.Options{})
			if f := mustFault(t, "a stopped server", err); f.Category != model.CategoryUnreachable {
				t.Errorf("stopped server: %v", err)
			}

			second, err := wsmantest.StartAt(net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), opts)
			if err != nil {
				testenv.Skip(t, "the port of a stopped server was taken by another program before the restart", port, err)
			}
			defer second.Close()
			if _, err := s.GetInstance(ctx, svc, cim.Options{}); err != nil {
				t.Fatalf("after the restart: %v", err)
			}
			if c := second.Counters(); c.Connections != 1 || len(second.Requests()) != 1 {
				t.Errorf("after the restart: %+v, %v", c, second.Operations())
			}
		})
	}
}

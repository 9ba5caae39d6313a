package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

// An NTLM connection is dropped after a cancelled request (its sealing
// sequence is unknown then): the next request makes a new connection and
// a new handshake, and succeeds.
func TestNTLMCancelledRequestDropsConnection(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := wsmantest.NewServer(t, wsmantest.Options{Dialect: d, NTLMUsers: ntlmUsers})
		s := open(t, config(srv, cim.AuthNTLM, cim.NewCredential(ntlmUser, ntlmPassword), cim.SessionOption{}))
		ctx := testCtx(t)
		svc := ref("Win32_Service", "root/cimv2", "Name", "WinRM")
		if _, err := s.GetInstance(ctx, svc, cim.Options{}); err != nil {
			t.Fatal(err)
		}
		srv.InjectFault(wsmantest.MatchOperation("Get"), wsmantest.FaultSpec{Subcode: "w:InternalError", Delay: 3 * time.Second})
		short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		_, err := s.GetInstance(short, svc, cim.Options{})
		if f := mustFault(t, "a cancelled Get", err); f.Category != model.CategoryTimeout {
			t.Errorf("cancelled Get: %v", err)
		}
		srv.ClearFaults()
		if _, err := s.GetInstance(ctx, svc, cim.Options{}); err != nil {
			t.Fatalf("Get after the cancel: %v", err)
		}
		if c := srv.Counters(); c.Connections != 2 || c.Handshakes != 2 {
			t.Errorf("after a cancelled request: %d connections, %d handshakes; want 2 and 2", c.Connections, c.Handshakes)
		}
	})
}

// Two NTLM sessions with different users against one server never share
// a connection: every request is logged under its own session's user.
func TestNTLMSessionsKeepTheirIdentity(t *testing.T) {
	srv := wsmantest.NewServer(t, wsmantest.Options{NTLMUsers: []ntlmserver.User{
		{Name: "alice", Password: "Alice-Pa55"}, {Name: "bob", Password: "Bob-Pa55"}}})
	alice := open(t, config(srv, cim.AuthNTLM, cim.NewCredential("alice", "Alice-Pa55"), cim.SessionOption{}))
	bob := open(t, config(srv, cim.AuthNTLM, cim.NewCredential("bob", "Bob-Pa55"), cim.SessionOption{}))
	ctx := testCtx(t)
	want := ""
	for i := 0; i < 6; i++ {
		s, user := alice, "alice"
		if i%2 == 1 {
			s, user = bob, "bob"
		}
		if _, err := s.Test(ctx); err != nil {
			t.Fatalf("%s: %v", user, err)
		}
		want += user + ","
	}
	got := ""
	for _, l := range srv.Requests() {
		got += l.User + ","
	}
	if got != want {
		t.Fatalf("server saw users %s, want %s", got, want)
	}
	if c := srv.Counters(); c.Connections != 2 || c.Handshakes != 2 {
		t.Errorf("%d connections, %d handshakes for two sessions", c.Connections, c.Handshakes)
	}
}

package dcomtest

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
	"github.com/cimsh/cimsh/cim/dcom/orpc"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

const testUser, testPassword = "wmiuser", "Dc0m-Pass!"

func startServer(t *testing.T) *Server {
	t.Helper()
	s, err := Start(Options{Users: []ntlmserver.User{{Name: testUser, Password: testPassword}}, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func activate(t *testing.T, s *Server, cfg rpc.Config) (*orpc.ActivationReply, error) {
	t.Helper()
	ctx := testCtx(t)
	c, err := rpc.Dial(ctx, s.Addr(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return orpc.RemoteCreateInstance(ctx, c, &orpc.ActivationRequest{CLSID: orpc.CLSIDWbemLevel1Login,
		IIDs: []ndr.GUID{orpc.IIDWbemLevel1Login}, ImpLevel: 3, Protseqs: []uint16{orpc.TowerTCP}})
}

// TestActivation activates WbemLevel1Login over NTLM at both levels,
// follows the OXID binding to the object exporter and releases the
// interface through IRemUnknown.
func TestActivation(t *testing.T) {
	for _, level := range []uint8{rpc.LevelIntegrity, rpc.LevelPrivacy} {
		s := startServer(t)
		cfg := rpc.Config{User: testUser, Password: testPassword, AuthType: rpc.AuthWinNT, Level: level}
		rep, err := activate(t, s, cfg)
		if err != nil {
			t.Fatalf("level %d: %v", level, err)
		}
		if rep.AuthnHint != uint32(level) {
			t.Errorf("authn hint %d, want %d", rep.AuthnHint, level)
		}
		host, port, ok := rep.Bindings.TCPEndpoint()
		if !ok || host != "DCOMTEST" || len(rep.Bindings.Strings) != 2 || rep.Bindings.Strings[1].Addr != "127.0.0.1["+port+"]" {
			t.Fatalf("OXID bindings %+v, want the computer's name and %s", rep.Bindings, s.ExporterAddr())
		}
		host = "127.0.0.1"
		o, err := orpc.ParseObjref(rep.Interfaces[0])
		if err != nil || o.Std == nil || o.IID != orpc.IIDWbemLevel1Login {
			t.Fatalf("interface %+v: %v", o, err)
		}
		if s.Objects() != 1 {
			t.Fatalf("%d objects exported, want 1", s.Objects())
		}
		ctx := testCtx(t)
		c, err := rpc.Dial(ctx, net.JoinHostPort(host, port), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := orpc.RemRelease(ctx, c, rep.IPIDRemUnknown, o.Std.IPID); err != nil {
			t.Fatal(err)
		}
		c.Close()
		if s.Objects() != 0 {
			t.Errorf("%d objects after RemRelease, want 0", s.Objects())
		}
	}
}

// TestActivationRefused: a wrong password, no authentication and the
// connect level are all refused with access denied.
func TestActivationRefused(t *testing.T) {
	s := startServer(t)
	for name, cfg := range map[string]rpc.Config{
		"wrong password": {User: testUser, Password: "nope", AuthType: rpc.AuthWinNT, Level: rpc.LevelPrivacy},
		"anonymous":      {},
		"connect level":  {User: testUser, Password: testPassword, AuthType: rpc.AuthWinNT, Level: rpc.LevelConnect},
	} {
		_, err := activate(t, s, cfg)
		var f *rpc.Fault
		if !errors.As(err, &f) || !f.AccessDenied() {
			t.Errorf("%s: %v, want access denied", name, err)
		}
	}
}

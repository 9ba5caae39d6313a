package dcom_test

import (
	"net"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/dcom"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
	"github.com/cimsh/cimsh/cim/dcomtest"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

// TestNegotiate: authentication "negotiate" is SPNEGO (RPC auth type 9)
// carrying NTLM, with the mechListMIC exchange, at both levels: the
// server counts contexts established that way (and none as raw NTLM),
// and every operation's PDUs verify and unseal after the MIC.
func TestNegotiate(t *testing.T) {
	s := start(t)
	host, _, _ := net.SplitHostPort(s.Addr())
	c := ctx(t)
	for _, level := range []uint8{rpc.LevelIntegrity, rpc.LevelPrivacy} {
		p, err := dcom.New(dcom.Config{Host: host, Port: s.Port(), User: user, Password: password, Auth: dcom.AuthNegotiate, Level: level, ComputerName: "DCOMTEST"})
		if err != nil {
			t.Fatal(err)
		}
		e, err := p.Enumerate(c, &model.EnumerateRequest{ClassName: "Win32_Service"})
		got := drain(t, c, e, err)
		if len(got) < 5 {
			t.Fatalf("level %d: %d services", level, len(got))
		}
		p.Close()
	}
	auths := s.Authentications()
	if auths["spnego/ntlm+mic"] < 4 || auths["ntlm"] != 0 {
		t.Fatalf("contexts established: %v", auths)
	}
	bad, _ := dcom.New(dcom.Config{Host: host, Port: s.Port(), User: user, Password: "wrong", Auth: dcom.AuthNegotiate})
	defer bad.Close()
	_, err := bad.Get(c, &model.GetRequest{Path: &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "Spooler"}}}})
	if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryAccessDenied || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("wrong password: %v", err)
	}
}

func startLog(t *testing.T) *dcomtest.Server {
	s, err := dcomtest.Start(dcomtest.Options{Users: []ntlmserver.User{{Name: user, Password: password}}, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

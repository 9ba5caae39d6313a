package wsmantest_test

import (
	"context"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsman/transport"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

// NTLM with message sealing through the server's NTLMUsers option: 50
// requests on one connection make exactly one handshake, two after the
// server drops the idle connection, and the logged user is the NTLM one.
func TestE2ENTLMSealedHandshakes(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		s := wsmantest.NewServer(t, wsmantest.Options{Dialect: d,
			NTLMUsers: []ntlmserver.User{{Name: "Administrator", Password: "Ntlm-Pa55word"}}})
		tr, err := transport.New(transport.Config{Host: s.Host(), Port: s.Port(), Auth: transport.AuthNTLM,
			User: `WORKGROUP\Administrator`, Password: "Ntlm-Pa55word"})
		if err != nil {
			t.Fatal(err)
		}
		c := wsman.NewClient(tr, wsman.Options{Endpoint: s.URL(), NoSchema: true})
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		path := &model.GetRequest{Path: &model.Reference{ClassName: "Win32_LogicalDisk", Namespace: "root/cimv2",
			Selectors: []model.Selector{{Name: "DeviceID", Value: "D:"}}}}
		for i := 0; i < 50; i++ {
			inst, err := c.Get(ctx, path)
			if err != nil {
				t.Fatalf("Get #%d: %v", i, err)
			}
			if v, _ := inst.Get("VolumeName"); v.Text() != "New Volume" {
				t.Fatalf("VolumeName %v", v)
			}
		}
		if got := s.Counters(); got.Handshakes != 1 || got.Connections != 1 {
			t.Fatalf("after 50 requests: %+v", got)
		}
		if l := s.Requests(); len(l) != 50 || l[0].User != "Administrator" {
			t.Fatalf("%d logged, user %q", len(l), l[0].User)
		}
		for deadline := time.Now().Add(2 * time.Second); s.DropIdleConnections() == 0 && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		if _, err := c.Get(ctx, path); err != nil {
			t.Fatalf("Get after the drop: %v", err)
		}
		if got := s.Counters(); got.Handshakes != 2 || got.Connections != 2 || len(s.Requests()) != 51 {
			t.Fatalf("after a dropped connection: %+v, %d logged", got, len(s.Requests()))
		}
	})
}

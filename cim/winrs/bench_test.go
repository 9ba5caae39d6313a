package winrs_test

import (
	"context"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/winrs"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// BenchmarkRunEcho is one short command end to end over loopback (Basic):
// Create, Command, Receive, Delete.
func BenchmarkRunEcho(b *testing.B) {
	s := wsmantest.NewServer(b, wsmantest.Options{BasicUsers: map[string]string{testUser: testPassword}, AllowUnencrypted: true})
	r, _ := benchRunner(b, s)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := r.RunCommand(ctx, &model.CommandRequest{Command: "echo hi"})
		if err != nil || string(res.Stdout) != "hi\r\n" {
			b.Fatal(err)
		}
	}
}

func benchRunner(b *testing.B, s *wsmantest.Server) (*winrs.Runner, error) {
	tr, err := newTransport(s)
	if err != nil {
		b.Fatal(err)
	}
	r, err := winrs.New(tr, winrs.Options{Endpoint: s.URL()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close(); tr.Close() })
	return r, nil
}

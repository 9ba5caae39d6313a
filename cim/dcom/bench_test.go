package dcom_test

import (
	"context"
	"fmt"
	"net"
	"testing"

	"github.com/cimsh/cimsh/cim/dcom"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
	"github.com/cimsh/cimsh/cim/dcomtest"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

// BenchmarkEnumerate reads Win32_Service (8 instances) over an open
// DCOM connection: ExecQuery, one Next, the release.
func BenchmarkEnumerate(b *testing.B) {
	for _, level := range []uint8{rpc.LevelIntegrity, rpc.LevelPrivacy} {
		b.Run(fmt.Sprintf("level%d", level), func(b *testing.B) {
			s, err := dcomtest.Start(dcomtest.Options{Users: []ntlmserver.User{{Name: user, Password: password}}})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			host, _, _ := net.SplitHostPort(s.Addr())
			p, _ := dcom.New(dcom.Config{Host: host, Port: s.Port(), User: user, Password: password, Level: level})
			defer p.Close()
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				e, err := p.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service"})
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for e.Next(ctx) {
					n++
				}
				e.Close()
				if n != 8 || e.Err() != nil {
					b.Fatalf("%d instances: %v", n, e.Err())
				}
			}
		})
	}
}

// BenchmarkConnect is a session's first operation: activation on the
// endpoint mapper, the object exporter connection, NTLMLogin, a GetObject.
func BenchmarkConnect(b *testing.B) {
	s, err := dcomtest.Start(dcomtest.Options{Users: []ntlmserver.User{{Name: user, Password: password}}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	host, _, _ := net.SplitHostPort(s.Addr())
	ctx := context.Background()
	for b.Loop() {
		p, _ := dcom.New(dcom.Config{Host: host, Port: s.Port(), User: user, Password: password})
		if _, err := p.GetClass(ctx, &model.GetClassRequest{ClassName: "Win32_Service"}); err != nil {
			b.Fatal(err)
		}
		p.Close()
	}
}

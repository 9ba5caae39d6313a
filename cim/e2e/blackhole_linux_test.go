//go:build linux

package e2e

import (
	"context"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// blackholePort returns a loopback port whose listen queue is full and
// never drained: the kernel drops further SYNs, so a connect hangs as it
// does to a host that is down without refusing.
func blackholePort(t *testing.T) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	port := sa.(*syscall.SockaddrInet4).Port
	for i := 0; i < 16; i++ {
		c, err := net.DialTimeout("tcp4", (&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}).String(), 100*time.Millisecond)
		if err != nil {
			return port
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("e2e: could not fill a listen queue on this kernel")
	return 0
}

// A host that never answers the connect costs the connect timeout, not
// the operation timeout, and does not hold up the other sessions of a
// fan-out.
func TestEachConnectTimeout(t *testing.T) {
	live := basicServer(t, wsmantest.Windows, wsmantest.Options{})
	hole := blackholePort(t)
	const connectTimeout = 700 * time.Millisecond
	mk := func(port int) *cim.Session {
		return open(t, cim.Config{ComputerName: "127.0.0.1", Port: port, Authentication: cim.AuthBasic,
			Credential: cim.NewCredential(basicUser, basicPassword), ConnectTimeout: connectTimeout,
			Option: cim.SessionOption{NoEncryption: true}})
	}
	sessions := []*cim.Session{mk(hole), mk(live.Port())}
	var liveDone time.Duration
	start := time.Now()
	errs := cim.Each(testCtx(t), sessions, 0, func(ctx context.Context, s *cim.Session) error {
		_, err := s.Test(ctx)
		if s.Port() == live.Port() {
			liveDone = time.Since(start)
		}
		return err
	})
	took := time.Since(start)
	t.Logf("black hole: %v after %v", errs[0], took)
	if took < connectTimeout/2 || took > connectTimeout+time.Second {
		t.Errorf("the fan-out took %v with a %v connect timeout", took, connectTimeout)
	}
	f := mustFault(t, "a host that never answers", errs[0])
	if f.Category != model.CategoryTimeout && f.Category != model.CategoryUnreachable {
		t.Errorf("black hole: category %s: %v", f.Category, errs[0])
	}
	if errs[1] != nil {
		t.Errorf("live host: %v", errs[1])
	}
	if liveDone > connectTimeout/2 {
		t.Errorf("the live host waited for the dead one (%v)", liveDone)
	}
}

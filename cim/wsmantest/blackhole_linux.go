//go:build linux

package wsmantest

import (
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/cimsh/cimsh/internal/testenv"
)

// BlackholePort returns a port on 127.0.0.1 whose listen queue is full
// and never drained: the kernel drops further SYNs, so a connect hangs as
// it does to a host that is down without refusing. It skips the test
// where the queue cannot be filled (and off Linux).
func BlackholePort(t testing.TB) int {
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
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for i := 0; i < 16; i++ {
		c, err := net.DialTimeout("tcp4", addr, 100*time.Millisecond)
		if err != nil {
			return port // the queue is full
		}
		t.Cleanup(func() { c.Close() })
	}
	testenv.Skip(t, "a connect that hangs (a full listen queue) cannot be made on this kernel")
	return 0
}

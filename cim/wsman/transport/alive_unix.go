//go:build unix

package transport

import (
	"errors"
	"net"
	"syscall"
)

// peekClosed reports whether the peer has closed (or reset) an idle
// connection, or sent something unsolicited, without blocking: Go's
// sockets are non-blocking, so a MSG_PEEK receive answers EAGAIN when the
// idle connection is healthy.
func peekClosed(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return peekClosedDeadline(c)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	closed := false
	var buf [1]byte
	err = rc.Read(func(fd uintptr) bool {
		n, _, rerr := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK)
		switch {
		case rerr == nil:
			closed = true // n == 0 is EOF; n > 0 is unsolicited data
			_ = n
		case errors.Is(rerr, syscall.EAGAIN), errors.Is(rerr, syscall.EWOULDBLOCK), errors.Is(rerr, syscall.EINTR):
		default:
			closed = true
		}
		return true
	})
	return closed || err != nil
}

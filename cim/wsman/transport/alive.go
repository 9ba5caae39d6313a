package transport

import (
	"errors"
	"net"
	"os"
	"time"
)

// peekClosedDeadline is the portable liveness check: a read with a
// deadline of a millisecond succeeds or fails at once on a dead or
// chatty connection and times out on a healthy idle one. It may consume
// a byte, so it is used only where that byte would mean the connection
// must be dropped anyway.
func peekClosedDeadline(c net.Conn) bool {
	if err := c.SetReadDeadline(time.Now().Add(time.Millisecond)); err != nil {
		return true
	}
	var buf [1]byte
	_, err := c.Read(buf[:])
	_ = c.SetReadDeadline(time.Time{})
	return !errors.Is(err, os.ErrDeadlineExceeded)
}

// usable reports whether an idle connection can carry another request.
func (cn *conn) usable() bool {
	if cn.br.Buffered() > 0 {
		return false
	}
	return !peekClosed(cn.raw)
}

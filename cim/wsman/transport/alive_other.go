//go:build !unix

package transport

import "net"

func peekClosed(c net.Conn) bool { return peekClosedDeadline(c) }

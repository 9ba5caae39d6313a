package e2e

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
)

// wireProxy is a loopback TCP relay in front of a test server that keeps
// every byte the client sent, so a test can see what crossed the wire
// (sealed or not) rather than what the server made of it.
type wireProxy struct {
	ln   net.Listener
	dest string

	mu    sync.Mutex
	sent  bytes.Buffer
	conns int
}

// newWireProxy relays 127.0.0.1:<Port()> to dest until the test ends.
func newWireProxy(t *testing.T, dest string) *wireProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &wireProxy{ln: ln, dest: dest}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns++
			p.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				p.relay(c)
			}()
		}
	}()
	return p
}

func (p *wireProxy) relay(c net.Conn) {
	defer c.Close()
	s, err := net.Dial("tcp", p.dest)
	if err != nil {
		return
	}
	defer s.Close()
	done := make(chan struct{})
	go func() {
		io.Copy(c, s)
		c.Close()
		close(done)
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			p.mu.Lock()
			p.sent.Write(buf[:n])
			p.mu.Unlock()
			if _, werr := s.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	s.Close()
	<-done
}

// Port is the port clients connect to.
func (p *wireProxy) Port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// Sent returns every byte clients sent so far.
func (p *wireProxy) Sent() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]byte(nil), p.sent.Bytes()...)
}

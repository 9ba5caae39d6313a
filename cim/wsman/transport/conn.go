package transport

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman/sealed"
)

// maxReplyBody bounds a reply body: far above any MaxEnvelopeSize, low
// enough that a broken or hostile server cannot exhaust memory.
const maxReplyBody = 64 << 20

// maxReplyHeader bounds the reply's header block.
const maxReplyHeader = 1 << 20

// aLongTimeAgo is a deadline that makes blocked I/O return at once.
var aLongTimeAgo = time.Unix(1, 0)

// countingConn counts the bytes written since the last reset, so that a
// failed request knows whether the server may have seen any of it.
type countingConn struct {
	net.Conn
	written atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.written.Add(int64(n))
	return n, err
}

// conn is one HTTP/1.1 connection and the authentication state bound to
// it. A conn is used by one request at a time.
type conn struct {
	raw net.Conn      // the TCP connection, for liveness checks
	cc  *countingConn // counts bytes written to raw
	nc  net.Conn      // cc, or a TLS client over cc
	lr  *io.LimitedReader
	br  *bufio.Reader // reads nc through lr
	tls *tls.ConnectionState

	// Authentication bound to the connection.
	authed bool   // NTLM or Kerberos context established
	seal   sealer // message sealing, when the connection seals

	legs []traceLeg // the HTTP requests of the exchange, when tracing
}

func (cn *conn) close() { _ = cn.nc.Close() }

// reply is one HTTP response, body read in full.
type reply struct {
	status      int
	contentType string
	header      http.Header
	body        []byte
	fault       *model.Fault // a non-200 reply's fault, decoded as it streamed (body holds its start)
	close       bool         // the server will close the connection
}

// header is one request header line.
type header struct{ name, value string }

// dial opens a TCP connection (and TLS over it) within ConnectTimeout.
func (c *Client) dial(ctx context.Context) (*conn, error) {
	dctx, cancel := context.WithTimeout(ctx, c.cfg.ConnectTimeout)
	defer cancel()
	d := net.Dialer{KeepAlive: 30 * time.Second}
	raw, err := d.DialContext(dctx, "tcp", c.cfg.addr())
	if err != nil {
		if ctx.Err() == nil && (dctx.Err() != nil || isTimeout(err)) {
			err = fmt.Errorf("no connection within %s: %w", c.cfg.ConnectTimeout, err)
		}
		return nil, c.netFault(ctx, "connect to", err)
	}
	c.stats.dials.Add(1)
	cn := &conn{raw: raw, cc: &countingConn{Conn: raw}}
	cn.nc = cn.cc
	if c.cfg.HTTPS {
		tc, err := c.tlsConfig()
		if err != nil {
			_ = raw.Close()
			return nil, err
		}
		t := tls.Client(cn.cc, tc)
		if err := t.HandshakeContext(dctx); err != nil {
			_ = raw.Close()
			if ctx.Err() == nil && (dctx.Err() != nil || isTimeout(err)) {
				err = fmt.Errorf("no TLS handshake within %s: %w", c.cfg.ConnectTimeout, err)
			}
			return nil, c.netFault(ctx, "TLS handshake with", err)
		}
		st := t.ConnectionState()
		cn.tls = &st
		cn.nc = t
	}
	cn.lr = &io.LimitedReader{R: cn.nc}
	cn.br = bufio.NewReaderSize(cn.lr, 32<<10)
	return cn, nil
}

// roundTrip writes one POST and reads its reply. ctx cancellation
// interrupts blocked I/O; the connection is then unusable, and the caller
// closes it on any error.
func (c *Client) roundTrip(ctx context.Context, cn *conn, hdrs []header, body []byte) (*reply, error) {
	stop := context.AfterFunc(ctx, func() { _ = cn.nc.SetDeadline(aLongTimeAgo) })
	defer stop()

	var b bytes.Buffer
	b.Grow(512 + len(body))
	b.WriteString("POST " + c.cfg.Prefix + " HTTP/1.1\r\n")
	b.WriteString("Host: " + c.cfg.addr() + "\r\n")
	b.WriteString("User-Agent: " + c.cfg.UserAgent + "\r\n")
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	for _, h := range hdrs {
		b.WriteString(h.name + ": " + h.value + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(body)

	cn.cc.written.Store(0)
	c.stats.requests.Add(1)
	sent := time.Now()
	if _, err := cn.nc.Write(b.Bytes()); err != nil {
		c.traceLeg(cn, hdrs, nil, time.Since(sent))
		return nil, err
	}
	cn.lr.N = maxReplyHeader + maxReplyBody // bounds the header block too
	resp, err := http.ReadResponse(cn.br, nil)
	// Skip interim 1xx replies (an unsolicited 100 Continue).
	for i := 0; err == nil && resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != 101 && i < 8; i++ {
		_ = resp.Body.Close()
		resp, err = http.ReadResponse(cn.br, nil)
	}
	c.traceLeg(cn, hdrs, resp, time.Since(sent))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	rep := &reply{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), header: resp.Header}
	lim := &io.LimitedReader{R: resp.Body, N: maxReplyBody + 1}
	if rep.status != http.StatusOK && !sealed.IsEncrypted(rep.contentType) {
		// A fault is decoded as it streams, never held whole.
		if rep.fault, rep.body, err = readFault(rep.status, lim); err != nil {
			return nil, err
		}
	} else if rep.body, err = readBody(lim, resp.ContentLength, &c.bufs); err != nil {
		return nil, err
	}
	if lim.N <= 0 {
		return nil, fmt.Errorf("reply body exceeds %d bytes", maxReplyBody)
	}
	rep.close = resp.Close || cn.br.Buffered() > 0
	return rep, nil
}

// maxPresize bounds the buffer readBody sizes from a Content-Length
// before the bytes arrive (a header alone must not make it allocate
// maxReplyBody); a longer reply grows as it comes.
const maxPresize = 16 << 20

// readBody reads a reply body whole into one buffer sized from its
// Content-Length when it has one (io.ReadAll would grow it step by step
// from 512 bytes, copying a page of an enumeration about twenty times),
// taken from bufs when one there is large enough.
func readBody(r io.Reader, contentLength int64, bufs *bufPool) ([]byte, error) {
	if contentLength <= 0 {
		return io.ReadAll(r)
	}
	want := int(min(contentLength, maxPresize)) + bytes.MinRead
	buf := bufs.get(want)
	if buf == nil {
		// Room for a somewhat longer reply: the next page of an
		// enumeration is read into this buffer when it fits.
		buf = make([]byte, 0, want+want/8)
	}
	b := bytes.NewBuffer(buf)
	_, err := b.ReadFrom(r)
	return b.Bytes(), err
}

// maxPooled is how many reply buffers a client keeps for reuse: about
// the pages an enumeration holds ahead of its consumer.
const maxPooled = 6

// bufPool keeps the buffers of replies handed back by Recycle, so that a
// stream of pages is read into the same few buffers: no fresh memory to
// fault in and zero for every page.
type bufPool struct {
	mu   sync.Mutex
	free [][]byte
}

// get returns an empty buffer of at least n bytes' capacity, or nil.
func (p *bufPool) get(n int) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, b := range p.free {
		if cap(b) >= n {
			last := len(p.free) - 1
			p.free[i] = p.free[last]
			p.free[last] = nil
			p.free = p.free[:last]
			return b[:0]
		}
	}
	return nil
}

// put keeps b for a later reply, replacing the smallest kept when full.
func (p *bufPool) put(b []byte) {
	if cap(b) == 0 || cap(b) > maxPresize+bytes.MinRead {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) < maxPooled {
		p.free = append(p.free, b[:0])
		return
	}
	small := 0
	for i, f := range p.free {
		if cap(f) < cap(p.free[small]) {
			small = i
		}
	}
	if cap(b) > cap(p.free[small]) {
		p.free[small] = b[:0]
	}
}

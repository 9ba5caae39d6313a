package wsmantest

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
)

// Reply is an answer the server is about to send, handed to a rewrite
// registered with RewriteReplies. A rewrite may change any field.
type Reply struct {
	Status int         // the HTTP status (200 for a normal answer)
	Header http.Header // the response headers (Content-Length is recomputed)
	Body   []byte      // the envelope as the server built it
	// Stream, when a rewrite sets it, is sent as the body instead of
	// Body, chunked: a reply too large to build in memory (a 60 MB
	// fault) costs the server nothing but the copy buffer.
	Stream io.Reader
}

// rewriting is a pending reply rewrite.
type rewriting struct {
	match   func(*LoggedRequest) bool
	rewrite func(*LoggedRequest, *Reply)
	left    int // negative: forever
}

// RewriteReplies passes the answer to the next request that match
// accepts (nil accepts every request) through rewrite before it is sent:
// times requests (0 means once, negative every one). It models servers
// that answer wrongly: a reply to another request, a forged Action, a
// value that does not fit its type, a huge fault. Rewrites run after
// faults and latency are applied and before HTTP message sealing, and
// are consumed in the order they were added.
func (s *Server) RewriteReplies(match func(*LoggedRequest) bool, times int, rewrite func(*LoggedRequest, *Reply)) {
	if times == 0 {
		times = 1
	}
	s.mu.Lock()
	s.rewrites = append(s.rewrites, &rewriting{match: match, rewrite: rewrite, left: times})
	s.mu.Unlock()
}

// takeRewrite returns the rewrite for l, consuming one use of it.
func (s *Server) takeRewrite(l *LoggedRequest) func(*LoggedRequest, *Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, rw := range s.rewrites {
		if rw.match != nil && !rw.match(l) {
			continue
		}
		if rw.left > 0 {
			rw.left--
			if rw.left == 0 {
				s.rewrites = append(s.rewrites[:i:i], s.rewrites[i+1:]...)
			}
		}
		return rw.rewrite
	}
	return nil
}

// rewriteWriter holds back what the handler writes, so that a rewrite
// sees the whole reply before anything goes out.
type rewriteWriter struct {
	w        http.ResponseWriter
	header   http.Header
	status   int
	body     bytes.Buffer
	hijacked bool
}

func newRewriteWriter(w http.ResponseWriter) *rewriteWriter {
	return &rewriteWriter{w: w, header: http.Header{}}
}

func (rw *rewriteWriter) Header() http.Header { return rw.header }

func (rw *rewriteWriter) WriteHeader(status int) {
	if rw.status == 0 {
		rw.status = status
	}
}

func (rw *rewriteWriter) Write(p []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	return rw.body.Write(p)
}

// Hijack lets a dropped connection through: there is no reply to rewrite.
func (rw *rewriteWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	rw.hijacked = true
	return http.NewResponseController(rw.w).Hijack()
}

// send runs the rewrite and writes the result.
func (rw *rewriteWriter) send(l *LoggedRequest, rewrite func(*LoggedRequest, *Reply)) {
	if rw.hijacked {
		return
	}
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	r := &Reply{Status: rw.status, Header: rw.header, Body: rw.body.Bytes()}
	rewrite(l, r)
	h := rw.w.Header()
	for k, v := range r.Header {
		h[k] = v
	}
	h.Del("Content-Length")
	if r.Stream == nil {
		h.Set("Content-Length", strconv.Itoa(len(r.Body)))
	}
	rw.w.WriteHeader(r.Status)
	if r.Stream != nil {
		_, _ = io.Copy(rw.w, r.Stream)
		return
	}
	_, _ = rw.w.Write(r.Body)
}

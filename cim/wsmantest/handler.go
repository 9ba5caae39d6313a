package wsmantest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest/authserver"
)

type ctxKey int

const (
	ctxUser ctxKey = iota
	ctxUnauthenticated
)

// front handles what comes before authentication: counting, the method,
// and Windows' unauthenticated Identify (header WSMANIDENTIFY).
func (s *Server) front(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "wsmantest: only POST is served", http.StatusMethodNotAllowed)
			return
		}
		if s.opts.Dialect == OMI && s.authOn && !s.connAuth && r.Header.Get("Authorization") == "" {
			// OMI never answers a request without credentials: it
			// holds the connection and closes it. (With NTLM or
			// Kerberos, authserver judges per connection.)
			s.holdAndDrop(w, r)
			return
		}
		if s.opts.Dialect == Windows && strings.EqualFold(r.Header.Get("WSMANIDENTIFY"), "unauthenticated") {
			body, err := io.ReadAll(io.LimitReader(r.Body, int64(s.opts.MaxEnvelopeSize)+1))
			if err != nil {
				return
			}
			if req, err := parseRequest(body); err == nil && req.Body.is(nsIdentity, "Identify") {
				r.Body = io.NopCloser(bytes.NewReader(body))
				s.serveWSMan(w, r.WithContext(context.WithValue(r.Context(), ctxUnauthenticated, true)))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// basicAuth is the built-in Basic authentication (Options.BasicUsers).
func (s *Server) basicAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		want, known := s.opts.BasicUsers[user]
		if !ok || !known || subtle.ConstantTimeCompare([]byte(pass), []byte(want)) != 1 {
			io.Copy(io.Discard, io.LimitReader(r.Body, int64(s.opts.MaxEnvelopeSize)))
			w.Header().Set("WWW-Authenticate", `Basic realm="WSMAN"`)
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if !s.opts.TLS && !s.opts.AllowUnencrypted {
			// Windows' AllowUnencrypted=false: Basic over plain
			// HTTP gets an empty 500.
			io.Copy(io.Discard, io.LimitReader(r.Body, int64(s.opts.MaxEnvelopeSize)))
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxUser, user)))
	})
}

// holdAndDrop waits (UnauthenticatedHold, 60 s like OMI, or until the
// client gives up or the server closes) and closes the connection.
func (s *Server) holdAndDrop(w http.ResponseWriter, r *http.Request) {
	t := time.NewTimer(s.unauthenticatedHold())
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
	s.dropConnection(w)
}

// unauthenticatedHold is how long the OMI dialect sits on a request
// without credentials: UnauthenticatedHold, or 60 s like OMI.
func (s *Server) unauthenticatedHold() time.Duration {
	if s.opts.UnauthenticatedHold > 0 {
		return s.opts.UnauthenticatedHold
	}
	return 60 * time.Second
}

// dropConnection closes the request's connection without an answer.
func (s *Server) dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			c.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// dropMidReply sends the head of a 200 reply announcing all of body and
// half of body, then closes the connection.
func (s *Server) dropMidReply(w http.ResponseWriter, body []byte) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	c, buf, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer c.Close()
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml;charset=UTF-8\r\nContent-Length: %d\r\n\r\n", len(body))
	buf.Write(body[:len(body)/2])
	buf.Flush()
}

// serveWSMan handles one authenticated request.
func (s *Server) serveWSMan(w http.ResponseWriter, r *http.Request) {
	st := styleOf(s.opts.Dialect)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/soap+xml" {
		io.Copy(io.Discard, io.LimitReader(r.Body, int64(s.opts.MaxEnvelopeSize)))
		http.Error(w, "wsmantest: the content type must be application/soap+xml", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(s.opts.MaxEnvelopeSize)+1))
	if err != nil {
		return
	}
	if len(body) > s.opts.MaxEnvelopeSize {
		http.Error(w, "wsmantest: the request exceeds MaxEnvelopeSize", http.StatusRequestEntityTooLarge)
		return
	}
	user, _ := r.Context().Value(ctxUser).(string)
	if user == "" {
		user = authserver.UserFromContext(r.Context())
	}
	l := LoggedRequest{Time: time.Now(), Operation: "Unknown", UserAgent: r.UserAgent(), User: user,
		RemoteAddr: r.RemoteAddr, Body: body}
	req, perr := parseRequest(body)
	if perr == nil {
		l.Operation, l.Method = classify(req)
		l.Action, l.ResourceURI, l.Selectors, l.Options = req.Action, req.ResourceURI, req.Selectors, req.Options
		l.MaxEnvelopeSize, l.MessageID = req.MaxEnvelopeSize, req.MessageID
		if l.Operation == "Pull" || l.Operation == "Release" {
			l.EnumerationContext = req.Body.child(nsEnumeration, "EnumerationContext").text()
			l.UnknownContext = s.openContext(l.EnumerationContext) == nil
		}
		l.Identifier = req.Identifier
		l.CommandID = shellCommandID(req)
		if s.opts.Dialect == OMI {
			if where := omiIndentation(req, l.Operation); where != "" {
				l.Refused = "indentation in " + where
			}
			l.DeadContext = l.EnumerationContext != "" && s.isDeadContext(l.EnumerationContext)
		}
	}
	seq := s.record(l)
	s.logf("wsmantest: %s %s %s", l.Operation, l.Method, l.ResourceURI)
	if rewrite := s.takeRewrite(&l); rewrite != nil {
		rw := newRewriteWriter(w)
		defer rw.send(&l, rewrite)
		w = rw
	}
	if s.opts.Latency > 0 {
		// A server slower than the request's OperationTimeout answers
		// w:TimedOut when the timeout passes, as WinRM does.
		wait, timedOut := s.opts.Latency, false
		if perr == nil && req.OperationTimeout > 0 && req.OperationTimeout < wait {
			wait, timedOut = req.OperationTimeout, true
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
		if timedOut {
			s.writeFault(w, r, st, FaultTimedOut, req, seq)
			return
		}
	}
	spec, injected := s.takeInjection(&l)
	if injected && !(spec.AfterServing && perr == nil) {
		s.writeFault(w, r, st, spec, req, seq)
		return
	}
	if perr != nil {
		s.writeFault(w, r, st, FaultSpec{Subcode: "w:SchemaValidationError", Message: perr.Error()}, nil, seq)
		return
	}
	if l.Refused != "" {
		// OMI cannot parse it: HTTP 500 with no body (indent.go).
		s.writeFault(w, r, st, FaultSpec{EmptyBody: true}, req, seq)
		return
	}
	c := &call{s: s, ctx: r.Context(), st: st, req: req, http: r, log: &l, seq: seq}
	out, fault := c.dispatch()
	if injected {
		if spec.Close && spec.PartialReply && fault == nil {
			s.faults.Add(1)
			s.finish(seq, 0, "closed mid-reply")
			s.dropMidReply(w, out)
			return
		}
		s.writeFault(w, r, st, spec, req, seq)
		return
	}
	if fault != nil {
		s.writeFault(w, r, st, *fault, req, seq)
		return
	}
	s.finish(seq, http.StatusOK, "")
	w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}

// writeFault answers with a fault (or an empty status, or a dropped
// connection) and logs it.
func (s *Server) writeFault(w http.ResponseWriter, r *http.Request, st style, spec FaultSpec, req *request, seq int) {
	if spec.Delay > 0 {
		t := time.NewTimer(spec.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	s.faults.Add(1)
	if spec.Close {
		s.finish(seq, 0, "closed")
		s.dropConnection(w)
		return
	}
	if spec.EmptyBody {
		status := spec.HTTPStatus
		if status == 0 {
			status = http.StatusInternalServerError
		}
		s.finish(seq, status, "")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(status)
		return
	}
	spec = spec.filled()
	relates := ""
	if req != nil {
		relates = req.MessageID
	}
	body := s.faultBody(st, spec, relates)
	s.finish(seq, spec.HTTPStatus, spec.Subcode)
	w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	w.WriteHeader(spec.HTTPStatus)
	w.Write(body)
}

// classify names the operation of a request (and the method of an Invoke).
func classify(req *request) (op, method string) {
	switch req.Action {
	case "":
		if req.Body.is(nsIdentity, "Identify") {
			return "Identify", ""
		}
		return "Unknown", ""
	case actionEnumerate:
		return "Enumerate", ""
	case actionPull:
		return "Pull", ""
	case actionRelease:
		return "Release", ""
	case actionGet:
		return "Get", ""
	case actionPut:
		return "Put", ""
	case actionCreate:
		return "Create", ""
	case actionDelete:
		return "Delete", ""
	case actionSubscribe:
		return "Subscribe", ""
	case actionUnsubscribe:
		return "Unsubscribe", ""
	case actionRenew:
		return "Renew", ""
	case actionCommand:
		return "Command", ""
	case actionReceive:
		return "Receive", ""
	case actionSend:
		return "Send", ""
	case actionSignal:
		return "Signal", ""
	}
	if req.ResourceURI != "" && len(req.Action) > len(req.ResourceURI)+1 &&
		strings.EqualFold(req.Action[:len(req.ResourceURI)+1], req.ResourceURI+"/") {
		m := req.Action[len(req.ResourceURI)+1:]
		if m != "" && !strings.Contains(m, "/") {
			return "Invoke", m
		}
	}
	return "Unknown", ""
}

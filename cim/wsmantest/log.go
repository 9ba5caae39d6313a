package wsmantest

import (
	"strings"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// LoggedRequest is one WS-Man request as the server understood it.
type LoggedRequest struct {
	Seq         int // 1-based order of arrival
	Time        time.Time
	Operation   string // Identify, Enumerate, Pull, Release, Get, Put, Create, Delete, Invoke, Subscribe, Unsubscribe, Renew, the WinRS Command, Receive, Send and Signal, or Unknown
	Action      string // the full Action URI ("" for Identify)
	ResourceURI string
	Selectors   []model.Selector
	Options     map[string]string
	Method      string // the method of an Invoke
	// EnumerationContext is the context a Pull or Release named.
	EnumerationContext string
	// Identifier is the e:Identifier header (the subscription an
	// Unsubscribe or Renew names).
	Identifier string
	// CommandID is the WinRS command a Receive, Send or Signal names.
	CommandID       string
	MaxEnvelopeSize int
	MessageID       string
	UserAgent       string
	User            string // the authenticated user (Basic, NTLM, Kerberos or certificate)
	RemoteAddr      string
	Body            []byte // the envelope as received (after decryption)
	// Status is the HTTP status answered; Fault the subcode of a fault.
	Status int
	Fault  string
	// EndOfSequence: the reply (to an Enumerate or a Pull) ended the
	// enumeration.
	EndOfSequence bool
	// BlockedBy is the open enumeration whose busy provider this request
	// waited for (OMI dialect; busy.go), "" when it did not wait.
	BlockedBy string
	// Refused says why the server answered HTTP 500 with no body to a
	// request it could not parse (OMI dialect: "indentation in the Put
	// body"; indent.go), "" otherwise.
	Refused string
	// DeadContext: a Pull or Release named a context that the server
	// (OMI dialect) sent beside EndOfSequence. Such a context is dead: a
	// client must neither pull nor release it.
	DeadContext bool
	// UnknownContext: a Pull or Release named a context the server did
	// not hold when the request came (released, expired, or never
	// given). A client that gives up on a Pull in flight and releases
	// its context sends them on two connections, and the server may read
	// the Pull after the Release.
	UnknownContext bool
}

// Selector returns a selector's value by name, case-insensitively.
func (l *LoggedRequest) Selector(name string) (string, bool) { return selector(l.Selectors, name) }

// IsOperation reports whether the request was the named operation
// (case-insensitive), a helper for InjectFault matchers.
func (l *LoggedRequest) IsOperation(op string) bool { return strings.EqualFold(l.Operation, op) }

// Requests returns a copy of the request log.
func (s *Server) Requests() []LoggedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]LoggedRequest(nil), s.log...)
}

// ResetLog empties the request log (counters keep running).
func (s *Server) ResetLog() {
	s.mu.Lock()
	s.log = nil
	s.mu.Unlock()
}

// Operations returns the operation of every logged request, in order:
// a compact thing to assert on.
func (s *Server) Operations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.log))
	for i, l := range s.log {
		out[i] = l.Operation
	}
	return out
}

// injection is a pending injected fault.
type injection struct {
	match func(*LoggedRequest) bool
	spec  FaultSpec
	left  int // negative: forever
}

// InjectFault makes the server answer the next request that match accepts
// (or the next spec.Times ones) with spec instead of serving it. A nil
// match accepts every request. Injected faults are consumed in the order
// they were added.
func (s *Server) InjectFault(match func(*LoggedRequest) bool, spec FaultSpec) {
	left := spec.Times
	if left == 0 {
		left = 1
	}
	s.mu.Lock()
	s.inject = append(s.inject, &injection{match: match, spec: spec, left: left})
	s.mu.Unlock()
}

// ClearFaults drops every pending injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.inject = nil
	s.mu.Unlock()
}

// MatchOperation returns a matcher for InjectFault that accepts requests
// of the named operation ("Pull", "Get", "Invoke", ...).
func MatchOperation(op string) func(*LoggedRequest) bool {
	return func(l *LoggedRequest) bool { return l.IsOperation(op) }
}

// takeInjection returns the fault for l, consuming one use of it.
func (s *Server) takeInjection(l *LoggedRequest) (FaultSpec, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, in := range s.inject {
		if in.match != nil && !in.match(l) {
			continue
		}
		if in.left > 0 {
			in.left--
			if in.left == 0 {
				s.inject = append(s.inject[:i:i], s.inject[i+1:]...)
			}
		}
		return in.spec, true
	}
	return FaultSpec{}, false
}

// record appends l to the log and returns its sequence number.
func (s *Server) record(l LoggedRequest) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	l.Seq = s.seq
	s.log = append(s.log, l)
	return l.Seq
}

// markEnd records that the reply to request seq carries EndOfSequence.
func (s *Server) markEnd(seq int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.log) - 1; i >= 0; i-- {
		if s.log[i].Seq == seq {
			s.log[i].EndOfSequence = true
			return
		}
	}
}

// finish stores the answer's status and fault subcode.
func (s *Server) finish(seq, status int, fault string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.log) - 1; i >= 0; i-- {
		if s.log[i].Seq == seq {
			s.log[i].Status = status
			s.log[i].Fault = fault
			return
		}
	}
}

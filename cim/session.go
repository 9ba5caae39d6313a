package cim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/google/uuid"
)

var lastSessionID atomic.Int64

// Session is a CIM session: where operations go and how. Creating one
// opens nothing; the first operation connects, and the connection is kept
// until Close. A Session is safe for concurrent use.
type Session struct {
	id         int
	name       string
	instanceID string
	cfg        Config

	mu       sync.Mutex
	provider model.Provider // nil until the first operation
	closed   bool
	open     map[*Enumeration]struct{}
	subs     map[*Subscription]struct{} // open subscriptions (subscribe.go)
	classes  classCache
}

// NewSession validates cfg and returns a session that has not connected.
func NewSession(cfg Config) (*Session, error) {
	return newSession(cfg, true)
}

func newSession(cfg Config, checkTransport bool) (*Session, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if checkTransport && cfg.ComputerName != "" {
		if err := checkRemote(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.Credential != nil {
		c := *cfg.Credential
		cfg.Credential = &c
	}
	id := int(lastSessionID.Add(1))
	s := &Session{
		id:         id,
		name:       cfg.Name,
		instanceID: uuid.New().String(),
		cfg:        cfg,
		open:       map[*Enumeration]struct{}{},
	}
	if s.name == "" {
		s.name = fmt.Sprintf("CimSession%d", id)
	}
	return s, nil
}

// NewSessionWithProvider returns a session whose operations go to p
// instead of a connection made from cfg (tests, embedding).
func NewSessionWithProvider(cfg Config, p model.Provider) (*Session, error) {
	s, err := newSession(cfg, false)
	if err != nil {
		return nil, err
	}
	s.provider = p
	return s, nil
}

// ID returns the session's number, unique in this process.
func (s *Session) ID() int { return s.id }

// Name returns the session's name ("CimSession<ID>" unless given).
func (s *Session) Name() string { return s.name }

// InstanceID returns the session's UUID.
func (s *Session) InstanceID() string { return s.instanceID }

// ComputerName returns the remote host, or "" for the local machine.
func (s *Session) ComputerName() string { return s.cfg.ComputerName }

// IsLocal reports whether the session is the local machine.
func (s *Session) IsLocal() bool { return s.cfg.ComputerName == "" }

// Protocol returns the protocol name, "WSMAN" or "DCOM".
func (s *Session) Protocol() string {
	if s.cfg.isDCOM() {
		return "DCOM"
	}
	return "WSMAN"
}

// Port returns the port used for a remote session (0 for local).
func (s *Session) Port() int {
	if s.IsLocal() {
		return 0
	}
	return s.cfg.port()
}

// Authentication returns the authentication mechanism.
func (s *Session) Authentication() Authentication { return s.cfg.Authentication }

// Config returns a copy of the session's configuration (the credential's
// password stays inside the Credential, which never prints it).
func (s *Session) Config() Config { return s.cfg }

// Connected reports whether the first operation has connected.
func (s *Session) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.provider != nil
}

// String describes the session as Get-CimSession lists it.
func (s *Session) String() string {
	host := s.cfg.ComputerName
	if host == "" {
		host = "localhost"
	}
	return fmt.Sprintf("CimSession %d %q (%s, %s)", s.id, s.name, host, s.Protocol())
}

// ErrSessionClosed is the cause of the error an operation on a closed
// session returns (errors.Is(err, ErrSessionClosed)). The error itself is
// a fresh *model.Fault per call, naming the session's computer: errors
// are never shared values that callers might write into.
var ErrSessionClosed = errors.New("cim: the session is closed")

// ClosedError returns the error of an operation on the closed session: a
// new one each time.
func (s *Session) ClosedError() error {
	return &model.Fault{Category: model.CategoryFailed, ComputerName: s.faultName(), Reason: "the session is closed", Err: ErrSessionClosed}
}

// connect returns the session's provider, creating it on first use.
func (s *Session) connect() (model.Provider, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, s.ClosedError()
	}
	if s.provider != nil {
		return s.provider, nil
	}
	var (
		p   model.Provider
		err error
	)
	if s.IsLocal() {
		p, err = localProvider()
	} else {
		p, err = remoteProvider(&s.cfg)
	}
	if err != nil {
		return nil, err
	}
	s.provider = p
	return p, nil
}

// Close releases the session's open enumerations, subscriptions and
// connections. Later operations fail with ErrSessionClosed.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	open := make([]*Enumeration, 0, len(s.open))
	for e := range s.open {
		open = append(open, e)
	}
	p := s.provider
	s.mu.Unlock()
	for _, e := range open {
		e.Close()
	}
	s.closeSubscriptions()
	if p != nil {
		return p.Close()
	}
	return nil
}

// OpenEnumerations returns how many enumerations are open (for tests
// and for the shell's status).
func (s *Session) OpenEnumerations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.open)
}

// withTimeout applies the operation's client deadline.
func (s *Session) withTimeout(ctx context.Context, c *model.Common) (context.Context, context.CancelFunc) {
	if c.OperationTimeout == 0 {
		c.OperationTimeout = s.cfg.OperationTimeout
	}
	return context.WithTimeout(ctx, clientDeadline(c.OperationTimeout))
}

// stamp sets what the session knows on an instance it returns.
func (s *Session) stamp(inst *model.Instance, ns string) {
	if inst == nil {
		return
	}
	if inst.ComputerName == "" {
		inst.ComputerName = s.cfg.ComputerName
	}
	if inst.Namespace == "" {
		inst.Namespace = ns
	}
}

func normNamespace(ns string) string {
	return strings.Trim(strings.ReplaceAll(model.NamespaceOr(ns), `\`, "/"), "/")
}

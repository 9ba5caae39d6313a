package wsmantest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest/authserver"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
	"github.com/jcmturner/gokrb5/v8/keytab"
)

// Options configure a Server. The zero value serves the fixture provider
// over plain HTTP in the Windows dialect with no authentication.
type Options struct {
	Dialect Dialect
	// Provider serves the classes; nil means FixtureProvider.
	Provider model.Provider
	// TLS serves HTTPS with a certificate generated for 127.0.0.1 and
	// localhost (see Server.Certificate), or TLSConfig when set.
	TLS       bool
	TLSConfig *tls.Config
	// ClientCAs, when set with TLS, asks clients for a certificate and
	// verifies it against these roots (certificate authentication).
	ClientCAs *x509.CertPool
	// Prefix is the HTTP path served ("/wsman" when empty).
	Prefix string

	// BasicUsers enables Basic authentication for these users and
	// passwords. Like Windows' AllowUnencrypted, Basic over plain HTTP is
	// refused (HTTP 500, empty body) unless AllowUnencrypted is set.
	BasicUsers       map[string]string
	AllowUnencrypted bool
	// NTLMUsers enables NTLM (inside Negotiate) with HTTP message
	// sealing, verified by cim/wsmantest/ntlmserver.
	NTLMUsers []ntlmserver.User
	// Keytab enables Kerberos (SPNEGO) with the key of SPN (such as
	// "HTTP/localhost"; empty: the ticket's).
	Keytab *keytab.Keytab
	SPN    string
	// AuthConfig, when set, configures cim/wsmantest/authserver directly
	// (it overrides BasicUsers, NTLMUsers, Keytab, SPN, ClientCAs and
	// AllowUnencrypted). With NTLM, Kerberos or client certificates the
	// server authenticates through authserver; with Basic alone, through
	// its own Basic check.
	AuthConfig *authserver.Config
	// Auth, when set, wraps the WS-Man handler with any other
	// authentication layer; it replaces all of the above.
	Auth func(next http.Handler) http.Handler
	// Handshakes, when set, reports the authentication handshakes the
	// Auth layer completed; Counters adds it to the TLS handshakes.
	Handshakes func() int64

	// MaxBatch caps the items per Enumerate or Pull response
	// (Windows' MaxBatchItems, 32000 when zero).
	MaxBatch int
	// MaxEnvelopeSize is the largest envelope the server accepts or
	// sends, in bytes (512000 when zero; OMI also caps responses near
	// 256000).
	MaxEnvelopeSize int
	// Latency delays every response. A request whose OperationTimeout is
	// shorter gets w:TimedOut once its timeout has passed.
	Latency time.Duration
	// ComputerName is reported in faults (Machine) and instances
	// ("WSMANTEST" when empty).
	ComputerName string
	// IdleTimeout closes keep-alive connections idle this long (Windows
	// drops them after about 120 s); zero keeps them open.
	IdleTimeout time.Duration
	// MaxEnumerations caps the enumeration contexts open at once, like
	// Windows' MaxConcurrentOperationsPerUser (15 on old versions): one
	// more Enumerate gets the captured w:InternalError quota fault. Zero
	// means no limit.
	MaxEnumerations int
	// EnumerationTimeout expires enumeration contexts idle this long
	// (60 s when zero).
	EnumerationTimeout time.Duration
	// ProductVersion is what Identify reports (when empty: the
	// provider's, which for the fixture is its Windows Server 2012, a
	// Windows Server 2016 string for a provider that names none, or an
	// OMI version in the OMI dialect).
	ProductVersion string
	// DMTFDatetimes writes datetimes and intervals in the DMTF string
	// form (yyyymmddHHMMSS.mmmmmm+UUU, ddddddddHHMMSS.mmmmmm:000), as
	// older servers do (PROTOCOL.md, Values), in either dialect's wrapping.
	DMTFDatetimes bool
	// OMIInvokeOutput is how the OMI dialect names the output element of
	// an Invoke response; OMI's name depends on the provider.
	OMIInvokeOutput OMIOutput
	// UnauthenticatedHold is how long the OMI dialect holds a request
	// that carries no Authorization header before closing the connection
	// without an answer (60 s, like OMI, when zero).
	UnauthenticatedHold time.Duration
	// Logf, when set, receives one line per request (never credentials).
	Logf func(format string, args ...any)
	// RunCommand is what WinRS commands do (winrs.go); nil means
	// EmulateWindows, a few cmd and PowerShell commands.
	RunCommand Program

	// Misbehaviours of instance enumerations, for client robustness
	// tests (misbehave.go):
	//
	// EndlessEnumerations never ends one: after the provider's last
	// instance it starts again from the first, and no reply carries
	// EndOfSequence.
	EndlessEnumerations bool
	// EmptyBatches answers every Pull with no items and the same
	// context, forever; the Enumerate's first batch comes as usual but
	// without EndOfSequence.
	EmptyBatches bool
	// ExtraItems adds this many empty items (<w:Item/>, the cheapest a
	// server can send) to every Enumerate and Pull reply, beyond the
	// MaxElements asked for and the envelope size.
	ExtraItems int
}

// OMIOutput names the output element of OMI's Invoke responses.
type OMIOutput int

const (
	// OMIOutputMethod is <p:Method>, the method's own name.
	OMIOutputMethod OMIOutput = iota
	// OMIOutputMethodOUTPUT is <p:Method_OUTPUT>, as in OMI's own
	// protocol test (fixture omi_posthttp_test3_response.xml).
	OMIOutputMethodOUTPUT
	// OMIOutputClassOUTPUT is <p:Class_OUTPUT>, named after the class.
	OMIOutputClassOUTPUT
)

// Counters are the server's running totals.
type Counters struct {
	Requests     int64 // HTTP requests received on the WS-Man path
	Connections  int64 // TCP connections accepted
	Handshakes   int64 // TLS handshakes plus the Auth layer's handshakes
	Enumerations int   // enumeration contexts open now
	Faults       int64 // fault responses sent
	Shells       int   // WinRS shells open now
}

// Server is a running WS-Man test server.
type Server struct {
	opts     Options
	provider model.Provider
	listener net.Listener
	http     *http.Server
	url      string
	cert     *x509.Certificate

	requests      atomic.Int64
	connections   atomic.Int64
	tlsHandshakes atomic.Int64
	faults        atomic.Int64

	mu      sync.Mutex
	conns   map[net.Conn]http.ConnState
	log     []LoggedRequest
	seq     int
	inject  []*injection
	enums   map[string]*enumeration
	dead    map[string]bool         // OMI's dead contexts sent beside EndOfSequence
	subs    subscriptions           // event subscriptions (subscribe.go)
	shells  shellTable              // WinRS shells (winrs.go)
	schemas map[string]*model.Class // by lower-case namespace + ":" + class
	closed  bool
	authOn  bool
	// rewrites are the pending RewriteReplies.
	rewrites []*rewriting

	// connAuth: authentication is authserver's, which knows which
	// connections hold a security context (front must not judge by the
	// Authorization header alone).
	connAuth bool
}

// authConfig returns the authserver configuration the options ask for,
// or nil when authserver is not needed.
func (s *Server) authConfig() *authserver.Config {
	o := s.opts
	var c *authserver.Config
	switch {
	case o.AuthConfig != nil:
		cc := *o.AuthConfig
		c = &cc
	case len(o.NTLMUsers) == 0 && o.Keytab == nil && o.ClientCAs == nil:
		return nil
	default:
		c = s.optionsAuthConfig()
	}
	if o.Dialect == OMI && c.SilentUnauthenticated == 0 {
		// OMI's silence is per connection: an NTLM or Kerberos
		// connection authenticated already sends no header again.
		c.SilentUnauthenticated = s.unauthenticatedHold()
	}
	return c
}

// optionsAuthConfig is the authserver configuration of the auth options.
func (s *Server) optionsAuthConfig() *authserver.Config {
	o := s.opts
	return &authserver.Config{
		Basic:             o.BasicUsers,
		NTLM:              o.NTLMUsers,
		Keytab:            o.Keytab,
		SPN:               o.SPN,
		RequireClientCert: o.ClientCAs != nil,
		ClientCAs:         o.ClientCAs,
		AllowUnencrypted:  o.AllowUnencrypted,
	}
}

// NewServer starts a server on 127.0.0.1 and stops it when the test ends.
func NewServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("wsmantest: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Start starts a server on 127.0.0.1 on a free port; Close stops it.
func Start(opts Options) (*Server, error) {
	return StartAt("127.0.0.1:0", opts)
}

// StartAt starts a server on addr (for the command-line tool).
func StartAt(addr string, opts Options) (*Server, error) {
	s := newServer(opts)
	opts = s.opts
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("wsmantest: listen: %w", err)
	}
	var handler http.Handler = http.HandlerFunc(s.serveWSMan)
	var auth *authserver.Handler
	switch cfg := s.authConfig(); {
	case opts.Auth != nil:
		handler = opts.Auth(handler)
		s.authOn = true
	case cfg != nil:
		auth = authserver.New(*cfg, handler)
		handler = auth
		s.authOn = true
		s.connAuth = true
		if opts.Handshakes == nil {
			s.opts.Handshakes = auth.Handshakes.Load
		}
	case len(opts.BasicUsers) > 0:
		handler = s.basicAuth(handler)
		s.authOn = true
	}
	mux := http.NewServeMux()
	mux.Handle(opts.Prefix, s.front(handler))
	s.http = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       opts.IdleTimeout,
		ConnState:         s.connState,
	}
	if auth != nil {
		auth.Install(s.http)
	}
	scheme := "http"
	if opts.TLS {
		cfg := opts.TLSConfig
		if cfg == nil {
			cert, leaf, err := selfSigned()
			if err != nil {
				ln.Close()
				return nil, err
			}
			s.cert = leaf
			cfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		} else {
			cfg = cfg.Clone()
		}
		if opts.ClientCAs != nil {
			cfg.ClientCAs = opts.ClientCAs
			cfg.ClientAuth = tls.VerifyClientCertIfGiven
		}
		base := cfg
		cfg = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			s.tlsHandshakes.Add(1)
			return base, nil
		}}
		ln = tls.NewListener(ln, cfg)
		scheme = "https"
	}
	s.listener = ln
	s.url = scheme + "://" + ln.Addr().String() + opts.Prefix
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logf("wsmantest: serve: %v", err)
		}
	}()
	return s, nil
}

// Close stops the server, closing every connection.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	enums := s.enums
	s.enums = map[string]*enumeration{}
	s.mu.Unlock()
	for _, e := range enums {
		e.closeLocked()
	}
	s.subs.closeAll()
	s.shells.closeAll()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if err != nil {
		err = s.http.Close()
	}
	if s.opts.Provider == nil {
		s.provider.Close()
	}
	return err
}

// URL returns the endpoint, e.g. http://127.0.0.1:41234/wsman.
func (s *Server) URL() string { return s.url }

// Host returns the listening IP address.
func (s *Server) Host() string {
	h, _, _ := net.SplitHostPort(s.listener.Addr().String())
	return h
}

// Port returns the listening port.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.listener.Addr().String())
	n, _ := strconv.Atoi(p)
	return n
}

// Prefix returns the HTTP path served.
func (s *Server) Prefix() string { return s.opts.Prefix }

// Dialect returns the dialect served.
func (s *Server) Dialect() Dialect { return s.opts.Dialect }

// Provider returns the provider served.
func (s *Server) Provider() model.Provider { return s.provider }

// Certificate returns the generated TLS certificate (nil without TLS or
// with Options.TLSConfig); trust it to verify the server.
func (s *Server) Certificate() *x509.Certificate { return s.cert }

// CertPool returns a pool holding Certificate, for client TLS configs.
func (s *Server) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	if s.cert != nil {
		p.AddCert(s.cert)
	}
	return p
}

// Counters returns the running totals.
func (s *Server) Counters() Counters {
	c := Counters{
		Requests:    s.requests.Load(),
		Connections: s.connections.Load(),
		Handshakes:  s.tlsHandshakes.Load(),
		Faults:      s.faults.Load(),
	}
	if s.opts.Handshakes != nil {
		c.Handshakes += s.opts.Handshakes()
	}
	s.mu.Lock()
	s.expireLocked(time.Now())
	c.Enumerations = len(s.enums)
	s.mu.Unlock()
	c.Shells = s.OpenShells()
	return c
}

// newServer fills in the defaults and the provider; it listens on
// nothing (StartAt does).
func newServer(opts Options) *Server {
	if opts.Prefix == "" {
		opts.Prefix = "/wsman"
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 32000
	}
	if opts.MaxEnvelopeSize <= 0 {
		opts.MaxEnvelopeSize = 512000
	}
	if opts.EnumerationTimeout <= 0 {
		opts.EnumerationTimeout = 60 * time.Second
	}
	if opts.ComputerName == "" {
		opts.ComputerName = "WSMANTEST"
	}
	s := &Server{
		opts:    opts,
		conns:   map[net.Conn]http.ConnState{},
		enums:   map[string]*enumeration{},
		dead:    map[string]bool{},
		schemas: map[string]*model.Class{},
	}
	s.provider = opts.Provider
	if s.provider == nil {
		s.provider = FixtureProvider(opts.ComputerName)
	}
	return s
}

// connState tracks connections for counting and for forced closes.
func (s *Server) connState(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch st {
	case http.StateNew:
		s.connections.Add(1)
		s.conns[c] = st
	case http.StateClosed, http.StateHijacked:
		delete(s.conns, c)
	default:
		s.conns[c] = st
	}
}

// OpenConnections is the number of client connections open now (accepted
// and not yet closed or hijacked), for tests that wait for a close.
func (s *Server) OpenConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// DropIdleConnections closes every keep-alive connection that is idle,
// as Windows does after its idle timeout: the client must redial.
func (s *Server) DropIdleConnections() int {
	s.mu.Lock()
	var idle []net.Conn
	for c, st := range s.conns {
		if st == http.StateIdle {
			idle = append(idle, c)
		}
	}
	s.mu.Unlock()
	for _, c := range idle {
		c.Close()
	}
	return len(idle)
}

// CloseClientConnections closes every client connection, busy or idle.
func (s *Server) CloseClientConnections() int {
	s.mu.Lock()
	var all []net.Conn
	for c := range s.conns {
		all = append(all, c)
	}
	s.mu.Unlock()
	for _, c := range all {
		c.Close()
	}
	return len(all)
}

func (s *Server) computerName() string { return s.opts.ComputerName }

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

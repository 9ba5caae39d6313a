package dcomtest

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
	"github.com/cimsh/cimsh/cim/dcom/orpc"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
	"github.com/jcmturner/gokrb5/v8/keytab"
)

// Options configures a Server.
type Options struct {
	// Users are the accounts NTLM accepts; none means every call is
	// refused with access denied.
	Users []ntlmserver.User
	// Computer is the machine name (default "DCOMTEST"): the fixture's
	// computer name and the instances' __SERVER.
	Computer string
	// Provider serves the WMI calls; nil means wsmantest's fixture for
	// Computer.
	Provider model.Provider
	// MinLevel is the lowest authentication level accepted (default
	// packet integrity).
	MinLevel uint8
	// Keytab enables Kerberos (RPC auth type 16, and inside SPNEGO) with
	// the service keys it holds; SPN names the principal whose key is
	// used (such as "host/localhost"; empty: the ticket's).
	Keytab *keytab.Keytab
	SPN    string
	// NoPartialPut refuses partial PutInstance calls (a context with
	// __PUT_EXT_PROPERTIES) with WBEM_E_PROVIDER_NOT_CAPABLE, as WMI
	// itself and most providers do.
	NoPartialPut bool
	// Logf, when set, receives a line per call.
	Logf func(format string, args ...any)
}

// Server is a running DCOM/WMI test server.
type Server struct {
	opts     Options
	ntlm     *ntlmserver.Server
	provider model.Provider
	epm      net.Listener
	exp      net.Listener
	oxid     uint64
	remUnk   ndr.GUID

	mu      sync.Mutex
	objects map[ndr.GUID]*object
	conns   map[net.Conn]struct{}
	closed  bool
	wg      sync.WaitGroup
	nextOID atomic.Uint64

	calls      atomic.Int64
	releases   atomic.Int64
	activation atomic.Int64
	accepted   atomic.Int64
	latency    atomic.Int64  // time.Duration before each WMI call
	instDelay  atomic.Int64  // time.Duration before each enumerated instance
	failNext   atomic.Uint32 // a DCE/RPC fault status for the next WMI call

	seenMu   sync.Mutex
	levels   map[uint8]int // WMI calls by authentication level
	imps     []uint32      // activations' impersonation levels
	maxWait  uint32        // the longest IEnumWbemClassObject::Next timeout asked for
	nextWait int           // Next calls that asked for a finite timeout

	putMu sync.Mutex
	puts  []Put

	authMu sync.Mutex
	auths  map[string]int // established contexts by authentication (authName)

	pingMu      sync.Mutex
	pingSets    map[uint64]map[uint64]bool // ping set -> OIDs
	simplePings int
}

// Pinged reports the OIDs in the clients' ping sets that are exported
// objects, and how many SimplePings arrived.
func (s *Server) Pinged() (live int, simplePings int) {
	s.pingMu.Lock()
	oids := map[uint64]bool{}
	for _, set := range s.pingSets {
		for oid := range set {
			oids[oid] = true
		}
	}
	simplePings = s.simplePings
	s.pingMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.objects {
		if oids[o.oid] {
			live++
		}
	}
	return live, simplePings
}

// Put is one PutInstance the server received: the class, the properties
// that arrived non-NULL, and those a partial put named (nil for a whole
// put).
type Put struct {
	Class   string
	Sent    []string
	Partial []string
}

// Puts returns the PutInstance calls received so far.
func (s *Server) Puts() []Put {
	s.putMu.Lock()
	defer s.putMu.Unlock()
	return append([]Put(nil), s.puts...)
}

func (s *Server) recordPut(inst *model.Instance, partial []string) {
	p := Put{Class: inst.ClassName, Partial: partial}
	for _, pr := range inst.All() {
		if !pr.Value.IsNull() {
			p.Sent = append(p.Sent, pr.Name)
		}
	}
	s.putMu.Lock()
	defer s.putMu.Unlock()
	s.puts = append(s.puts, p)
}

// Authentications reports how many security contexts were established,
// by authentication: "ntlm", "spnego/ntlm+mic" (SPNEGO carrying NTLM,
// the client's mechListMIC verified), "kerberos", "spnego/kerberos"...
func (s *Server) Authentications() map[string]int {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	out := make(map[string]int, len(s.auths))
	for k, v := range s.auths {
		out[k] = v
	}
	return out
}

func (s *Server) countAuth(name string) {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	if s.auths == nil {
		s.auths = map[string]int{}
	}
	s.auths[name]++
}

// SetLatency delays every later WMI call (not activation) by d, as a
// slow provider would; a call's delay ends early when its connection
// closes.
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

// SetInstanceDelay delays each instance of a later instance
// enumeration by d, as a slow provider (Win32_Product, say) would; Next
// still answers within its timeout, with WBEM_S_TIMEDOUT and what it has.
func (s *Server) SetInstanceDelay(d time.Duration) { s.instDelay.Store(int64(d)) }

// FailNextCall answers the next WMI call with a DCE/RPC fault PDU of
// status (such as rpc.StatusOpRange), as a server whose stub rejects a
// call does.
func (s *Server) FailNextCall(status uint32) { s.failNext.Store(status) }

// StopExporter closes the object exporter's listener (and its
// connections), as a firewall that lets the endpoint mapper through but
// not WMI's own port would refuse them.
func (s *Server) StopExporter() {
	s.exp.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.LocalAddr().String() == s.exp.Addr().String() {
			c.Close()
		}
	}
}

// Levels reports the WMI calls served, by the authentication level of
// their packets (rpc.LevelIntegrity, rpc.LevelPrivacy).
func (s *Server) Levels() map[uint8]int {
	s.seenMu.Lock()
	defer s.seenMu.Unlock()
	out := make(map[uint8]int, len(s.levels))
	for k, v := range s.levels {
		out[k] = v
	}
	return out
}

// Impersonations returns the impersonation levels (RPC_C_IMP_LEVEL_*)
// the activations announced, in order.
func (s *Server) Impersonations() []uint32 {
	s.seenMu.Lock()
	defer s.seenMu.Unlock()
	return append([]uint32(nil), s.imps...)
}

// NextTimeouts reports how many IEnumWbemClassObject::Next calls asked
// for a finite timeout, and the longest asked for (in ms; WBEM_INFINITE
// is 0xFFFFFFFF and counted as such).
func (s *Server) NextTimeouts() (finite int, longest uint32) {
	s.seenMu.Lock()
	defer s.seenMu.Unlock()
	return s.nextWait, s.maxWait
}

func (s *Server) seeLevel(level uint8) {
	s.seenMu.Lock()
	defer s.seenMu.Unlock()
	if s.levels == nil {
		s.levels = map[uint8]int{}
	}
	s.levels[level]++
}

func (s *Server) seeNext(timeout uint32) {
	s.seenMu.Lock()
	defer s.seenMu.Unlock()
	if timeout != 0xffffffff {
		s.nextWait++
	}
	s.maxWait = max(s.maxWait, timeout)
}

// Accepted returns how many connections the server has accepted on
// both ports.
func (s *Server) Accepted() int64 { return s.accepted.Load() }

// object is one exported interface pointer.
type object struct {
	iid  ndr.GUID
	ipid ndr.GUID
	oid  uint64
	impl any
}

// Start serves on two free loopback ports.
func Start(opts Options) (*Server, error) { return StartAt("127.0.0.1:0", opts) }

// StartAt serves the endpoint mapper at addr (such as 127.0.0.1:135) and
// the object exporter on a free port of the same host.
func StartAt(addr string, opts Options) (*Server, error) {
	if opts.Computer == "" {
		opts.Computer = "DCOMTEST"
	}
	if opts.MinLevel == 0 {
		opts.MinLevel = rpc.LevelIntegrity
	}
	ns, err := ntlmserver.NewServer(ntlmserver.Config{Users: opts.Users, NetBIOSComputer: opts.Computer})
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, ntlm: ns, provider: opts.Provider, objects: map[ndr.GUID]*object{}, conns: map[net.Conn]struct{}{}}
	if s.provider == nil {
		s.provider = wsmantest.FixtureProvider(opts.Computer)
	}
	var b [8]byte
	rand.Read(b[:])
	s.oxid = binary.LittleEndian.Uint64(b[:])
	rand.Read(s.remUnk[:])
	s.nextOID.Store(0x1000)
	if s.epm, err = net.Listen("tcp", addr); err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(s.epm.Addr().String())
	if s.exp, err = net.Listen("tcp", net.JoinHostPort(host, "0")); err != nil {
		s.epm.Close()
		return nil, err
	}
	s.wg.Add(2)
	go s.serve(s.epm, withMgmt(s.epmInterfaces()))
	go s.serve(s.exp, withMgmt(s.exporterInterfaces()))
	return s, nil
}

// Addr returns the endpoint mapper's host:port.
func (s *Server) Addr() string { return s.epm.Addr().String() }

// Port returns the endpoint mapper's port.
func (s *Server) Port() int { return s.epm.Addr().(*net.TCPAddr).Port }

// ExporterAddr returns the object exporter's host:port.
func (s *Server) ExporterAddr() string { return s.exp.Addr().String() }

// Counters reports calls served, activations and interface releases.
func (s *Server) Counters() (calls, activations, releases int64) {
	return s.calls.Load(), s.activation.Load(), s.releases.Load()
}

// Objects returns how many interface pointers are exported (not yet
// released), the login and remote unknown objects included.
func (s *Server) Objects() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.objects)
}

// Close stops listening, drops every connection and waits for the
// connection handlers.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.epm.Close()
	s.exp.Close()
	s.wg.Wait()
	return nil
}

// ForgetObjects releases every exported interface pointer, as Windows
// does when a client's pings stop: later calls on them fail with
// RPC_E_INVALID_OBJECT. Connections stay open.
func (s *Server) ForgetObjects() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ipid, o := range s.objects {
		if c, ok := o.impl.(interface{ close() }); ok {
			c.close()
		}
		delete(s.objects, ipid)
	}
}

// DropConnections closes every open connection, as a server that stops
// mid-operation would; the listeners keep serving.
func (s *Server) DropConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

func (s *Server) serve(l net.Listener, ifaces map[ndr.GUID]handler) {
	defer s.wg.Done()
	for {
		nc, err := l.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.conns[nc] = struct{}{}
		s.accepted.Add(1)
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			c := &conn{s: s, nc: nc, ifaces: ifaces, ctxs: map[uint16]ndr.GUID{}, secs: map[uint32]*secCtx{}, pending: map[uint32][]byte{}}
			c.run()
			s.mu.Lock()
			delete(s.conns, nc)
			s.mu.Unlock()
		}()
	}
}

// export registers a new interface pointer and returns its OBJREF.
func (s *Server) export(iid ndr.GUID, impl any) (*object, []byte) {
	o := &object{iid: iid, oid: s.nextOID.Add(1), impl: impl}
	rand.Read(o.ipid[:])
	s.mu.Lock()
	s.objects[o.ipid] = o
	s.mu.Unlock()
	return o, orpc.MarshalStandard(iid, orpc.StdObjref{PublicRefs: 5, OXID: s.oxid, OID: o.oid, IPID: o.ipid}, s.resolverBindings().MarshalPacked())
}

func (s *Server) lookup(ipid ndr.GUID) *object {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.objects[ipid]
}

func (s *Server) release(ipid ndr.GUID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.objects[ipid]; ok {
		if c, ok := o.impl.(interface{ close() }); ok {
			c.close()
		}
		delete(s.objects, ipid)
		s.releases.Add(1)
	}
}

// bindings returns the DUALSTRINGARRAY naming addr as Windows does: the
// computer's name first (which a client need not be able to resolve),
// then its address, each with the port.
func (s *Server) bindings(addr net.Addr) *orpc.DualStringArray {
	t := addr.(*net.TCPAddr)
	port := "[" + strconv.Itoa(t.Port) + "]"
	return &orpc.DualStringArray{
		Strings: []orpc.StringBinding{{TowerID: orpc.TowerTCP, Addr: s.opts.Computer + port},
			{TowerID: orpc.TowerTCP, Addr: t.IP.String() + port}},
		Security: []orpc.SecurityBinding{{AuthnSvc: rpc.AuthWinNT}, {AuthnSvc: rpc.AuthNegotiate}},
	}
}

// oxidBindings names the object exporter.
func (s *Server) oxidBindings() *orpc.DualStringArray { return s.bindings(s.exp.Addr()) }

// resolverBindings names the OXID resolver (the endpoint mapper port).
func (s *Server) resolverBindings() *orpc.DualStringArray { return s.bindings(s.epm.Addr()) }

type callInfo struct {
	ctx    context.Context
	iface  ndr.GUID
	opnum  uint16
	object *ndr.GUID
	stub   []byte
	user   string
	level  uint8
}

// handler serves the calls of one interface; it returns the response
// stub, or an error (an *rpc.Fault gives its status).
type handler func(c *callInfo) ([]byte, error)

func (c *callInfo) String() string {
	obj := ""
	if c.object != nil {
		obj = " object " + c.object.String()
	}
	return fmt.Sprintf("%s opnum %d%s at level %d", c.iface, c.opnum, obj, c.level)
}

package dcom

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
	"github.com/cimsh/cimsh/cim/dcom/orpc"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
	"github.com/cimsh/cimsh/cim/dcom/wmi"
	"github.com/cimsh/cimsh/cim/dcom/wmio"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wql"
	krbclient "github.com/jcmturner/gokrb5/v8/client"
)

// Config describes a DCOM connection.
type Config struct {
	Host string
	// Port is the endpoint mapper's (0: 135).
	Port                   int
	User, Domain, Password string
	// Auth is the authentication: AuthNTLM (the default: NTLM, RPC auth
	// type WINNT), AuthNegotiate (SPNEGO carrying NTLM, or Kerberos from
	// the ticket cache when there is no password) or AuthKerberos (RPC
	// auth type 16, from the password or the ticket cache).
	Auth Auth
	// Kerberos: SPN defaults to "host/<Host>"; Krb5Conf to $KRB5_CONFIG,
	// then /etc/krb5.conf; CCache to $KRB5CCNAME; Realm to the one in
	// User ("user@REALM"), then Domain, then krb5.conf's default realm.
	SPN, Krb5Conf, CCache, Realm string
	// Level is rpc.LevelPrivacy (the default) or rpc.LevelIntegrity.
	Level uint8
	// Impersonation is the RPC_C_IMP_LEVEL_* the activation announces
	// (0: impersonate).
	Impersonation uint32
	// ComputerName names the machine in instances and errors (default
	// Host).
	ComputerName string
	// ConnectTimeout bounds connecting (0: 10 s).
	ConnectTimeout time.Duration
	// PingInterval is how often the objects held are pinged (0: two
	// minutes, DCOM's ping period).
	PingInterval time.Duration
	// NextTimeout is how long one IEnumWbemClassObject::Next waits on the
	// server (0: 500 ms, the most allowed, so that cancellation and
	// deadlines are honoured between calls).
	NextTimeout time.Duration
}

// DefaultPort is the endpoint mapper's port.
const DefaultPort = 135

// Auth names an authentication as the user chose it.
type Auth string

// Authentications over DCOM.
const (
	AuthNTLM      Auth = "ntlm"
	AuthNegotiate Auth = "negotiate"
	AuthKerberos  Auth = "kerberos"
)

// rpcAuthType is the RPC authentication service for a.
func (a Auth) rpcAuthType() uint8 {
	switch a {
	case AuthNegotiate:
		return rpc.AuthNegotiate
	case AuthKerberos:
		return rpc.AuthKerberos
	}
	return rpc.AuthWinNT
}

// maxNextTimeout bounds one Next call's wait on the server.
const maxNextTimeout = 500 * time.Millisecond

// Provider is the DCOM/WMI model.Provider (and model.Subscriber).
type Provider struct {
	cfg Config

	mu      sync.Mutex
	conn    *wmi.Conn
	classes map[string]*model.Class
	closed  bool

	krbMu sync.Mutex
	krb   *krbclient.Client // logged in on first use
}

// New returns a provider for cfg; it does not connect.
func New(cfg Config) (*Provider, error) {
	if cfg.Host == "" {
		return nil, fmt.Errorf("dcom: no host")
	}
	if cfg.Port == 0 {
		cfg.Port = DefaultPort
	}
	switch cfg.Level {
	case 0:
		cfg.Level = rpc.LevelPrivacy
	case rpc.LevelIntegrity, rpc.LevelPrivacy:
	default:
		return nil, fmt.Errorf("dcom: authentication level %d is below packet integrity, which Windows refuses", cfg.Level)
	}
	switch cfg.Auth {
	case "":
		cfg.Auth = AuthNTLM
	case AuthNTLM, AuthNegotiate, AuthKerberos:
	default:
		return nil, fmt.Errorf("dcom: authentication %q is not supported (want ntlm, negotiate or kerberos)", cfg.Auth)
	}
	if cfg.Impersonation == 0 {
		cfg.Impersonation = wmi.ImpImpersonate
	}
	if cfg.ComputerName == "" {
		cfg.ComputerName = cfg.Host
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	if cfg.NextTimeout <= 0 || cfg.NextTimeout > maxNextTimeout {
		cfg.NextTimeout = maxNextTimeout
	}
	return &Provider{cfg: cfg, classes: map[string]*model.Class{}}, nil
}

// Pings reports how many pings the server has acknowledged on the
// current connection (for tests).
func (p *Provider) Pings() int {
	p.mu.Lock()
	c := p.conn
	p.mu.Unlock()
	if c == nil {
		return 0
	}
	return c.Pings()
}

// ErrClosed is returned by operations on a closed provider.
var ErrClosed = errors.New("dcom: provider closed")

// connection returns the WMI connection, connecting on first use.
func (p *Provider) connection(ctx context.Context) (*wmi.Conn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrClosed
	}
	if p.conn != nil {
		return p.conn, nil
	}
	cctx, cancel := context.WithTimeout(ctx, p.cfg.ConnectTimeout)
	defer cancel()
	rc := rpc.Config{User: p.cfg.User, Domain: p.cfg.Domain, Password: p.cfg.Password, AuthType: p.cfg.Auth.rpcAuthType(), Level: p.cfg.Level}
	if p.cfg.usesKerberos() {
		cl, err := p.kerberosClient(cctx)
		if err != nil {
			if ctx.Err() == nil && cctx.Err() != nil {
				err = fmt.Errorf("Kerberos login for %s: %w", p.endpoint(), context.DeadlineExceeded)
			}
			return nil, err
		}
		rc.Kerberos, rc.SPN = cl, p.cfg.spn()
	}
	c, err := wmi.Connect(cctx, p.cfg.Host, p.cfg.Port, rc, p.cfg.Impersonation, p.cfg.PingInterval)
	if err != nil {
		// The connect deadline shows as ctx's end or as the socket's
		// (the deadline is set on the connection too).
		var ne net.Error
		if ctx.Err() == nil && (cctx.Err() != nil || errors.As(err, &ne) && ne.Timeout()) {
			err = fmt.Errorf("connect to %s: no answer within %v: %w", p.endpoint(), p.cfg.ConnectTimeout, context.DeadlineExceeded)
		}
		return nil, err
	}
	p.conn = c
	return c, nil
}

func (p *Provider) endpoint() string {
	return net.JoinHostPort(p.cfg.Host, fmt.Sprint(p.cfg.Port))
}

// drop forgets a connection after a transport failure, so that the next
// operation reconnects.
func (p *Provider) drop(c *wmi.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn == c {
		p.conn.Close()
		p.conn = nil
	}
}

// services returns the connection and the IWbemServices of ns.
func (p *Provider) services(ctx context.Context, ns string) (*wmi.Conn, ndr.GUID, error) {
	c, err := p.connection(ctx)
	if err != nil {
		return nil, ndr.GUID{}, p.fault(nil, err)
	}
	svc, err := c.Services(ctx, wmiNamespace(ns))
	if err != nil {
		return nil, ndr.GUID{}, explain(p.fault(c, err), ns, "", "")
	}
	return c, svc, nil
}

func wmiNamespace(ns string) string {
	return strings.Trim(strings.ReplaceAll(model.NamespaceOr(ns), `\`, "/"), "/")
}

// fault turns an error into a *model.Fault naming the computer, and
// drops the connection after a transport failure.
func (p *Provider) fault(c *wmi.Conn, err error) error {
	if err == nil {
		return nil
	}
	f := p.classify(err)
	f.ComputerName = p.cfg.ComputerName
	transport := f.ErrorCode == 0 && f.CIMStatus == 0
	if c != nil && transport {
		p.drop(c)
	}
	return f
}

func (p *Provider) classify(err error) *model.Fault {
	if f, ok := model.AsFault(err); ok {
		c := *f
		return &c
	}
	var he *orpc.HResultError
	if errors.As(err, &he) {
		return wmi.Fault(he.Method, he.Code, "")
	}
	var rf *rpc.Fault
	if errors.As(err, &rf) {
		if rf.AccessDenied() {
			return &model.Fault{Category: model.CategoryAccessDenied, CIMStatus: model.CIMAccessDenied, Err: err,
				CIMMessage: "access denied: the credentials were refused, or the account may not use DCOM or WMI remotely"}
		}
		reason := fmt.Sprintf("DCE/RPC fault 0x%08x", rf.Status)
		if n := rf.Name(); n != "" {
			reason += ": " + n
		}
		return &model.Fault{Category: model.CategoryProtocol, Err: err, Reason: reason}
	}
	switch {
	case errors.Is(err, context.Canceled):
		return &model.Fault{Category: model.CategoryCanceled, Err: err, Reason: "canceled"}
	case errors.Is(err, context.DeadlineExceeded):
		reason := "timed out"
		if s, ok := strings.CutSuffix(err.Error(), context.DeadlineExceeded.Error()); ok && strings.HasPrefix(s, "connect to ") {
			reason = s + "timed out" // what timed out: "connect to host:135: no answer within 10s: timed out"
		}
		return &model.Fault{Category: model.CategoryTimeout, Err: err, Reason: reason}
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		reason := oe.Err.Error()
		var se interface{ Unwrap() error }
		if errors.As(oe.Err, &se) && se.Unwrap() != nil {
			reason = se.Unwrap().Error()
		}
		var re *wmi.ReachError
		switch {
		case errors.As(err, &re) && re.Role == wmi.RoleEndpointMapper:
			reason = fmt.Sprintf("connect to %s: %s: no DCOM endpoint mapper answers there (on Windows, enable the firewall rule group \"Windows Management Instrumentation (WMI)\")",
				re.Addr, reason)
		case errors.As(err, &re) && re.Role == wmi.RoleExporter:
			reason = fmt.Sprintf("connect to %s: %s: the endpoint mapper answered, but not WMI's own port (on Windows, the firewall rule group \"Windows Management Instrumentation (WMI)\" opens it)",
				re.Addr, reason)
		default:
			addr := p.endpoint() // a failed name lookup has no address
			if oe.Addr != nil {
				addr = oe.Addr.String()
			}
			reason = fmt.Sprintf("connect to %s: %s", addr, reason)
		}
		return &model.Fault{Category: model.CategoryUnreachable, Err: err, Reason: reason}
	}
	var ke *rpc.KerberosError
	if errors.As(err, &ke) {
		return p.krbFault(fmt.Sprintf("cannot get a ticket for %s", clip(ke.SPN)), ke.Err)
	}
	if errors.Is(err, rpc.ErrAuthRefused) || errors.Is(err, rpc.ErrSPNEGO) {
		return &model.Fault{Category: model.CategoryAccessDenied, CIMStatus: model.CIMAccessDenied, Err: err,
			CIMMessage: fmt.Sprintf("authentication=%q failed: %s", p.cfg.Auth, authText(err))}
	}
	var be *rpc.BindError
	if errors.As(err, &be) && be.Nak && be.Reason == 8 {
		return &model.Fault{Category: model.CategoryAccessDenied, CIMStatus: model.CIMAccessDenied, Err: err,
			CIMMessage: fmt.Sprintf("the server does not accept authentication=%q over DCOM (its bind was refused: authentication type not recognized)", p.cfg.Auth)}
	}
	if errors.As(err, &be) {
		return &model.Fault{Category: model.CategoryProtocol, Err: err, Reason: "the server does not offer WMI over DCOM here: " + strings.TrimPrefix(be.Error(), "rpc: ")}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, rpc.ErrClosed) {
		return &model.Fault{Category: model.CategoryUnreachable, Err: err, Reason: strings.TrimPrefix(err.Error(), "rpc: ")}
	}
	if errors.Is(err, rpc.ErrMalformed) || errors.Is(err, ndr.ErrShort) || errors.Is(err, wmio.ErrMalformed) || errors.Is(err, rpc.ErrSignature) {
		return &model.Fault{Category: model.CategoryProtocol, Err: err, Reason: "malformed reply: " + err.Error()}
	}
	return &model.Fault{Category: model.CategoryFailed, Err: err, Reason: err.Error()}
}

// authText is an authentication failure's reason without the package
// prefixes of its wrapping.
func authText(err error) string {
	s := err.Error()
	for _, p := range []string{"rpc: authentication refused: ", "rpc: malformed SPNEGO token: ", "rpc: "} {
		s = strings.ReplaceAll(s, p, "")
	}
	return clip(s)
}

// call runs f on the IWbemServices of ns and turns its error into a
// fault. When the server no longer knows the objects (Windows releases
// them when their pings stop), the server did nothing with the call:
// the provider reconnects, logs in again and runs f once more.
func (p *Provider) call(ctx context.Context, ns string, f func(c *wmi.Conn, svc ndr.GUID) error) error {
	for attempt := 0; ; attempt++ {
		c, svc, err := p.services(ctx, ns)
		if err != nil {
			if attempt == 0 && disconnected(err) {
				continue // services dropped the connection
			}
			return err
		}
		err = f(c, svc)
		if err == nil {
			return nil
		}
		if attempt == 0 && disconnected(err) {
			p.drop(c)
			continue
		}
		return p.fault(c, err)
	}
}

// Status codes of calls on objects the server has released.
const (
	rpcEDisconnected  = 0x80010108
	rpcEInvalidObject = 0x80010114
	rpcEInvalidIPID   = 0x8001011d // (also seen as OR_INVALID_OID paths)
)

func disconnected(err error) bool {
	var code uint32
	var rf *rpc.Fault
	var he *orpc.HResultError
	switch {
	case errors.As(err, &rf):
		code = rf.Status
	case errors.As(err, &he):
		code = he.Code
	default:
		if f, ok := model.AsFault(err); ok {
			code = f.ErrorCode
		}
	}
	return code == rpcEDisconnected || code == rpcEInvalidObject || code == rpcEInvalidIPID
}

// explain words a WMI fault with what the caller asked for: WMI returns
// only an HRESULT.
func explain(err error, ns, class, query string) error {
	f, ok := err.(*model.Fault)
	if !ok || f.ErrorCode == 0 {
		return err
	}
	name := wmi.Name(f.ErrorCode)
	switch f.CIMStatus {
	case model.CIMInvalidNamespace:
		f.CIMMessage = fmt.Sprintf("namespace %q does not exist (%s)", clip(wmiNamespace(ns)), name)
	case model.CIMInvalidClass:
		if class != "" {
			f.CIMMessage = fmt.Sprintf("class %q does not exist in %s (%s)", clip(class), wmiNamespace(ns), name)
		}
	case model.CIMInvalidQuery, model.CIMQueryLanguageNotSupported:
		if query != "" {
			f.CIMMessage = fmt.Sprintf("invalid query %q (%s)", clip(query), name)
		}
	}
	return f
}

// clip quotes at most 200 characters of user or server text.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// Close releases the interfaces and closes the connection.
func (p *Provider) Close() error {
	p.mu.Lock()
	c := p.conn
	p.conn = nil
	p.closed = true
	p.mu.Unlock()
	if c == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c.ReleaseAll(ctx)
	return c.Close()
}

// decodeInstance decodes an encoding unit into an instance of ns.
func (p *Provider) decodeInstance(unit []byte, ns string) (*model.Instance, error) {
	o, err := wmio.Decode(unit)
	if err != nil {
		return nil, err
	}
	if o.Instance == nil {
		return nil, fmt.Errorf("%w: a class where an instance was expected", wmio.ErrMalformed)
	}
	inst := o.Instance
	if inst.Namespace == "" {
		inst.Namespace = wmiNamespace(ns)
	}
	inst.ComputerName = p.cfg.ComputerName
	return inst, nil
}

// relPath writes a reference as a path relative to its namespace.
func relPath(r *model.Reference) string {
	c := *r
	c.Namespace = ""
	return wql.FormatObjectPath("", &c)
}

// class returns a class schema, cached per namespace.
func (p *Provider) class(ctx context.Context, ns, name string) (*model.Class, error) {
	key := strings.ToLower(wmiNamespace(ns) + ":" + name)
	p.mu.Lock()
	c, ok := p.classes[key]
	p.mu.Unlock()
	if ok {
		return c, nil
	}
	var o *wmio.Object
	if err := p.call(ctx, ns, func(conn *wmi.Conn, svc ndr.GUID) error {
		unit, err := conn.GetObject(ctx, svc, name, 0)
		if err != nil {
			return err
		}
		if o, err = wmio.Decode(unit); err != nil {
			return err
		}
		if o.Class == nil {
			return fmt.Errorf("%w: an instance where class %s was expected", wmio.ErrMalformed, name)
		}
		return nil
	}); err != nil {
		return nil, explain(err, ns, name, "")
	}
	o.Class.Namespace = wmiNamespace(ns)
	p.mu.Lock()
	p.classes[key] = o.Class
	p.mu.Unlock()
	return o.Class, nil
}

// Identify activates, logs in and reads what the server tells of itself
// (Win32_OperatingSystem's manufacturer and version, when it has them).
func (p *Provider) Identify(ctx context.Context) (*model.Identity, error) {
	if _, _, err := p.services(ctx, "root/cimv2"); err != nil {
		return nil, err
	}
	id := &model.Identity{ProtocolVersion: fmt.Sprintf("DCOM %d.%d", orpc.VersionMajor, orpc.VersionMinor)}
	e, err := p.enumerate(ctx, "root/cimv2", func(conn *wmi.Conn, svc ndr.GUID) (ndr.GUID, error) {
		return conn.ExecQuery(ctx, svc, "WQL", "SELECT Manufacturer, Version FROM Win32_OperatingSystem", wmi.WbemFlagReturnImmed|wmi.WbemFlagForwardOnly)
	}, false)
	if err != nil {
		if f, ok := model.AsFault(err); ok && f.CIMStatus != 0 {
			return id, nil // not a Windows machine's WMI: the login is the test
		}
		return nil, err
	}
	defer e.Close()
	if e.Next(ctx) {
		inst := e.Instance()
		if v, ok := inst.Get("Manufacturer"); ok {
			id.ProductVendor = v.Text()
		}
		if v, ok := inst.Get("Version"); ok && !v.IsNull() {
			id.ProductVersion = "OS: " + v.Text()
		}
	}
	return id, nil
}

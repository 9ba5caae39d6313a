package wmi

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
)

// Conn is a WMI connection: the object exporter association of one
// activated WbemLevel1Login, and the IWbemServices of the namespaces
// logged in to. It is safe for concurrent use (calls are serialized on
// the association).
type Conn struct {
	host       string
	cfg        rpc.Config
	exp        *rpc.Client
	remUnknown ndr.GUID
	login      ndr.GUID

	mu       sync.Mutex
	services map[string]ndr.GUID
	pinger   *pinger
}

// ImpersonationLevel values (RPC_C_IMP_LEVEL_*).
const (
	ImpDefault     = 0
	ImpAnonymous   = 1
	ImpIdentify    = 2
	ImpImpersonate = 3
	ImpDelegate    = 4
)

// Connect activates WbemLevel1Login through the endpoint mapper at
// host:port and connects to the object exporter the OXID bindings name
// (on host: the bindings' addresses are the server's own names for
// itself, which need not resolve here).
//
// While the connection lives, the objects it holds are pinged through
// the OXID resolver every pingInterval (0: two minutes, the DCOM ping
// period), so that the server does not release them when idle.
func Connect(ctx context.Context, host string, port int, cfg rpc.Config, impLevel uint32, pingInterval time.Duration) (*Conn, error) {
	epmAddr := net.JoinHostPort(host, fmt.Sprint(port))
	epm, err := rpc.Dial(ctx, epmAddr, cfg)
	if err != nil {
		return nil, &ReachError{Role: RoleEndpointMapper, Addr: epmAddr, Err: err}
	}
	defer epm.Close()
	rep, err := orpc.RemoteCreateInstance(ctx, epm, &orpc.ActivationRequest{
		CLSID: orpc.CLSIDWbemLevel1Login, IIDs: []ndr.GUID{orpc.IIDWbemLevel1Login},
		ImpLevel: impLevel, Protseqs: []uint16{orpc.TowerTCP},
	})
	if err != nil {
		return nil, err
	}
	o, err := orpc.ParseObjref(rep.Interfaces[0])
	if err != nil {
		return nil, err
	}
	if o.Std == nil {
		return nil, fmt.Errorf("wmi: WbemLevel1Login returned as a custom OBJREF")
	}
	if rep.Bindings == nil {
		return nil, fmt.Errorf("wmi: the activation named no OXID bindings")
	}
	_, expPort, ok := rep.Bindings.TCPEndpoint()
	if !ok || expPort == "" {
		return nil, fmt.Errorf("wmi: no TCP binding with a port among the OXID bindings")
	}
	expAddr := net.JoinHostPort(host, expPort)
	exp, err := rpc.Dial(ctx, expAddr, cfg)
	if err != nil {
		return nil, &ReachError{Role: RoleExporter, Addr: expAddr, Err: err}
	}
	c := &Conn{host: host, cfg: cfg, exp: exp, remUnknown: rep.IPIDRemUnknown, login: o.Std.IPID, services: map[string]ndr.GUID{}}
	c.pinger = newPinger(epmAddr, cfg, pingInterval)
	c.pinger.add(o.Std)
	return c, nil
}

// Roles of the two ports a connection dials.
const (
	RoleEndpointMapper = "endpoint mapper"
	RoleExporter       = "object exporter"
)

// ReachError is a failure to connect to the endpoint mapper or, once it
// answered, to the object exporter (WMI's own port, which firewalls
// block separately).
type ReachError struct {
	Role, Addr string
	Err        error
}

func (e *ReachError) Error() string { return fmt.Sprintf("wmi: %s at %s: %v", e.Role, e.Addr, e.Err) }

func (e *ReachError) Unwrap() error { return e.Err }

// Close stops pinging and closes the association.
func (c *Conn) Close() error {
	c.pinger.stop()
	return c.exp.Close()
}

// call makes an ORPC call and maps a failed HRESULT.
func (c *Conn) call(ctx context.Context, method string, iid, ipid ndr.GUID, opnum uint16, params func(w *ndr.Writer)) (*ndr.Reader, uint32, error) {
	r, hr, err := orpc.Call(ctx, c.exp, method, iid, ipid, opnum, params)
	var he *orpc.HResultError
	if errors.As(err, &he) {
		return r, hr, Fault(method, he.Code, "")
	}
	return r, hr, err
}

// objrefIPID reads an interface pointer, starts pinging its object and
// returns its IPID.
func (c *Conn) objrefIPID(r *ndr.Reader, method string) (ndr.GUID, error) {
	b := r.InterfacePointer()
	if err := r.Err(); err != nil {
		return ndr.GUID{}, fmt.Errorf("%s: %w", method, err)
	}
	if b == nil {
		return ndr.GUID{}, fmt.Errorf("%s: no interface returned", method)
	}
	o, err := orpc.ParseObjref(b)
	if err != nil {
		return ndr.GUID{}, err
	}
	if o.Std == nil {
		return ndr.GUID{}, fmt.Errorf("%s: interface returned by value", method)
	}
	c.pinger.add(o.Std)
	return o.Std.IPID, nil
}

// Services returns the IWbemServices of namespace, logging in the first
// time (IWbemLevel1Login::NTLMLogin, opnum 6).
func (c *Conn) Services(ctx context.Context, namespace string) (ndr.GUID, error) {
	key := strings.ToLower(namespace)
	c.mu.Lock()
	if s, ok := c.services[key]; ok {
		c.mu.Unlock()
		return s, nil
	}
	c.mu.Unlock()
	res := "//./" + strings.ReplaceAll(namespace, `\`, "/")
	r, _, err := c.call(ctx, "NTLMLogin", orpc.IIDWbemLevel1Login, c.login, 6, func(w *ndr.Writer) {
		w.LPWSTR(&res)
		w.LPWSTR(nil)
		w.U32(0)
		w.InterfacePointer(nil)
	})
	if err != nil {
		return ndr.GUID{}, err
	}
	ipid, err := c.objrefIPID(r, "NTLMLogin")
	if err != nil {
		return ndr.GUID{}, err
	}
	c.mu.Lock()
	c.services[key] = ipid
	c.mu.Unlock()
	return ipid, nil
}

// Release releases interface pointers (errors are reported but the
// interfaces are gone from the client's view either way).
func (c *Conn) Release(ctx context.Context, ipids ...ndr.GUID) error {
	if len(ipids) == 0 {
		return nil
	}
	for _, ipid := range ipids {
		c.pinger.remove(ipid)
	}
	return orpc.RemRelease(ctx, c.exp, c.remUnknown, ipids...)
}

// ReleaseAll releases the login and every namespace's services.
func (c *Conn) ReleaseAll(ctx context.Context) error {
	c.mu.Lock()
	ipids := []ndr.GUID{c.login}
	for _, s := range c.services {
		ipids = append(ipids, s)
	}
	c.services = map[string]ndr.GUID{}
	c.mu.Unlock()
	return c.Release(ctx, ipids...)
}

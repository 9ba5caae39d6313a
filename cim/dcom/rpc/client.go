package rpc

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
	krbclient "github.com/jcmturner/gokrb5/v8/client"
)

// Config is how a Client authenticates.
type Config struct {
	User, Domain, Password string
	// AuthType is AuthWinNT (NTLM), AuthNegotiate (SPNEGO carrying NTLM,
	// or Kerberos when Kerberos is set) or AuthKerberos; AuthNone sends
	// no credentials.
	AuthType uint8
	// Level is LevelIntegrity or LevelPrivacy (LevelNone without auth).
	Level uint8
	// Kerberos is the logged-in Kerberos client that asks for service
	// tickets for SPN (such as "host/server.example.com").
	Kerberos *krbclient.Client
	SPN      string
}

// Client is one DCE/RPC association over TCP. Calls are serialized; each
// call's context bounds it, and a cancelled or expired context closes the
// connection, since the call's state on the wire is then unknown.
type Client struct {
	conn net.Conn
	cfg  Config

	mu      sync.Mutex
	callID  uint32
	maxXmit int
	ctxs    map[SyntaxID]uint16
	secs    map[uint16]*clientSec // per presentation context
	broken  error
}

// clientSec is the security context of one presentation context: as
// impacket does against Windows, each bind and alter_context runs its
// own handshake, under its own auth_context_id.
type clientSec struct {
	sec       Sealer
	authCtxID uint32
}

// Dial connects to addr (host:port); the association is bound on the
// first call.
func Dial(ctx context.Context, addr string, cfg Config) (*Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return NewClient(conn, cfg), nil
}

// NewClient runs an association over an established connection.
func NewClient(conn net.Conn, cfg Config) *Client {
	if cfg.AuthType == AuthNone {
		cfg.Level = LevelNone
	}
	return &Client{conn: conn, cfg: cfg, callID: 1, maxXmit: maxFragDefault, ctxs: map[SyntaxID]uint16{}, secs: map[uint16]*clientSec{}}
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// RemoteAddr returns the server's address.
func (c *Client) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// ErrClosed is returned by calls on a client whose connection failed.
var ErrClosed = errors.New("rpc: connection closed")

// guard runs f with ctx's deadline on the connection and closes the
// connection when ctx ends first.
func (c *Client) guard(ctx context.Context, f func() error) error {
	if c.broken != nil {
		return c.broken
	}
	if dl, ok := ctx.Deadline(); ok {
		c.conn.SetDeadline(dl)
	} else {
		c.conn.SetDeadline(timeZero)
	}
	stop := context.AfterFunc(ctx, func() { c.conn.Close() })
	err := f()
	if !stop() || ctx.Err() != nil {
		c.broken = ErrClosed
		c.conn.Close()
		return ctx.Err()
	}
	if err != nil {
		var ne net.Error
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ne) || errors.Is(err, ErrMalformed) || errors.Is(err, ErrSignature) ||
			errors.Is(err, ErrSPNEGO) || errors.Is(err, ErrAuthRefused) {
			c.broken = fmt.Errorf("%w: %v", ErrClosed, err)
			c.conn.Close()
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("%w by the server", ErrClosed)
			}
		}
	}
	return err
}

func (c *Client) send(b []byte) error {
	_, err := c.conn.Write(b)
	return err
}

// bind binds iface: a bind PDU first, alter_context later, each with a
// handshake of its own. The first token goes with the bind; each token
// the server must answer goes in an alter_context (SPNEGO's last legs);
// a final token that needs no answer goes in auth3 (NTLM's
// AUTHENTICATE, raw Kerberos' AP-REP).
func (c *Client) bind(iface SyntaxID) (uint16, error) {
	id := uint16(len(c.ctxs))
	body := (&Bind{MaxXmit: maxFragDefault, MaxRecv: maxFragDefault, Contexts: []ContextElem{{ID: id, Abstract: iface, Transfer: []SyntaxID{NDR20}}}}).Marshal()
	first := len(c.ctxs) == 0
	ptype := uint8(PTypeAlter)
	if first {
		ptype = PTypeBind
	}
	authCtxID := 79231 + uint32(id)
	var ini initiator
	var tok []byte
	if c.cfg.AuthType != AuthNone {
		var err error
		if ini, err = newInitiator(&c.cfg); err != nil {
			return 0, err
		}
		if tok, _, _, err = ini.step(nil); err != nil {
			return 0, err
		}
	}
	resp, err := c.bindLeg(ptype, body, authCtxID, tok)
	if err != nil {
		return 0, err
	}
	if first {
		if ack, _ := ParseBindAck(resp.Body); ack != nil && int(ack.MaxXmit) >= 1024 && int(ack.MaxXmit) < c.maxXmit {
			c.maxXmit = int(ack.MaxXmit)
		}
	}
	for ini != nil {
		var in []byte
		if resp != nil {
			if resp.Trailer != nil {
				in = resp.Auth
			}
			resp = nil
		}
		out, reply, done, err := ini.step(in)
		if err != nil {
			return 0, err
		}
		if len(out) > 0 && reply {
			if resp, err = c.bindLeg(PTypeAlter, body, authCtxID, out); err != nil {
				return 0, err
			}
			continue
		}
		if len(out) > 0 {
			callID := c.callID
			c.callID++
			a3 := build(PTypeAuth3, FlagFirstFrag|FlagLastFrag, callID, make([]byte, 4),
				&SecTrailer{AuthType: c.cfg.AuthType, AuthLevel: c.cfg.Level, ContextID: authCtxID}, out)
			if err := c.send(a3); err != nil {
				return 0, err
			}
		}
		if !done {
			return 0, fmt.Errorf("%w: the handshake ended unfinished", ErrAuthRefused)
		}
		c.secs[id] = &clientSec{sec: ini.sealer(), authCtxID: authCtxID}
		break
	}
	c.ctxs[iface] = id
	return id, nil
}

// bindLeg sends one bind or alter_context (with an auth token when tok
// is set) and reads its acknowledgement, which must accept the one
// presentation context.
func (c *Client) bindLeg(ptype uint8, body []byte, authCtxID uint32, tok []byte) (*PDU, error) {
	callID := c.callID
	c.callID++
	var pdu []byte
	if tok != nil {
		pad := padTo(len(body), 4)
		b := append(append([]byte(nil), body...), make([]byte, pad)...)
		pdu = build(ptype, FlagFirstFrag|FlagLastFrag, callID, b,
			&SecTrailer{AuthType: c.cfg.AuthType, AuthLevel: c.cfg.Level, PadLength: uint8(pad), ContextID: authCtxID}, tok)
	} else {
		pdu = build(ptype, FlagFirstFrag|FlagLastFrag, callID, body, nil, nil)
	}
	if err := c.send(pdu); err != nil {
		return nil, err
	}
	resp, err := ReadPDU(c.conn)
	if err != nil {
		return nil, err
	}
	switch resp.Type {
	case PTypeBindAck, PTypeAlterResp:
	case PTypeBindNak:
		reason := uint16(0)
		if len(resp.Body) >= 2 {
			reason = binary.LittleEndian.Uint16(resp.Body)
		}
		return nil, &BindError{Reason: reason, Nak: true}
	case PTypeFault:
		return nil, faultOf(resp)
	default:
		return nil, fmt.Errorf("%w: PDU type %d in answer to a bind", ErrMalformed, resp.Type)
	}
	if resp.CallID != callID {
		return nil, fmt.Errorf("%w: call id %d in answer to bind %d", ErrMalformed, resp.CallID, callID)
	}
	ack, err := ParseBindAck(resp.Body)
	if err != nil {
		return nil, err
	}
	if len(ack.Results) != 1 {
		return nil, fmt.Errorf("%w: %d bind results", ErrMalformed, len(ack.Results))
	}
	if r := ack.Results[0]; r.Result != 0 {
		return nil, &BindError{Reason: r.Reason}
	}
	if resp.Trailer != nil && resp.Trailer.ContextID != authCtxID {
		return nil, fmt.Errorf("%w: bind answered for security context %d, want %d", ErrMalformed, resp.Trailer.ContextID, authCtxID)
	}
	return resp, nil
}

func faultOf(p *PDU) error {
	if len(p.Body) < 12 {
		return fmt.Errorf("%w: fault of %d bytes", ErrMalformed, len(p.Body))
	}
	return &Fault{Status: binary.LittleEndian.Uint32(p.Body[8:])}
}

// Call sends a request for opnum of iface (binding it first when
// needed), with the object UUID (an IPID in DCOM) when object is set,
// and returns the response stub.
func (c *Client) Call(ctx context.Context, iface SyntaxID, opnum uint16, object *ndr.GUID, stub []byte) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []byte
	err := c.guard(ctx, func() error {
		id, ok := c.ctxs[iface]
		if !ok {
			var err error
			if id, err = c.bind(iface); err != nil {
				return err
			}
		}
		callID := c.callID
		c.callID++
		if err := c.sendRequest(callID, id, opnum, object, stub); err != nil {
			return err
		}
		var err error
		out, err = c.readResponse(callID, c.secs[id])
		return err
	})
	return out, err
}

// overhead is what a fragment carries besides stub: header, fixed
// fields, padding up to 16 and the verifier.
func (c *Client) overhead(object bool) int {
	n := RequestHeaderLen(object) + 16
	for _, cs := range c.secs {
		n += secTrailerLen + cs.sec.AuthLen(c.cfg.Level)
		break
	}
	return n
}

func (c *Client) sendRequest(callID uint32, ctxID, opnum uint16, object *ndr.GUID, stub []byte) error {
	room := (c.maxXmit - c.overhead(object != nil)) &^ 15
	off := 0
	for {
		n := min(room, len(stub)-off)
		var flags uint8
		if off == 0 {
			flags |= FlagFirstFrag
		}
		if off+n == len(stub) {
			flags |= FlagLastFrag
		}
		if object != nil {
			flags |= FlagObjectUUID
		}
		body := make([]byte, 8, 24+n+16)
		binary.LittleEndian.PutUint32(body, uint32(len(stub)-off))
		binary.LittleEndian.PutUint16(body[4:], ctxID)
		binary.LittleEndian.PutUint16(body[6:], opnum)
		if object != nil {
			body = append(body, object[:]...)
		}
		body = append(body, stub[off:off+n]...)
		pdu, err := c.protect(c.secs[ctxID], PTypeRequest, flags, callID, body, RequestHeaderLen(object != nil))
		if err != nil {
			return err
		}
		if err := c.send(pdu); err != nil {
			return err
		}
		off += n
		if off == len(stub) {
			return nil
		}
	}
}

// protect builds a fragment whose stub starts at stubStart and signs or
// seals it per the association's level.
func (c *Client) protect(cs *clientSec, ptype, flags uint8, callID uint32, body []byte, stubStart int) ([]byte, error) {
	if cs == nil || c.cfg.Level < LevelIntegrity {
		return build(ptype, flags, callID, body, nil, nil), nil
	}
	pad := padTo(len(body)+headerLen, 16)
	body = append(body, make([]byte, pad)...)
	pdu := build(ptype, flags, callID, body, &SecTrailer{AuthType: c.cfg.AuthType, AuthLevel: c.cfg.Level, PadLength: uint8(pad), ContextID: cs.authCtxID}, make([]byte, cs.sec.AuthLen(c.cfg.Level)))
	if err := cs.sec.Protect(pdu, c.cfg.Level, stubStart, headerLen+len(body)); err != nil {
		return nil, err
	}
	return pdu, nil
}

func (c *Client) readResponse(callID uint32, cs *clientSec) ([]byte, error) {
	var out []byte
	for {
		p, err := ReadPDU(c.conn)
		if err != nil {
			return nil, err
		}
		if p.CallID != callID {
			return nil, fmt.Errorf("%w: call id %d, want %d", ErrMalformed, p.CallID, callID)
		}
		if p.Type == PTypeFault {
			return nil, faultOf(p)
		}
		if p.Type != PTypeResponse {
			return nil, fmt.Errorf("%w: PDU type %d in answer to a request", ErrMalformed, p.Type)
		}
		stub, err := c.unprotect(cs, p, ResponseHeaderLen)
		if err != nil {
			return nil, err
		}
		out = append(out, stub...)
		if p.Flags&FlagLastFrag != 0 {
			return out, nil
		}
	}
}

// unprotect verifies a fragment and returns its stub without padding.
func (c *Client) unprotect(cs *clientSec, p *PDU, stubStart int) ([]byte, error) {
	if len(p.Raw) < stubStart {
		return nil, fmt.Errorf("%w: fragment of %d bytes", ErrMalformed, len(p.Raw))
	}
	end := headerLen + len(p.Body)
	if cs == nil || c.cfg.Level < LevelIntegrity {
		return p.Raw[stubStart:end], nil
	}
	if p.Trailer == nil || p.Trailer.AuthLevel < LevelIntegrity {
		return nil, fmt.Errorf("%w: unsigned response at a signed level", ErrSignature)
	}
	if p.Trailer.ContextID != cs.authCtxID {
		return nil, fmt.Errorf("%w: response for security context %d, want %d", ErrSignature, p.Trailer.ContextID, cs.authCtxID)
	}
	if err := cs.sec.Verify(p.Raw, p.Trailer.AuthLevel, stubStart, end); err != nil {
		return nil, err
	}
	if int(p.Trailer.PadLength) > end-stubStart {
		return nil, fmt.Errorf("%w: auth padding %d", ErrMalformed, p.Trailer.PadLength)
	}
	return p.Raw[stubStart : end-int(p.Trailer.PadLength)], nil
}

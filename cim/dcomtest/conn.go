package dcomtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
)

// conn is one association: its presentation contexts and security
// contexts (a client may establish several, one per alter_context, as
// impacket does).
type conn struct {
	s       *Server
	nc      net.Conn
	ifaces  map[ndr.GUID]handler
	ctxs    map[uint16]ndr.GUID
	secs    map[uint32]*secCtx
	pending map[uint32][]byte
	maxXmit int
	peek    []byte
}

// secCtx is one security context, named by its auth_context_id: its
// handshake while it runs, then the sealer protecting its PDUs.
type secCtx struct {
	authType uint8
	level    uint8
	acc      rpc.Acceptor
	sec      rpc.Sealer
	user     string
	failed   bool
}

const maxFrag = 5840

func (c *conn) run() {
	defer c.nc.Close()
	c.maxXmit = maxFrag
	for {
		p, err := rpc.ReadPDU(c.reader())
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				c.s.logf("dcomtest: %s: %v", c.nc.RemoteAddr(), err)
			}
			return
		}
		var out [][]byte
		switch p.Type {
		case rpc.PTypeBind, rpc.PTypeAlter:
			out, err = c.bind(p)
		case rpc.PTypeAuth3:
			err = c.auth3(p)
		case rpc.PTypeRequest:
			out, err = c.request(p)
		case rpc.PTypeShutdown, rpc.PTypeCoCancel, rpc.PTypeOrphaned:
		default:
			out = [][]byte{rpc.Build(rpc.PTypeFault, rpc.FlagFirstFrag|rpc.FlagLastFrag|rpc.FlagDidNotExecute, p.CallID, rpc.FaultBody(0, rpc.StatusProtoError), nil, nil)}
		}
		for _, b := range out {
			if _, werr := c.nc.Write(b); werr != nil {
				return
			}
		}
		if err != nil {
			c.s.logf("dcomtest: %s: %v", c.nc.RemoteAddr(), err)
			return
		}
	}
}

func (c *conn) bind(p *rpc.PDU) ([][]byte, error) {
	b, err := rpc.ParseBind(p.Body)
	if err != nil {
		return nil, err
	}
	if p.Type == rpc.PTypeBind && int(b.MaxRecv) >= 1024 && int(b.MaxRecv) < c.maxXmit {
		c.maxXmit = int(b.MaxRecv)
	}
	ack := &rpc.BindAck{MaxXmit: maxFrag, MaxRecv: maxFrag, AssocGroup: 0x1234}
	if p.Type == rpc.PTypeBind {
		_, port, _ := net.SplitHostPort(c.nc.LocalAddr().String())
		ack.SecondaryAddr = port
	}
	for _, e := range b.Contexts {
		res := rpc.ContextResult{Result: 2, Reason: 1}
		if _, ok := c.ifaces[e.Abstract.UUID]; ok {
			res.Reason = 2
			for _, t := range e.Transfer {
				if t == rpc.NDR20 {
					res = rpc.ContextResult{Transfer: rpc.NDR20}
					c.ctxs[e.ID] = e.Abstract.UUID
				}
			}
		}
		ack.Results = append(ack.Results, res)
	}
	ackType := uint8(rpc.PTypeBindAck)
	if p.Type == rpc.PTypeAlter {
		ackType = rpc.PTypeAlterResp
	}
	body := ack.Marshal()
	if p.Trailer == nil || len(p.Auth) == 0 {
		return [][]byte{rpc.Build(ackType, rpc.FlagFirstFrag|rpc.FlagLastFrag, p.CallID, body, nil, nil)}, nil
	}
	t := *p.Trailer
	sc := c.secs[t.ContextID]
	if sc != nil && sc.sec != nil && p.Type == rpc.PTypeAlter {
		// A further presentation context under an established security
		// context: Samba sends its last token again, which is ignored
		// (as Samba's server does); the context's protection applies.
		if t.AuthType != sc.authType || t.AuthLevel != sc.level {
			return [][]byte{c.fault(p.CallID, 0, rpc.StatusAccessDenied)}, fmt.Errorf("alter_context changes an established security context")
		}
		return [][]byte{rpc.Build(ackType, rpc.FlagFirstFrag|rpc.FlagLastFrag, p.CallID, body, nil, nil)}, nil
	}
	if sc == nil || sc.acc == nil {
		// A new handshake (after a failed one, a fresh start).
		acc := c.s.newAcceptor(t.AuthType)
		if acc == nil {
			nak := binary.LittleEndian.AppendUint16(nil, 8)
			return [][]byte{rpc.Build(rpc.PTypeBindNak, rpc.FlagFirstFrag|rpc.FlagLastFrag, p.CallID, nak, nil, nil)}, nil
		}
		sc = &secCtx{authType: t.AuthType, level: t.AuthLevel, acc: acc}
		c.secs[t.ContextID] = sc
	} else if sc.authType != t.AuthType {
		return [][]byte{c.fault(p.CallID, 0, rpc.StatusProtoError)}, fmt.Errorf("authentication type %d while a type %d handshake runs", t.AuthType, sc.authType)
	}
	out, done, err := sc.acc.Accept(p.Auth)
	if err != nil {
		// Windows refuses a failed handshake leg with access denied.
		c.s.logf("dcomtest: %s: authentication: %v", c.nc.RemoteAddr(), err)
		sc.acc, sc.failed = nil, true
		return [][]byte{c.fault(p.CallID, 0, rpc.StatusAccessDenied)}, nil
	}
	if done {
		c.established(sc)
	}
	pad := (4 - len(body)%4) % 4
	body = append(body, make([]byte, pad)...)
	t.PadLength = uint8(pad)
	return [][]byte{rpc.Build(ackType, rpc.FlagFirstFrag|rpc.FlagLastFrag, p.CallID, body, &t, out)}, nil
}

// established switches a finished handshake to its sealer.
func (c *conn) established(sc *secCtx) {
	sc.sec = sc.acc.Sealer()
	if id, ok := sc.acc.(identified); ok {
		sc.user = id.User()
	}
	c.s.countAuth(authName(sc.authType, sc.acc))
	sc.acc = nil
}

func (c *conn) auth3(p *rpc.PDU) error {
	if p.Trailer == nil {
		return errors.New("auth3 without a security trailer")
	}
	sc, ok := c.secs[p.Trailer.ContextID]
	if !ok || sc.acc == nil {
		return errors.New("auth3 for an unknown security context")
	}
	_, done, err := sc.acc.Accept(p.Auth)
	if err == nil && !done {
		err = errors.New("the handshake needs another leg, but auth3 gets no answer")
	}
	if err != nil {
		// Windows answers the next request with access denied.
		c.s.logf("dcomtest: %s: authentication: %v", c.nc.RemoteAddr(), err)
		sc.acc, sc.failed = nil, true
		return nil
	}
	c.established(sc)
	return nil
}

// closedCtx is a context that ends when the client closes the
// connection while a call runs (as a cancelled client does): a one-byte
// read runs beside the call; a byte it gets is kept for the next PDU.
func (c *conn) closedCtx() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		var b [1]byte
		n, err := c.nc.Read(b[:])
		if n == 1 {
			c.peek = append(c.peek, b[0])
			return
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return
		}
		cancel()
	}()
	return ctx, func() {
		c.nc.SetReadDeadline(time.Unix(1, 0))
		<-done
		c.nc.SetReadDeadline(time.Time{})
		cancel()
	}
}

// reader reads the connection after any byte closedCtx kept.
func (c *conn) reader() io.Reader {
	if len(c.peek) == 0 {
		return c.nc
	}
	r := io.MultiReader(bytes.NewReader(c.peek), c.nc)
	c.peek = nil
	return r
}

func (c *conn) fault(callID uint32, ctxID uint16, status uint32) []byte {
	return rpc.Build(rpc.PTypeFault, rpc.FlagFirstFrag|rpc.FlagLastFrag, callID, rpc.FaultBody(ctxID, status), nil, nil)
}

func (c *conn) request(p *rpc.PDU) ([][]byte, error) {
	q, err := rpc.ParseRequest(p.Flags, p.Body)
	if err != nil {
		return nil, err
	}
	stubStart := rpc.RequestHeaderLen(q.Object != nil)
	var sc *secCtx
	if p.Trailer != nil {
		sc = c.secs[p.Trailer.ContextID]
	}
	if sc == nil || sc.failed || sc.sec == nil || p.Trailer.AuthLevel < c.s.opts.MinLevel {
		delete(c.pending, p.CallID)
		if p.Flags&rpc.FlagLastFrag == 0 {
			return nil, nil
		}
		f := c.fault(p.CallID, q.ContextID, rpc.StatusAccessDenied)
		if sc != nil && sc.failed {
			return [][]byte{f}, errors.New("access denied after a failed logon")
		}
		return [][]byte{f}, nil
	}
	end := 16 + len(p.Body)
	if p.Trailer.AuthType != sc.authType {
		return nil, fmt.Errorf("request with authentication type %d on a type %d context", p.Trailer.AuthType, sc.authType)
	}
	if err := sc.sec.Verify(p.Raw, p.Trailer.AuthLevel, stubStart, end); err != nil {
		return nil, err
	}
	if int(p.Trailer.PadLength) > end-stubStart {
		return nil, errors.New("auth padding beyond the stub")
	}
	stub := p.Raw[stubStart : end-int(p.Trailer.PadLength)]
	if p.Flags&rpc.FlagFirstFrag != 0 {
		c.pending[p.CallID] = nil
	}
	c.pending[p.CallID] = append(c.pending[p.CallID], stub...)
	if len(c.pending[p.CallID]) > 16<<20 {
		return nil, errors.New("request of more than 16 MiB")
	}
	if p.Flags&rpc.FlagLastFrag == 0 {
		return nil, nil
	}
	stub = c.pending[p.CallID]
	delete(c.pending, p.CallID)
	iface, ok := c.ctxs[q.ContextID]
	if !ok {
		return [][]byte{c.fault(p.CallID, q.ContextID, rpc.StatusUnknownIf)}, nil
	}
	c.s.calls.Add(1)
	cctx, cancel := c.closedCtx()
	defer cancel()
	ci := &callInfo{ctx: cctx, iface: iface, opnum: q.Opnum, object: q.Object, stub: stub, user: sc.user, level: p.Trailer.AuthLevel}
	c.s.logf("dcomtest: %s: %s", sc.user, ci)
	out, err := c.ifaces[iface](ci)
	if err != nil {
		var f *rpc.Fault
		status := uint32(rpc.StatusBadStub)
		if errors.As(err, &f) {
			status = f.Status
		}
		c.s.logf("dcomtest: %s: fault 0x%08x: %v", ci, status, err)
		return [][]byte{c.fault(p.CallID, q.ContextID, status)}, nil
	}
	return c.respond(p.CallID, q.ContextID, sc, p.Trailer, out), nil
}

// respond fragments and protects a response stub.
func (c *conn) respond(callID uint32, ctxID uint16, sc *secCtx, t *rpc.SecTrailer, stub []byte) [][]byte {
	room := (c.maxXmit - rpc.ResponseHeaderLen - 16 - 8 - sc.sec.AuthLen(t.AuthLevel)) &^ 15
	var out [][]byte
	off := 0
	for {
		n := min(room, len(stub)-off)
		var flags uint8
		if off == 0 {
			flags |= rpc.FlagFirstFrag
		}
		if off+n == len(stub) {
			flags |= rpc.FlagLastFrag
		}
		body := make([]byte, 8, 8+n+16)
		binary.LittleEndian.PutUint32(body, uint32(len(stub)-off))
		binary.LittleEndian.PutUint16(body[4:], ctxID)
		body = append(body, stub[off:off+n]...)
		pad := (16 - (16+len(body))%16) % 16
		body = append(body, make([]byte, pad)...)
		tr := rpc.SecTrailer{AuthType: t.AuthType, AuthLevel: t.AuthLevel, PadLength: uint8(pad), ContextID: t.ContextID}
		pdu := rpc.Build(rpc.PTypeResponse, flags, callID, body, &tr, make([]byte, sc.sec.AuthLen(t.AuthLevel)))
		if err := sc.sec.Protect(pdu, t.AuthLevel, rpc.ResponseHeaderLen, 16+len(body)); err != nil {
			c.s.logf("dcomtest: %s: %v", c.nc.RemoteAddr(), err)
			return [][]byte{c.fault(callID, ctxID, rpc.StatusProtoError)}
		}
		out = append(out, pdu)
		off += n
		if off == len(stub) {
			return out
		}
	}
}

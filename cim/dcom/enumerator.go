package dcom

import (
	"context"
	"time"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
	"github.com/cimsh/cimsh/cim/dcom/wmi"
	"github.com/cimsh/cimsh/cim/model"
)

// enumerator reads an IEnumWbemClassObject in batches. Each Next call
// on the server waits at most NextTimeout, so a cancelled context or a
// deadline is seen between calls; an abandoned enumerator is released.
type enumerator struct {
	p     *Provider
	c     *wmi.Conn
	ipid  ndr.GUID
	ns    string
	batch uint32
	// wait: an event subscription, where an ended ctx is not the end.
	subscription bool

	buf    []*model.Instance
	cur    *model.Instance
	done   bool
	err    error
	closed bool
}

// defaultBatch is the number of objects asked for per Next.
const defaultBatch = 100

// nextGrace is how long past its own timeout a Next call may take on
// the network before the connection is given up.
const nextGrace = 10 * time.Second

// enumerate starts an enumeration with start and wraps it.
func (p *Provider) enumerate(ctx context.Context, ns string, start func(c *wmi.Conn, svc ndr.GUID) (ndr.GUID, error), subscription bool) (*enumerator, error) {
	var e *enumerator
	err := p.call(ctx, ns, func(c *wmi.Conn, svc ndr.GUID) error {
		ipid, err := start(c, svc)
		if err != nil {
			return err
		}
		e = &enumerator{p: p, c: c, ipid: ipid, ns: ns, batch: defaultBatch, subscription: subscription}
		return nil
	})
	return e, err
}

func (e *enumerator) Next(ctx context.Context) bool {
	if e.closed {
		return false
	}
	if e.subscription && !e.done {
		e.err = nil
	}
	for len(e.buf) == 0 {
		if e.done || e.err != nil {
			e.cur = nil
			return false
		}
		if err := ctx.Err(); err != nil {
			e.err = e.p.fault(nil, err)
			if !e.subscription {
				e.done = true
			}
			return false
		}
		// The server waits at most NextTimeout, so the call is not
		// cancelled with ctx (which would close the connection): ctx is
		// looked at between calls, within NextTimeout of its end.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.p.cfg.NextTimeout+nextGrace)
		units, hr, err := e.c.Next(cctx, e.ipid, uint32(e.p.cfg.NextTimeout/time.Millisecond), e.batch)
		cancel()
		if err != nil {
			e.err = e.p.fault(e.c, err)
			e.done = true
			return false
		}
		for _, u := range units {
			inst, err := e.p.decodeInstance(u, e.ns)
			if err != nil {
				e.err = e.p.fault(e.c, err)
				e.done = true
				return false
			}
			e.buf = append(e.buf, inst)
		}
		if hr == wmi.SFalse {
			e.done = true
			e.release()
		}
	}
	e.cur, e.buf = e.buf[0], e.buf[1:]
	return true
}

func (e *enumerator) Instance() *model.Instance { return e.cur }

func (e *enumerator) Err() error { return e.err }

// release gives the server its enumerator back once.
func (e *enumerator) release() {
	if e.ipid.IsZero() {
		return
	}
	ipid := e.ipid
	e.ipid = ndr.GUID{}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e.c.Release(ctx, ipid)
}

func (e *enumerator) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	e.buf = nil
	e.release()
	return nil
}

package wmi

import (
	"context"
	"sync"
	"time"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
	"github.com/cimsh/cimsh/cim/dcom/orpc"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
)

// DefaultPingInterval is DCOM's ping period: a server releases objects
// whose pings stopped for three periods (MS-DCOM 3.2.6.2).
const DefaultPingInterval = 2 * time.Minute

// pinger keeps the client's objects alive: a ping set on the OXID
// resolver (IObjectExporter::ComplexPing, then SimplePing while nothing
// changes), over a connection to the endpoint mapper made for each ping.
type pinger struct {
	addr     string
	cfg      rpc.Config
	interval time.Duration

	mu      sync.Mutex
	oids    map[ndr.GUID]uint64 // IPID -> OID of objects pinged
	added   []uint64
	removed []uint64
	setID   uint64
	seq     uint16
	quit    chan struct{}
	done    chan struct{}
	pings   int
}

func newPinger(addr string, cfg rpc.Config, interval time.Duration) *pinger {
	if interval <= 0 {
		interval = DefaultPingInterval
	}
	p := &pinger{addr: addr, cfg: cfg, interval: interval, oids: map[ndr.GUID]uint64{}, quit: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

func (p *pinger) add(s *orpc.StdObjref) {
	if s.Flags&orpc.SORFNoPing != 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.oids[s.IPID]; !ok {
		p.oids[s.IPID] = s.OID
		p.added = append(p.added, s.OID)
	}
}

func (p *pinger) remove(ipid ndr.GUID) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if oid, ok := p.oids[ipid]; ok {
		delete(p.oids, ipid)
		p.removed = append(p.removed, oid)
	}
}

func (p *pinger) stop() {
	select {
	case <-p.quit:
	default:
		close(p.quit)
	}
	<-p.done
}

func (p *pinger) run() {
	defer close(p.done)
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-p.quit:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), p.interval)
			go func() {
				select {
				case <-p.quit:
					cancel()
				case <-ctx.Done():
				}
			}()
			p.ping(ctx)
			cancel()
		}
	}
}

// ping sends one ping; a failed one is tried again next period (the
// server waits three periods).
func (p *pinger) ping(ctx context.Context) {
	p.mu.Lock()
	added, removed, set, seq := p.added, p.removed, p.setID, p.seq
	empty := len(p.oids) == 0
	p.mu.Unlock()
	if empty && len(removed) == 0 {
		return
	}
	c, err := rpc.Dial(ctx, p.addr, p.cfg)
	if err != nil {
		return
	}
	defer c.Close()
	exporter := orpc.Syntax(orpc.IIDObjectExporter)
	if set != 0 && len(added) == 0 && len(removed) == 0 {
		if _, err := c.Call(ctx, exporter, 1, nil, ndr.NewWriter().Bytes64(set)); err == nil {
			p.mu.Lock()
			p.pings++
			p.mu.Unlock()
		}
		return
	}
	w := ndr.NewWriter()
	w.U64(set)
	w.U16(seq + 1)
	w.U16(uint16(len(added)))
	w.U16(uint16(len(removed)))
	for _, list := range [][]uint64{added, removed} {
		w.Ptr(len(list) > 0)
		if len(list) > 0 {
			w.U32(uint32(len(list)))
			for _, oid := range list {
				w.U64(oid)
			}
		}
	}
	out, err := c.Call(ctx, exporter, 2, nil, w.Bytes())
	if err != nil {
		return
	}
	r := ndr.NewReader(out)
	newSet := r.U64()
	r.U16()
	status := r.U32()
	if r.Err() != nil || status != 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setID, p.seq = newSet, seq+1
	p.added = p.added[len(added):]
	p.removed = p.removed[len(removed):]
	p.pings++
}

// Pings reports how many pings the server acknowledged (for tests).
func (c *Conn) Pings() int {
	c.pinger.mu.Lock()
	defer c.pinger.mu.Unlock()
	return c.pinger.pings
}

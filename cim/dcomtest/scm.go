package dcomtest

import (
	"fmt"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
	"github.com/cimsh/cimsh/cim/dcom/orpc"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
)

func (s *Server) epmInterfaces() map[ndr.GUID]handler {
	return map[ndr.GUID]handler{
		orpc.IIDRemoteSCMActivator: s.scmActivator,
		orpc.IIDObjectExporter:     s.objectExporter,
	}
}

func (s *Server) exporterInterfaces() map[ndr.GUID]handler {
	m := map[ndr.GUID]handler{
		orpc.IIDRemUnknown:  s.remUnknown,
		orpc.IIDRemUnknown2: s.remUnknown,
	}
	for iid, h := range s.wmiInterfaces() {
		m[iid] = h
	}
	return m
}

// reply builds an ORPC response: ORPCTHAT, the out parameters, the
// HRESULT.
func reply(hr uint32, params func(w *ndr.Writer)) []byte {
	w := ndr.NewWriter()
	orpc.WriteThat(w)
	if params != nil {
		params(w)
	}
	w.U32(hr)
	return w.Bytes()
}

// scmActivator serves IRemoteSCMActivator: RemoteCreateInstance (4) and
// RemoteGetClassObject (3), which here activates the same way.
func (s *Server) scmActivator(c *callInfo) ([]byte, error) {
	if c.opnum != 3 && c.opnum != 4 {
		return nil, &rpc.Fault{Status: rpc.StatusOpRange}
	}
	r := ndr.NewReader(c.stub)
	orpc.ReadThis(r)
	if c.opnum == 4 {
		r.InterfacePointer() // pUnkOuter
	}
	props := r.InterfacePointer()
	if err := r.Err(); err != nil {
		return nil, err
	}
	req, err := orpc.ParseActivationRequest(props)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ndr.ErrShort, err)
	}
	null := func(w *ndr.Writer) { w.Ptr(false) }
	if req.CLSID != orpc.CLSIDWbemLevel1Login {
		return reply(orpc.ClassNotReg, null), nil
	}
	rep := &orpc.ActivationReply{OXID: s.oxid, Bindings: s.oxidBindings(), IPIDRemUnknown: s.remUnk, AuthnHint: uint32(c.level)}
	for _, iid := range req.IIDs {
		rep.IIDs = append(rep.IIDs, iid)
		switch iid {
		case orpc.IIDWbemLevel1Login, orpc.IIDUnknown:
			_, ref := s.export(iid, &login{})
			rep.HRESULTs = append(rep.HRESULTs, 0)
			rep.Interfaces = append(rep.Interfaces, ref)
		default:
			rep.HRESULTs = append(rep.HRESULTs, orpc.ENoInterface)
			rep.Interfaces = append(rep.Interfaces, nil)
		}
	}
	s.activation.Add(1)
	s.seenMu.Lock()
	s.imps = append(s.imps, req.ImpLevel)
	s.seenMu.Unlock()
	out := orpc.MarshalActivationReply(rep)
	return reply(0, func(w *ndr.Writer) { w.InterfacePointer(out) }), nil
}

// objectExporter serves the OXID resolver (MS-DCOM 3.1.2.5.1): it knows
// one OXID, this server's.
func (s *Server) objectExporter(c *callInfo) ([]byte, error) {
	r := ndr.NewReader(c.stub)
	w := ndr.NewWriter()
	switch c.opnum {
	case 0, 4: // ResolveOxid, ResolveOxid2
		oxid := r.U64()
		if err := r.Err(); err != nil {
			return nil, err
		}
		if oxid != s.oxid {
			w.Ptr(false)
			w.GUID(ndr.GUID{})
			w.U32(0)
			if c.opnum == 4 {
				w.U16(orpc.VersionMajor)
				w.U16(orpc.VersionMinor)
			}
			w.U32(0x776) // OR_INVALID_OXID
			return w.Bytes(), nil
		}
		w.Ptr(true)
		s.oxidBindings().WriteNDR(w)
		w.GUID(s.remUnk)
		w.U32(rpc.LevelPrivacy)
		if c.opnum == 4 {
			w.U16(orpc.VersionMajor)
			w.U16(orpc.VersionMinor)
		}
		w.U32(0)
	case 1, 3: // SimplePing, ServerAlive
		if c.opnum == 1 {
			s.pingMu.Lock()
			s.simplePings++
			s.pingMu.Unlock()
		}
		w.U32(0)
	case 2: // ComplexPing
		set := r.U64()
		r.U16()
		nAdd, nDel := int(r.U16()), int(r.U16())
		var lists [2][]uint64
		for i, n := range []int{nAdd, nDel} {
			if r.Ptr() {
				m := r.Count(8)
				for j := 0; j < m && r.Err() == nil; j++ {
					lists[i] = append(lists[i], r.U64())
				}
				if r.Err() == nil && m != n {
					r.Fail("ping set list of %d OIDs, %d announced", m, n)
				}
			}
		}
		if err := r.Err(); err != nil {
			return nil, err
		}
		s.pingMu.Lock()
		if set == 0 {
			set = uint64(len(s.pingSets) + 1)
		}
		if s.pingSets == nil {
			s.pingSets = map[uint64]map[uint64]bool{}
		}
		if s.pingSets[set] == nil {
			s.pingSets[set] = map[uint64]bool{}
		}
		for _, oid := range lists[0] {
			s.pingSets[set][oid] = true
		}
		for _, oid := range lists[1] {
			delete(s.pingSets[set], oid)
		}
		s.pingMu.Unlock()
		w.U64(set)
		w.U16(0)
		w.U32(0)
	case 5: // ServerAlive2
		w.U16(orpc.VersionMajor)
		w.U16(orpc.VersionMinor)
		w.Ptr(true)
		s.resolverBindings().WriteNDR(w)
		w.Ptr(false)
		w.U32(0)
	default:
		return nil, &rpc.Fault{Status: rpc.StatusOpRange}
	}
	return w.Bytes(), nil
}

// remUnknown serves IRemUnknown on the remote unknown IPID:
// RemQueryInterface (3), RemAddRef (4), RemRelease (5).
func (s *Server) remUnknown(c *callInfo) ([]byte, error) {
	if c.object == nil || *c.object != s.remUnk {
		return nil, &rpc.Fault{Status: 0x80010114}
	}
	r := ndr.NewReader(c.stub)
	orpc.ReadThis(r)
	switch c.opnum {
	case 3:
		ipid := r.GUID()
		r.U32()
		n := int(r.U16())
		m := r.Count(16)
		var iids []ndr.GUID
		for i := 0; i < m && r.Err() == nil; i++ {
			iids = append(iids, r.GUID())
		}
		if err := r.Err(); err != nil {
			return nil, err
		}
		o := s.lookup(ipid)
		return reply(0, func(w *ndr.Writer) {
			w.Ptr(true)
			w.U32(uint32(n))
			for _, iid := range iids {
				if o == nil || iid != o.iid {
					w.U32(orpc.ENoInterface)
					w.U32(0)
					w.U32(0)
					w.U64(0)
					w.U64(0)
					w.GUID(ndr.GUID{})
					continue
				}
				w.U32(0)
				w.U32(0)
				w.U32(5)
				w.U64(s.oxid)
				w.U64(o.oid)
				w.GUID(o.ipid)
			}
		}), nil
	case 4, 5:
		n := int(r.U16())
		m := r.Count(24)
		var ipids []ndr.GUID
		for i := 0; i < m && r.Err() == nil; i++ {
			ipids = append(ipids, r.GUID())
			r.U32()
			r.U32()
		}
		if err := r.Err(); err != nil {
			return nil, err
		}
		if c.opnum == 4 {
			return reply(0, func(w *ndr.Writer) {
				w.U32(uint32(n))
				for range ipids {
					w.U32(0)
				}
			}), nil
		}
		for _, ipid := range ipids {
			s.release(ipid)
		}
		return reply(0, nil), nil
	}
	return nil, &rpc.Fault{Status: rpc.StatusOpRange}
}

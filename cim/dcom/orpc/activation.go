package orpc

import (
	"encoding/binary"
	"fmt"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
)

// Activation properties (MS-DCOM 2.2.22): an ACTIVATION_BLOB inside an
// OBJREF_CUSTOM, made of a CustomHeader and properties, each serialized
// with NDR type serialization version 1.

// ActivationRequest is what RemoteCreateInstance asks for.
type ActivationRequest struct {
	CLSID     ndr.GUID
	IIDs      []ndr.GUID
	ImpLevel  uint32 // RPC_C_IMP_LEVEL_* of the client
	Protseqs  []uint16
	AuthnHint uint32
}

// ActivationReply is what RemoteCreateInstance answers.
type ActivationReply struct {
	OXID           uint64
	Bindings       *DualStringArray
	IPIDRemUnknown ndr.GUID
	AuthnHint      uint32
	HRESULTs       []uint32
	Interfaces     [][]byte // marshaled OBJREFs, one per IID
	IIDs           []ndr.GUID
}

// blob assembles an ACTIVATION_BLOB from (CLSID, serialized property)
// pairs.
func blob(clsids []ndr.GUID, props [][]byte) []byte {
	var body []byte
	for _, p := range props {
		body = append(body, p...)
	}
	header := func(total uint32, hsize uint32) []byte {
		w := ndr.NewWriter()
		w.U32(total)
		w.U32(hsize)
		w.U32(0)
		w.U32(2) // destCtx: MSHCTX_DIFFERENTMACHINE
		w.U32(uint32(len(clsids)))
		w.GUID(ndr.GUID{})
		w.Ptr(true)
		w.Ptr(true)
		w.Ptr(false)
		w.U32(uint32(len(clsids)))
		for _, c := range clsids {
			w.GUID(c)
		}
		w.U32(uint32(len(props)))
		for _, p := range props {
			w.U32(uint32(len(p)))
		}
		return ndr.Serialize1(w.Bytes())
	}
	hlen := uint32(len(header(0, 0)))
	total := hlen + uint32(len(body))
	h := header(total, hlen)
	out := binary.LittleEndian.AppendUint32(nil, total)
	out = binary.LittleEndian.AppendUint32(out, 0)
	out = append(out, h...)
	return append(out, body...)
}

// parseBlob splits an ACTIVATION_BLOB into its properties by CLSID.
func parseBlob(b []byte) (map[ndr.GUID][]byte, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("orpc: activation blob of %d bytes", len(b))
	}
	b = b[8:]
	r, err := ndr.Deserialize1(b)
	if err != nil {
		return nil, fmt.Errorf("orpc: activation header: %w", err)
	}
	r.U32()
	hsize := int(r.U32())
	r.U32()
	r.U32()
	n := int(r.U32())
	r.GUID()
	hasCLSIDs, hasSizes := r.Ptr(), r.Ptr()
	r.Ptr()
	var clsids []ndr.GUID
	var sizes []int
	if hasCLSIDs {
		m := r.Count(16)
		for i := 0; i < m && r.Err() == nil; i++ {
			clsids = append(clsids, r.GUID())
		}
	}
	if hasSizes {
		m := r.Count(4)
		for i := 0; i < m && r.Err() == nil; i++ {
			sizes = append(sizes, int(r.U32()))
		}
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("orpc: activation header: %w", err)
	}
	if len(clsids) != n || len(sizes) != n || hsize > len(b) {
		return nil, fmt.Errorf("orpc: activation header lists %d properties, %d CLSIDs, %d sizes", n, len(clsids), len(sizes))
	}
	props := map[ndr.GUID][]byte{}
	rest := b[hsize:]
	for i, c := range clsids {
		if sizes[i] > len(rest) {
			return nil, fmt.Errorf("orpc: activation property %d of %d bytes, %d left", i, sizes[i], len(rest))
		}
		props[c] = rest[:sizes[i]]
		rest = rest[sizes[i]:]
	}
	return props, nil
}

// MarshalActivationRequest builds the OBJREF_CUSTOM of
// IActivationPropertiesIn that RemoteCreateInstance carries, with the
// properties Windows clients send: InstantiationInfo,
// ActivationContextInfo, ServerLocationInfo and ScmRequestInfo.
func MarshalActivationRequest(req *ActivationRequest) []byte {
	inst := func(size uint32) []byte {
		w := ndr.NewWriter()
		w.GUID(req.CLSID)
		w.U32(0x10) // CLSCTX_REMOTE_SERVER
		w.U32(0)
		w.U32(0)
		w.U32(uint32(len(req.IIDs)))
		w.U32(0)
		w.Ptr(true)
		w.U32(size)
		w.U16(VersionMajor)
		w.U16(VersionMinor)
		w.U32(uint32(len(req.IIDs)))
		for _, iid := range req.IIDs {
			w.GUID(iid)
		}
		return ndr.Serialize1(w.Bytes())
	}
	instantiation := inst(uint32(len(inst(0))))

	w := ndr.NewWriter()
	w.U32(0)
	w.U32(0)
	w.U32(0)
	w.U32(0)
	w.Ptr(false)
	w.Ptr(false)
	context := ndr.Serialize1(w.Bytes())

	w = ndr.NewWriter()
	w.Ptr(false)
	w.U32(0)
	w.U32(0)
	w.U32(0)
	location := ndr.Serialize1(w.Bytes())

	w = ndr.NewWriter()
	w.Ptr(false)
	w.Ptr(true)
	w.U32(req.ImpLevel)
	w.U16(uint16(len(req.Protseqs)))
	w.Ptr(true)
	w.U32(uint32(len(req.Protseqs)))
	for _, p := range req.Protseqs {
		w.U16(p)
	}
	scm := ndr.Serialize1(w.Bytes())

	data := blob([]ndr.GUID{CLSIDInstantiationInfo, CLSIDActivationContext, CLSIDServerLocationInfo, CLSIDScmRequestInfo},
		[][]byte{instantiation, context, location, scm})
	return MarshalCustom(IIDActivationPropsIn, CLSIDActivationPropsIn, data)
}

// ParseActivationRequest decodes an IActivationPropertiesIn OBJREF.
func ParseActivationRequest(objref []byte) (*ActivationRequest, error) {
	o, err := ParseObjref(objref)
	if err != nil {
		return nil, err
	}
	if o.Std != nil || o.CLSID != CLSIDActivationPropsIn {
		return nil, fmt.Errorf("orpc: activation properties with CLSID %s", o.CLSID)
	}
	props, err := parseBlob(o.Data)
	if err != nil {
		return nil, err
	}
	req := &ActivationRequest{}
	ii, ok := props[CLSIDInstantiationInfo]
	if !ok {
		return nil, fmt.Errorf("orpc: activation without InstantiationInfo")
	}
	r, err := ndr.Deserialize1(ii)
	if err != nil {
		return nil, err
	}
	req.CLSID = r.GUID()
	r.U32()
	r.U32()
	r.U32()
	n := int(r.U32())
	r.U32()
	has := r.Ptr()
	r.U32()
	r.U16()
	r.U16()
	if has {
		m := r.Count(16)
		for i := 0; i < m && r.Err() == nil; i++ {
			req.IIDs = append(req.IIDs, r.GUID())
		}
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("orpc: InstantiationInfo: %w", err)
	}
	if len(req.IIDs) != n || n == 0 {
		return nil, fmt.Errorf("orpc: InstantiationInfo asks for %d interfaces, lists %d", n, len(req.IIDs))
	}
	if scm, ok := props[CLSIDScmRequestInfo]; ok {
		r, err := ndr.Deserialize1(scm)
		if err != nil {
			return nil, err
		}
		r.Ptr()
		if r.Ptr() {
			req.ImpLevel = r.U32()
			r.U16()
			if r.Ptr() {
				m := r.Count(2)
				for i := 0; i < m && r.Err() == nil; i++ {
					req.Protseqs = append(req.Protseqs, r.U16())
				}
			}
		}
		if err := r.Err(); err != nil {
			return nil, fmt.Errorf("orpc: ScmRequestInfo: %w", err)
		}
	}
	return req, nil
}

// MarshalActivationReply builds the IActivationPropertiesOut OBJREF:
// PropsOutInfo then ScmReplyInfo, the order Windows uses.
func MarshalActivationReply(rep *ActivationReply) []byte {
	w := ndr.NewWriter()
	n := len(rep.Interfaces)
	w.U32(uint32(n))
	w.Ptr(true)
	w.Ptr(true)
	w.Ptr(true)
	w.U32(uint32(n))
	for _, iid := range rep.IIDs {
		w.GUID(iid)
	}
	w.U32(uint32(n))
	for _, hr := range rep.HRESULTs {
		w.U32(hr)
	}
	w.U32(uint32(n))
	for _, itf := range rep.Interfaces {
		w.Ptr(itf != nil)
	}
	for _, itf := range rep.Interfaces {
		if itf != nil {
			w.U32(uint32(len(itf)))
			w.U32(uint32(len(itf)))
			w.Raw(itf)
		}
	}
	propsOut := ndr.Serialize1(w.Bytes())

	w = ndr.NewWriter()
	w.Ptr(false)
	w.Ptr(true)
	w.U64(rep.OXID)
	w.Ptr(rep.Bindings != nil)
	w.GUID(rep.IPIDRemUnknown)
	w.U32(rep.AuthnHint)
	w.U16(VersionMajor)
	w.U16(VersionMinor)
	if rep.Bindings != nil {
		rep.Bindings.WriteNDR(w)
	}
	scm := ndr.Serialize1(w.Bytes())
	data := blob([]ndr.GUID{CLSIDPropsOutInfo, CLSIDScmReplyInfo}, [][]byte{propsOut, scm})
	return MarshalCustom(IIDActivationPropsOut, CLSIDActivationPropsOut, data)
}

// ParseActivationReply decodes an IActivationPropertiesOut OBJREF.
func ParseActivationReply(objref []byte) (*ActivationReply, error) {
	o, err := ParseObjref(objref)
	if err != nil {
		return nil, err
	}
	if o.Std != nil || o.CLSID != CLSIDActivationPropsOut {
		return nil, fmt.Errorf("orpc: activation reply with CLSID %s", o.CLSID)
	}
	props, err := parseBlob(o.Data)
	if err != nil {
		return nil, err
	}
	rep := &ActivationReply{}
	po, ok1 := props[CLSIDPropsOutInfo]
	sr, ok2 := props[CLSIDScmReplyInfo]
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("orpc: activation reply without PropsOutInfo or ScmReplyInfo")
	}
	r, err := ndr.Deserialize1(po)
	if err != nil {
		return nil, err
	}
	n := int(r.U32())
	hasIIDs, hasHR, hasItf := r.Ptr(), r.Ptr(), r.Ptr()
	if hasIIDs {
		m := r.Count(16)
		for i := 0; i < m && r.Err() == nil; i++ {
			rep.IIDs = append(rep.IIDs, r.GUID())
		}
	}
	if hasHR {
		m := r.Count(4)
		for i := 0; i < m && r.Err() == nil; i++ {
			rep.HRESULTs = append(rep.HRESULTs, r.U32())
		}
	}
	if hasItf {
		m := r.Count(4)
		present := make([]bool, 0, m)
		for i := 0; i < m && r.Err() == nil; i++ {
			present = append(present, r.Ptr())
		}
		for _, p := range present {
			if p {
				rep.Interfaces = append(rep.Interfaces, r.MInterfacePointer())
			} else {
				rep.Interfaces = append(rep.Interfaces, nil)
			}
		}
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("orpc: PropsOutInfo: %w", err)
	}
	if len(rep.HRESULTs) != n || len(rep.Interfaces) != n {
		return nil, fmt.Errorf("orpc: PropsOutInfo with %d interfaces, %d results, %d pointers", n, len(rep.HRESULTs), len(rep.Interfaces))
	}
	r, err = ndr.Deserialize1(sr)
	if err != nil {
		return nil, err
	}
	r.Ptr()
	if !r.Ptr() {
		return nil, fmt.Errorf("orpc: ScmReplyInfo without a remote reply")
	}
	rep.OXID = r.U64()
	hasBindings := r.Ptr()
	rep.IPIDRemUnknown = r.GUID()
	rep.AuthnHint = r.U32()
	r.U16()
	r.U16()
	if hasBindings {
		if rep.Bindings, err = ReadDualStringArrayNDR(r); err != nil {
			return nil, fmt.Errorf("orpc: OXID bindings: %w", err)
		}
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("orpc: ScmReplyInfo: %w", err)
	}
	return rep, nil
}

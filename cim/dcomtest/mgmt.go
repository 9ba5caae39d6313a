package dcomtest

import (
	"bytes"
	"sort"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
)

// iidMgmt is the DCE/RPC management interface (C706 appendix Q), which
// the RPC run-time serves on every endpoint of a Windows machine, the
// endpoint mapper and the object exporters included.
var iidMgmt = ndr.MustGUID("afa8bd80-7d8a-11c9-bef4-08002b102989")

// withMgmt adds the management interface to an endpoint's interfaces.
func withMgmt(ifaces map[ndr.GUID]handler) map[ndr.GUID]handler {
	var ids []ndr.GUID
	for iid := range ifaces {
		ids = append(ids, iid)
	}
	sort.Slice(ids, func(i, j int) bool { return bytes.Compare(ids[i][:], ids[j][:]) < 0 })
	ifaces[iidMgmt] = func(c *callInfo) ([]byte, error) { return mgmt(c, ids) }
	return ifaces
}

// mgmt serves inq_if_ids (opnum 0: the interfaces of this endpoint, all
// at version 0.0 as DCOM's are) and is_server_listening (opnum 2).
func mgmt(c *callInfo, ids []ndr.GUID) ([]byte, error) {
	w := ndr.NewWriter()
	switch c.opnum {
	case 0:
		w.Ptr(true) // rpc_if_id_vector_p_t
		w.U32(uint32(len(ids)))
		w.U32(uint32(len(ids)))
		for range ids {
			w.Ptr(true)
		}
		for _, id := range ids {
			w.GUID(id)
			w.U16(0)
			w.U16(0)
		}
		w.U32(0) // status
	case 2:
		w.U32(0) // status
		w.U32(1) // listening
	default:
		return nil, &rpc.Fault{Status: rpc.StatusOpRange}
	}
	return w.Bytes(), nil
}

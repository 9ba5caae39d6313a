package orpc

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
)

// HResultError is a failed HRESULT returned by a DCOM method.
type HResultError struct {
	Method string
	Code   uint32
}

func (e *HResultError) Error() string { return fmt.Sprintf("%s: HRESULT 0x%08x", e.Method, e.Code) }

// Call makes an ORPC call of opnum on the interface iid of the object
// ipid: it writes ORPCTHIS and the parameters, and returns a reader
// positioned after ORPCTHAT over the out parameters (without the final
// HRESULT), or the HRESULT as an *HResultError when it failed.
func Call(ctx context.Context, c *rpc.Client, method string, iid, ipid ndr.GUID, opnum uint16, params func(w *ndr.Writer)) (*ndr.Reader, uint32, error) {
	w := ndr.NewWriter()
	NewThis().Write(w)
	if params != nil {
		params(w)
	}
	out, err := c.Call(ctx, Syntax(iid), opnum, &ipid, w.Bytes())
	if err != nil {
		return nil, 0, err
	}
	return result(method, out, true)
}

// result splits a response stub into its out parameters and HRESULT.
func result(method string, out []byte, orpc bool) (*ndr.Reader, uint32, error) {
	if len(out) < 4 {
		return nil, 0, fmt.Errorf("%s: response of %d bytes", method, len(out))
	}
	hr := binary.LittleEndian.Uint32(out[len(out)-4:])
	r := ndr.NewReader(out[:len(out)-4])
	if orpc {
		ReadThat(r)
	}
	if hr&0x80000000 != 0 {
		return r, hr, &HResultError{Method: method, Code: hr}
	}
	return r, hr, r.Err()
}

// RemoteCreateInstance activates req.CLSID through the SCM activator of
// the endpoint mapper connection c (MS-DCOM 3.1.2.5.2.3.3, opnum 4).
func RemoteCreateInstance(ctx context.Context, c *rpc.Client, req *ActivationRequest) (*ActivationReply, error) {
	w := ndr.NewWriter()
	NewThis().Write(w)
	w.InterfacePointer(nil)
	w.InterfacePointer(MarshalActivationRequest(req))
	out, err := c.Call(ctx, Syntax(IIDRemoteSCMActivator), 4, nil, w.Bytes())
	if err != nil {
		return nil, err
	}
	r, _, err := result("RemoteCreateInstance", out, true)
	if err != nil {
		return nil, err
	}
	objref := r.InterfacePointer()
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("RemoteCreateInstance: %w", err)
	}
	if objref == nil {
		return nil, fmt.Errorf("RemoteCreateInstance: no activation properties returned")
	}
	rep, err := ParseActivationReply(objref)
	if err != nil {
		return nil, err
	}
	for i, hr := range rep.HRESULTs {
		if hr&0x80000000 != 0 {
			return nil, &HResultError{Method: "RemoteCreateInstance", Code: hr}
		}
		if rep.Interfaces[i] == nil {
			return nil, fmt.Errorf("RemoteCreateInstance: interface %d not returned", i)
		}
	}
	return rep, nil
}

// RemRelease releases public references on ipids through the
// IRemUnknown of their object exporter (opnum 5).
func RemRelease(ctx context.Context, c *rpc.Client, remUnknown ndr.GUID, ipids ...ndr.GUID) error {
	_, _, err := Call(ctx, c, "RemRelease", IIDRemUnknown, remUnknown, 5, func(w *ndr.Writer) {
		w.U16(uint16(len(ipids)))
		w.U32(uint32(len(ipids)))
		for _, ipid := range ipids {
			w.GUID(ipid)
			w.U32(5)
			w.U32(0)
		}
	})
	return err
}

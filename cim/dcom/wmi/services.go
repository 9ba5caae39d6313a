package wmi

import (
	"context"
	"fmt"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
	"github.com/cimsh/cimsh/cim/dcom/orpc"
)

// objectData returns the MS-WMIO encoding unit inside an IWbemClassObject
// OBJREF_CUSTOM.
func objectData(b []byte) ([]byte, error) {
	o, err := orpc.ParseObjref(b)
	if err != nil {
		return nil, err
	}
	if o.Std != nil || o.CLSID != orpc.CLSIDWbemClassObject {
		return nil, fmt.Errorf("wmi: object returned by reference, not by value (CLSID %s)", o.CLSID)
	}
	return o.Data, nil
}

// ObjectRef wraps an encoding unit as the OBJREF_CUSTOM of an
// IWbemClassObject sent by value.
func ObjectRef(unit []byte) []byte {
	return orpc.MarshalCustom(orpc.IIDWbemClassObject, orpc.CLSIDWbemClassObject, unit)
}

// query runs an IWbemServices method that returns an enumerator.
func (c *Conn) enumCall(ctx context.Context, method string, svc ndr.GUID, opnum uint16, params func(w *ndr.Writer)) (ndr.GUID, error) {
	r, _, err := c.call(ctx, method, orpc.IIDWbemServices, svc, opnum, params)
	if err != nil {
		return ndr.GUID{}, err
	}
	return c.objrefIPID(r, method)
}

// ExecQuery starts a semi-synchronous query (opnum 20) and returns the
// IEnumWbemClassObject.
func (c *Conn) ExecQuery(ctx context.Context, svc ndr.GUID, language, query string, flags uint32) (ndr.GUID, error) {
	return c.enumCall(ctx, "ExecQuery", svc, 20, func(w *ndr.Writer) {
		w.BSTR(language)
		w.BSTR(query)
		w.U32(flags)
		w.InterfacePointer(nil)
	})
}

// ExecNotificationQuery subscribes to events (opnum 22).
func (c *Conn) ExecNotificationQuery(ctx context.Context, svc ndr.GUID, language, query string, flags uint32) (ndr.GUID, error) {
	return c.enumCall(ctx, "ExecNotificationQuery", svc, 22, func(w *ndr.Writer) {
		w.BSTR(language)
		w.BSTR(query)
		w.U32(flags)
		w.InterfacePointer(nil)
	})
}

// CreateInstanceEnum enumerates a class's instances (opnum 18).
func (c *Conn) CreateInstanceEnum(ctx context.Context, svc ndr.GUID, class string, flags uint32) (ndr.GUID, error) {
	return c.enumCall(ctx, "CreateInstanceEnum", svc, 18, func(w *ndr.Writer) {
		w.BSTR(class)
		w.U32(flags)
		w.InterfacePointer(nil)
	})
}

// CreateClassEnum enumerates classes (opnum 12).
func (c *Conn) CreateClassEnum(ctx context.Context, svc ndr.GUID, super string, flags uint32) (ndr.GUID, error) {
	return c.enumCall(ctx, "CreateClassEnum", svc, 12, func(w *ndr.Writer) {
		w.BSTR(super)
		w.U32(flags)
		w.InterfacePointer(nil)
	})
}

// Next fetches up to count objects (IEnumWbemClassObject::Next, opnum
// 4), waiting at most timeoutMs; it returns the encoding units and the
// HRESULT (SFalse at the end, STimedOut when the wait ended first).
func (c *Conn) Next(ctx context.Context, enum ndr.GUID, timeoutMs, count uint32) ([][]byte, uint32, error) {
	r, hr, err := c.call(ctx, "IEnumWbemClassObject::Next", orpc.IIDEnumWbemClassObject, enum, 4, func(w *ndr.Writer) {
		w.U32(timeoutMs)
		w.U32(count)
	})
	if err != nil {
		return nil, hr, err
	}
	max := int(r.U32()) // the caller's count: a bound, not what follows
	r.U32()
	n := r.Count(4)
	if r.Err() == nil && n > max {
		r.Fail("%d objects in an array of %d", n, max)
	}
	present := make([]bool, 0, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		present = append(present, r.Ptr())
	}
	var units [][]byte
	for _, p := range present {
		if !p {
			continue
		}
		b := r.MInterfacePointer()
		if r.Err() != nil {
			break
		}
		u, err := objectData(b)
		if err != nil {
			return nil, hr, err
		}
		units = append(units, u)
	}
	returned := r.U32()
	if err := r.Err(); err != nil {
		return nil, hr, fmt.Errorf("IEnumWbemClassObject::Next: %w", err)
	}
	if int(returned) != len(units) {
		return nil, hr, fmt.Errorf("IEnumWbemClassObject::Next: %d objects, %d announced", len(units), returned)
	}
	return units, hr, nil
}

// readObject reads an [out] IWbemClassObject** (a unique pointer to an
// interface pointer) and returns its encoding unit (nil for NULL).
func readObject(r *ndr.Reader) ([]byte, error) {
	if !r.Ptr() {
		return nil, r.Err()
	}
	b := r.InterfacePointer()
	if err := r.Err(); err != nil || b == nil {
		return nil, err
	}
	return objectData(b)
}

// readCallResult reads an [out] IWbemCallResult** and returns its IPID
// (zero for NULL).
func readCallResult(r *ndr.Reader) (ndr.GUID, error) {
	if !r.Ptr() {
		return ndr.GUID{}, r.Err()
	}
	b := r.InterfacePointer()
	if err := r.Err(); err != nil || b == nil {
		return ndr.GUID{}, err
	}
	o, err := orpc.ParseObjref(b)
	if err != nil || o.Std == nil {
		return ndr.GUID{}, fmt.Errorf("wmi: call result: %v", err)
	}
	return o.Std.IPID, nil // released at once: not pinged
}

// GetObject fetches a class or an instance by path (opnum 6).
func (c *Conn) GetObject(ctx context.Context, svc ndr.GUID, path string, flags uint32) ([]byte, error) {
	r, _, err := c.call(ctx, "GetObject", orpc.IIDWbemServices, svc, 6, func(w *ndr.Writer) {
		w.BSTR(path)
		w.U32(flags)
		w.InterfacePointer(nil)
		w.Ptr(true) // ppObject: a pointer to a NULL interface pointer
		w.Ptr(false)
		w.Ptr(false) // no call result
	})
	if err != nil {
		return nil, err
	}
	u, err := readObject(r)
	if err != nil {
		return nil, fmt.Errorf("GetObject: %w", err)
	}
	if u == nil {
		return nil, fmt.Errorf("GetObject: no object returned")
	}
	return u, nil
}

// ExecMethod calls a method (opnum 24) with in-parameters (an encoding
// unit, or nil) and returns the out-parameters' encoding unit.
func (c *Conn) ExecMethod(ctx context.Context, svc ndr.GUID, path, method string, in []byte) ([]byte, error) {
	r, _, err := c.call(ctx, "ExecMethod", orpc.IIDWbemServices, svc, 24, func(w *ndr.Writer) {
		w.BSTR(path)
		w.BSTR(method)
		w.U32(0)
		w.InterfacePointer(nil)
		if in != nil {
			w.InterfacePointer(ObjectRef(in))
		} else {
			w.InterfacePointer(nil)
		}
		w.Ptr(true)
		w.Ptr(false)
		w.Ptr(false)
	})
	if err != nil {
		return nil, err
	}
	u, err := readObject(r)
	if err != nil {
		return nil, fmt.Errorf("ExecMethod: %w", err)
	}
	return u, nil
}

// PutInstance creates or updates an instance (opnum 14), with an
// IWbemContext OBJREF (MarshalContext) or nil, and returns its path, read
// from the call result.
func (c *Conn) PutInstance(ctx context.Context, svc ndr.GUID, unit []byte, flags uint32, wctx []byte) (string, error) {
	r, _, err := c.call(ctx, "PutInstance", orpc.IIDWbemServices, svc, 14, func(w *ndr.Writer) {
		w.InterfacePointer(ObjectRef(unit))
		w.U32(flags)
		w.InterfacePointer(wctx)
		w.Ptr(true)
		w.Ptr(false)
	})
	if err != nil {
		return "", err
	}
	cr, err := readCallResult(r)
	if err != nil || cr.IsZero() {
		return "", err
	}
	defer c.Release(ctx, cr)
	r, _, err = c.call(ctx, "IWbemCallResult::GetResultString", orpc.IIDWbemCallResult, cr, 4, func(w *ndr.Writer) { w.U32(0xffffffff) })
	if err != nil {
		return "", err
	}
	s := r.BSTR()
	return s, r.Err()
}

// DeleteInstance deletes an instance by path (opnum 16).
func (c *Conn) DeleteInstance(ctx context.Context, svc ndr.GUID, path string) error {
	_, _, err := c.call(ctx, "DeleteInstance", orpc.IIDWbemServices, svc, 16, func(w *ndr.Writer) {
		w.BSTR(path)
		w.U32(0)
		w.InterfacePointer(nil)
		w.Ptr(false)
	})
	return err
}

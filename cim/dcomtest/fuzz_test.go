package dcomtest

import (
	"context"
	"testing"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
	"github.com/cimsh/cimsh/cim/dcom/orpc"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

// FuzzHandlers feeds arbitrary stubs to every interface the server
// serves, on objects of the right kind: bad input gives an error or a
// failed HRESULT, never a panic.
func FuzzHandlers(f *testing.F) {
	s, err := Start(Options{Users: []ntlmserver.User{{Name: "u", Password: "p"}}})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	_, _ = s.export(orpc.IIDWbemLevel1Login, &login{})
	svc, _ := s.export(orpc.IIDWbemServices, &services{ns: "root/cimv2"})
	enum, _ := s.export(orpc.IIDEnumWbemClassObject, &enumerator{ns: "root/cimv2", done: true})
	objects := map[ndr.GUID]ndr.GUID{orpc.IIDWbemServices: svc.ipid, orpc.IIDEnumWbemClassObject: enum.ipid, orpc.IIDRemUnknown: s.remUnk}
	for _, o := range s.objects {
		if o.iid == orpc.IIDWbemLevel1Login {
			objects[orpc.IIDWbemLevel1Login] = o.ipid
		}
	}
	w := ndr.NewWriter()
	orpc.NewThis().Write(w)
	w.BSTR("WQL")
	w.BSTR("SELECT * FROM Win32_Service")
	w.U32(0x30)
	w.InterfacePointer(nil)
	f.Add(uint16(20), w.Bytes())
	f.Add(uint16(4), orpc.MarshalActivationRequest(&orpc.ActivationRequest{CLSID: orpc.CLSIDWbemLevel1Login, IIDs: []ndr.GUID{orpc.IIDWbemLevel1Login}}))
	handlers := map[ndr.GUID]handler{}
	for k, v := range s.epmInterfaces() {
		handlers[k] = v
	}
	for k, v := range s.exporterInterfaces() {
		handlers[k] = v
	}
	f.Fuzz(func(t *testing.T, opnum uint16, stub []byte) {
		for iid, h := range handlers {
			c := &callInfo{ctx: context.Background(), iface: iid, opnum: opnum % 26, stub: stub, level: 6}
			if o, ok := objects[iid]; ok {
				c.object = &o
			}
			h(c)
		}
	})
}

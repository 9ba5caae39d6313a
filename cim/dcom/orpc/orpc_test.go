package orpc

import (
	"testing"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
)

func TestActivationRoundTrip(t *testing.T) {
	req := &ActivationRequest{CLSID: CLSIDWbemLevel1Login, IIDs: []ndr.GUID{IIDWbemLevel1Login}, ImpLevel: 3, Protseqs: []uint16{7}}
	got, err := ParseActivationRequest(MarshalActivationRequest(req))
	if err != nil || got.CLSID != req.CLSID || len(got.IIDs) != 1 || got.IIDs[0] != IIDWbemLevel1Login || got.ImpLevel != 3 || len(got.Protseqs) != 1 {
		t.Fatalf("%+v %v", got, err)
	}
	d := &DualStringArray{Strings: []StringBinding{{TowerID: TowerTCP, Addr: "127.0.0.1[49666]"}}, Security: []SecurityBinding{{AuthnSvc: 10}}}
	ref := MarshalStandard(IIDWbemLevel1Login, StdObjref{PublicRefs: 5, OXID: 9, OID: 10, IPID: IIDUnknown}, d.MarshalPacked())
	rep := &ActivationReply{OXID: 42, Bindings: d, AuthnHint: 6, HRESULTs: []uint32{0}, Interfaces: [][]byte{ref}, IIDs: []ndr.GUID{IIDWbemLevel1Login}}
	gr, err := ParseActivationReply(MarshalActivationReply(rep))
	if err != nil || gr.OXID != 42 || gr.AuthnHint != 6 || len(gr.Interfaces) != 1 {
		t.Fatalf("%+v %v", gr, err)
	}
	if h, p, ok := gr.Bindings.TCPEndpoint(); !ok || h != "127.0.0.1" || p != "49666" {
		t.Fatalf("bindings %+v", gr.Bindings)
	}
	o, err := ParseObjref(gr.Interfaces[0])
	if err != nil || o.Std == nil || o.Std.OXID != 9 {
		t.Fatalf("%+v %v", o, err)
	}
	rd, err := ParseDualStringArrayPacked(o.Std.ResolverRaw)
	if err != nil || len(rd.Strings) != 1 || rd.Security[0].AuthnSvc != 10 {
		t.Fatalf("%+v %v", rd, err)
	}
}

func FuzzActivation(f *testing.F) {
	f.Add(MarshalActivationRequest(&ActivationRequest{CLSID: CLSIDWbemLevel1Login, IIDs: []ndr.GUID{IIDWbemLevel1Login}}))
	f.Add(MarshalActivationReply(&ActivationReply{HRESULTs: []uint32{0}, Interfaces: [][]byte{{1}}, IIDs: []ndr.GUID{IIDUnknown}, Bindings: &DualStringArray{}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseActivationRequest(b)
		ParseActivationReply(b)
		if o, err := ParseObjref(b); err == nil && o.Std != nil {
			ParseDualStringArrayPacked(o.Std.ResolverRaw)
		}
	})
}

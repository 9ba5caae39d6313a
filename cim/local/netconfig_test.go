package local

import (
	"net"
	"slices"
	"strings"
	"testing"

	psnet "github.com/shirou/gopsutil/v4/net"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/internal/testenv"
)

// Win32_NetworkAdapterConfiguration agrees with the standard library's
// view of the interfaces.
func TestNetworkAdaptersMatchOS(t *testing.T) {
	ifaces, err := net.Interfaces()
	if err != nil {
		testenv.Skip(t, "the interfaces cannot be listed", err)
	}
	p := newTestProvider(t)
	insts := enumClass(t, p, "Win32_NetworkAdapterConfiguration")
	byIndex := map[uint64]*model.Instance{}
	for _, inst := range insts {
		byIndex[propU(t, inst, "Index")] = inst
	}
	for _, ifc := range ifaces {
		inst := byIndex[uint64(ifc.Index)]
		if ifc.Flags&net.FlagLoopback != 0 {
			if inst != nil {
				t.Errorf("loopback %s is listed", ifc.Name)
			}
			continue
		}
		if inst == nil {
			t.Errorf("interface %s (index %d) missing", ifc.Name, ifc.Index)
			continue
		}
		if got := propStr(t, inst, "Description"); got != ifc.Name {
			t.Errorf("index %d Description = %q, want %q", ifc.Index, got, ifc.Name)
		}
		if mac := ifc.HardwareAddr.String(); mac != "" && propStr(t, inst, "MACAddress") != strings.ToUpper(mac) {
			t.Errorf("%s MACAddress = %q, want %q", ifc.Name, propStr(t, inst, "MACAddress"), strings.ToUpper(mac))
		}
		addrs, _ := ifc.Addrs()
		var want []string
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok {
				want = append(want, ipn.IP.String())
			}
		}
		enabled, _ := prop(t, inst, "IPEnabled").AsBool()
		if enabled != (ifc.Flags&net.FlagUp != 0 && len(want) > 0) {
			t.Errorf("%s IPEnabled = %v", ifc.Name, enabled)
		}
		if !enabled {
			continue
		}
		var got []string
		for _, e := range prop(t, inst, "IPAddress").Elems() {
			s, _ := e.AsString()
			got = append(got, s)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s IPAddress = %v, want %v", ifc.Name, got, want)
		}
		if n := prop(t, inst, "IPSubnet").Len(); n != len(got) {
			t.Errorf("%s has %d subnets for %d addresses", ifc.Name, n, len(got))
		}
	}
	// Get by key.
	for idx := range byIndex {
		ref := &model.Reference{ClassName: "Win32_NetworkAdapterConfiguration", Selectors: []model.Selector{{Name: "Index", Value: model.Uint(model.TypeUint32, idx).Text()}}}
		if _, err := p.Get(testCtx(t), &model.GetRequest{Path: ref}); err != nil {
			t.Errorf("Get %s: %v", ref, err)
		}
		break
	}
}

func TestAddressesAndMasks(t *testing.T) {
	in := []struct{ Addr string }{{"fe80::1/64"}, {"192.0.2.2/24"}, {"10.1.2.3/8"}, {"bogus"}}
	var list = make([]string, len(in))
	for i, a := range in {
		list[i] = a.Addr
	}
	addrs, masks := addressesAndMasks(toAddrList(list))
	if strings.Join(addrs, ",") != "192.0.2.2,10.1.2.3,fe80::1" || strings.Join(masks, ",") != "255.255.255.0,255.0.0.0,64" {
		t.Errorf("addresses %v masks %v", addrs, masks)
	}
}

func TestParseResolvConf(t *testing.T) {
	rc := parseResolvConf(strings.NewReader("# generated\nnameserver 192.0.2.53\nnameserver 2001:db8::53 ; v6\nsearch corp.example example.org\noptions edns0\n"))
	if strings.Join(rc.servers, ",") != "192.0.2.53,2001:db8::53" || rc.domain != "corp.example" || strings.Join(rc.search, ",") != "corp.example,example.org" {
		t.Errorf("resolv.conf = %+v", rc)
	}
	rc = parseResolvConf(strings.NewReader("domain lab.example\n"))
	if rc.domain != "lab.example" || len(rc.search) != 1 {
		t.Errorf("domain only = %+v", rc)
	}
}

// toAddrList builds gopsutil's address list from "addr/len" strings.
func toAddrList(addrs []string) psnet.InterfaceAddrList {
	out := make(psnet.InterfaceAddrList, len(addrs))
	for i, a := range addrs {
		out[i] = psnet.InterfaceAddr{Addr: a}
	}
	return out
}

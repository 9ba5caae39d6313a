package local

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/internal/testenv"
)

// ipRouteDefaults returns iproute2's default gateways by interface for one
// address family ("-4" or "-6"), multipath next hops included.
func ipRouteDefaults(t *testing.T, ipCmd, family string) map[string][]string {
	t.Helper()
	out, err := exec.Command(ipCmd, family, "route", "show", "default").Output()
	if err != nil {
		testenv.Skip(t, "ip route failed", err)
	}
	want := map[string][]string{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		via, dev := slices.Index(f, "via"), slices.Index(f, "dev")
		if len(f) > 0 && (f[0] == "default" || f[0] == "nexthop") && via >= 0 && dev > 0 && via+1 < len(f) && dev+1 < len(f) {
			want[f[dev+1]] = append(want[f[dev+1]], f[via+1])
		}
	}
	return want
}

// The default gateways, IPv4 and IPv6, agree with iproute2's view.
func TestDefaultGatewaysMatchIPRoute(t *testing.T) {
	ipCmd, err := exec.LookPath("ip")
	if err != nil {
		testenv.Skip(t, "no ip command (iproute2)")
	}
	want4, want6 := ipRouteDefaults(t, ipCmd, "-4"), ipRouteDefaults(t, ipCmd, "-6")
	p := newTestProvider(t)
	for _, inst := range enumClass(t, p, "Win32_NetworkAdapterConfiguration") {
		if enabled, _ := prop(t, inst, "IPEnabled").AsBool(); !enabled {
			continue
		}
		name := propStr(t, inst, "Description")
		var got4, got6 []string
		for _, e := range prop(t, inst, "DefaultIPGateway").Elems() {
			if s, _ := e.AsString(); strings.Contains(s, ":") {
				got6 = append(got6, s)
			} else {
				got4 = append(got4, s)
			}
		}
		if !slices.Equal(got4, want4[name]) || !slices.Equal(got6, want6[name]) {
			t.Errorf("%s gateways = %v %v, ip route says %v %v", name, got4, got6, want4[name], want6[name])
		}
	}
}

package local

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The IPv4 default gateways agree with iproute2's view.
func TestDefaultGatewaysMatchIPRoute(t *testing.T) {
	ipCmd, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("no ip command")
	}
	out, err := exec.Command(ipCmd, "-4", "route", "show", "default").Output()
	if err != nil {
		t.Skipf("ip route: %v", err)
	}
	want := map[string][]string{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		via, dev := slices.Index(f, "via"), slices.Index(f, "dev")
		if len(f) > 0 && f[0] == "default" && via > 0 && dev > 0 && via+1 < len(f) && dev+1 < len(f) {
			want[f[dev+1]] = append(want[f[dev+1]], f[via+1])
		}
	}
	p := newTestProvider(t)
	for _, inst := range enumClass(t, p, "Win32_NetworkAdapterConfiguration") {
		name := propStr(t, inst, "Description")
		var got []string
		for _, e := range prop(t, inst, "DefaultIPGateway").Elems() {
			if s, _ := e.AsString(); !strings.Contains(s, ":") {
				got = append(got, s)
			}
		}
		if enabled, _ := prop(t, inst, "IPEnabled").AsBool(); !enabled {
			continue
		}
		if !slices.Equal(got, want[name]) {
			t.Errorf("%s IPv4 gateways = %v, ip route says %v", name, got, want[name])
		}
	}
}

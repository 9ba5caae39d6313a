package local

import "os"

// defaultGateways returns the next hops of the default routes by
// interface name, IPv4 before IPv6. gopsutil has no routing table and the
// netlink modules are far larger than this need, so the kernel's text
// tables are read.
func defaultGateways() map[string][]string {
	gw := map[string][]string{}
	if f, err := os.Open("/proc/net/route"); err == nil {
		parseRouteV4(f, gw)
		f.Close()
	}
	if f, err := os.Open("/proc/net/ipv6_route"); err == nil {
		parseRouteV6(f, gw)
		f.Close()
	}
	return gw
}

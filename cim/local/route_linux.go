package local

import (
	"encoding/binary"
	"net"
	"slices"
	"syscall"

	"golang.org/x/sys/unix"
)

// defaultGateways returns the next hops of the default routes of the
// main routing table (what `ip route show default` lists) by interface
// name, IPv4 before IPv6. gopsutil has no routing table; the kernel's is
// dumped over rtnetlink, the interface iproute2 itself uses, with the
// standard library sending the request and splitting the reply into
// messages.
func defaultGateways() map[string][]string {
	names := map[int]string{}
	if ifs, err := net.Interfaces(); err == nil {
		for _, ifc := range ifs {
			names[ifc.Index] = ifc.Name
		}
	}
	gw := map[string][]string{}
	for _, family := range []int{unix.AF_INET, unix.AF_INET6} {
		rib, err := syscall.NetlinkRIB(unix.RTM_GETROUTE, family)
		if err != nil {
			continue
		}
		msgs, err := syscall.ParseNetlinkMessage(rib)
		if err != nil {
			continue
		}
		for _, h := range defaultHops(msgs) {
			name, ip := names[h.ifindex], h.gateway.String()
			if name != "" && !slices.Contains(gw[name], ip) {
				gw[name] = append(gw[name], ip)
			}
		}
	}
	return gw
}

// nextHop is one gateway of a route and the interface it is reached by.
type nextHop struct {
	gateway net.IP
	ifindex int
}

// defaultHops picks the next hops of the unicast default routes of the
// main table out of an RTM_GETROUTE dump; a multipath route gives one
// next hop per path.
func defaultHops(msgs []syscall.NetlinkMessage) []nextHop {
	var hops []nextHop
	for i := range msgs {
		m := &msgs[i]
		if m.Header.Type != unix.RTM_NEWROUTE || len(m.Data) < unix.SizeofRtMsg {
			continue
		}
		// struct rtmsg: family, dst_len, src_len, tos, table, protocol,
		// scope, type, flags.
		dstLen, table, typ := m.Data[1], uint32(m.Data[4]), m.Data[7]
		flags := binary.NativeEndian.Uint32(m.Data[8:12])
		if dstLen != 0 || typ != unix.RTN_UNICAST || flags&unix.RTM_F_CLONED != 0 {
			continue
		}
		var hop nextHop
		var multipath []byte
		for _, a := range routeAttrs(m.Data[unix.SizeofRtMsg:]) {
			switch a.typ {
			case unix.RTA_TABLE:
				if len(a.value) == 4 {
					table = binary.NativeEndian.Uint32(a.value)
				}
			case unix.RTA_GATEWAY:
				hop.gateway = routeIP(a.value)
			case unix.RTA_OIF:
				if len(a.value) == 4 {
					hop.ifindex = int(binary.NativeEndian.Uint32(a.value))
				}
			case unix.RTA_MULTIPATH:
				multipath = a.value
			}
		}
		if table != unix.RT_TABLE_MAIN {
			continue
		}
		if hop.gateway != nil && hop.ifindex > 0 {
			hops = append(hops, hop)
		}
		hops = append(hops, multipathHops(multipath)...)
	}
	return hops
}

// multipathHops reads an RTA_MULTIPATH value: struct rtnexthop (length,
// flags, hops, ifindex) records, each followed by its own attributes,
// aligned to four bytes.
func multipathHops(b []byte) []nextHop {
	var hops []nextHop
	for len(b) >= unix.SizeofRtNexthop {
		n := int(binary.NativeEndian.Uint16(b[0:2]))
		if n < unix.SizeofRtNexthop || n > len(b) {
			break
		}
		hop := nextHop{ifindex: int(int32(binary.NativeEndian.Uint32(b[4:8])))}
		for _, a := range routeAttrs(b[unix.SizeofRtNexthop:n]) {
			if a.typ == unix.RTA_GATEWAY {
				hop.gateway = routeIP(a.value)
			}
		}
		if hop.gateway != nil && hop.ifindex > 0 {
			hops = append(hops, hop)
		}
		b = b[min(align4(n), len(b)):]
	}
	return hops
}

func align4(n int) int { return (n + 3) &^ 3 }

// routeAttr is one struct rtattr and its value.
type routeAttr struct {
	typ   uint16
	value []byte
}

// routeAttrs splits a run of route attributes. It stops at the first
// malformed one; syscall.ParseNetlinkRouteAttr, which does the same for
// whole messages, panics on a last attribute that lacks its padding.
func routeAttrs(b []byte) []routeAttr {
	var out []routeAttr
	for len(b) >= 4 {
		n := int(binary.NativeEndian.Uint16(b[0:2]))
		if n < 4 || n > len(b) {
			break
		}
		out = append(out, routeAttr{typ: binary.NativeEndian.Uint16(b[2:4]), value: b[4:n]})
		b = b[min(align4(n), len(b)):]
	}
	return out
}

// routeIP is a gateway attribute's address, nil unless it is one.
func routeIP(b []byte) net.IP {
	if len(b) != net.IPv4len && len(b) != net.IPv6len {
		return nil
	}
	ip := net.IP(append([]byte(nil), b...))
	if ip.IsUnspecified() {
		return nil
	}
	return ip
}

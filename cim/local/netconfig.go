package local

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	psnet "github.com/shirou/gopsutil/v4/net"

	"github.com/cimsh/cimsh/cim/model"
)

// Win32_NetworkAdapterConfiguration: one instance per network interface
// except loopback (which Windows does not list either), from gopsutil.
//
// Mapping: Index and InterfaceIndex are the kernel's interface index;
// Description, Caption ("[00000002] eth0", Windows' form) and SettingID
// name the interface; IPAddress lists IPv4 then IPv6 addresses and
// IPSubnet their masks, dotted for IPv4 and a prefix length for IPv6, as
// Windows writes them; MACAddress is upper-case with colons;
// DefaultIPGateway the default routes through the interface (Linux);
// DNSServerSearchOrder, DNSDomain and DNSDomainSuffixSearchOrder the
// resolver configuration, given on every IP-enabled adapter since Unix
// resolvers are not per interface; IPEnabled whether the interface is up
// with an address. DHCPEnabled stays NULL: whether an address came from
// DHCP is the network manager's knowledge, not the kernel's.

func (c *collector) listNetworkAdapterConfigurations(ctx context.Context) ([]*model.Instance, error) {
	ifaces, err := psnet.InterfacesWithContext(ctx)
	if err != nil {
		return nil, model.NewFault(model.CIMFailed, "local: Win32_NetworkAdapterConfiguration: listing interfaces: %v", err)
	}
	gateways := defaultGateways()
	resolv := readResolvConf()
	host := hostname()
	cls := c.s.class("Win32_NetworkAdapterConfiguration")
	out := make([]*model.Instance, 0, len(ifaces))
	for _, ifc := range ifaces {
		if slices.Contains(ifc.Flags, "loopback") || ifc.Index < 0 {
			continue
		}
		inst := newInstance(cls)
		idx := uint64(ifc.Index)
		inst.Set("Index", u32(idx))
		inst.Set("InterfaceIndex", u32(idx))
		inst.Set("Description", str(ifc.Name))
		inst.Set("Caption", model.String(fmt.Sprintf("[%08d] %s", idx, ifc.Name)))
		inst.Set("SettingID", str(ifc.Name))
		inst.Set("ServiceName", str(ifc.Name))
		if ifc.MTU > 0 {
			inst.Set("MTU", u32(uint64(ifc.MTU)))
		}
		if ifc.HardwareAddr != "" {
			inst.Set("MACAddress", model.String(strings.ToUpper(ifc.HardwareAddr)))
		}
		addrs, masks := addressesAndMasks(ifc.Addrs)
		up := slices.Contains(ifc.Flags, "up")
		enabled := up && len(addrs) > 0
		inst.Set("IPEnabled", boolean(enabled))
		if enabled {
			inst.Set("IPAddress", strs(addrs))
			inst.Set("IPSubnet", strs(masks))
			inst.Set("DefaultIPGateway", strsOrNull(gateways[ifc.Name]))
			inst.Set("DNSServerSearchOrder", strsOrNull(resolv.servers))
			inst.Set("DNSDomainSuffixSearchOrder", strsOrNull(resolv.search))
			inst.Set("DNSDomain", str(resolv.domain))
			inst.Set("DNSHostName", str(host))
		}
		out = append(out, inst)
	}
	return out, nil
}

// addressesAndMasks splits "192.0.2.2/24" forms into Windows' IPAddress
// and IPSubnet arrays: IPv4 first, masks dotted for IPv4 and prefix
// lengths for IPv6.
func addressesAndMasks(list psnet.InterfaceAddrList) (addrs, masks []string) {
	var v6a, v6m []string
	for _, a := range list {
		ip, ipnet, err := net.ParseCIDR(a.Addr)
		if err != nil {
			if ip = net.ParseIP(a.Addr); ip == nil {
				continue
			}
		}
		if v4 := ip.To4(); v4 != nil {
			addrs = append(addrs, v4.String())
			mask := "255.255.255.255"
			if ipnet != nil {
				mask = net.IP(ipnet.Mask).String()
			}
			masks = append(masks, mask)
			continue
		}
		v6a = append(v6a, ip.String())
		bits := 128
		if ipnet != nil {
			bits, _ = ipnet.Mask.Size()
		}
		v6m = append(v6m, strconv.Itoa(bits))
	}
	return append(addrs, v6a...), append(masks, v6m...)
}

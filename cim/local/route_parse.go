package local

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"io"
	"net"
	"strings"
)

// parseRouteV4 reads /proc/net/route: Iface Destination Gateway Flags ...
// with addresses as little-endian hex; a default route has destination
// and mask 0 and the gateway flag (0x2).
func parseRouteV4(r io.Reader, gw map[string][]string) {
	sc := bufio.NewScanner(r)
	for first := true; sc.Scan(); first = false {
		f := strings.Fields(sc.Text())
		if first || len(f) < 8 || f[1] != "00000000" || f[7] != "00000000" {
			continue
		}
		b, err := hex.DecodeString(f[2])
		if err != nil || len(b) != 4 {
			continue
		}
		ip := net.IPv4(b[3], b[2], b[1], b[0])
		if v := binary.BigEndian.Uint32(ip.To4()); v == 0 {
			continue
		}
		gw[f[0]] = appendUnique(gw[f[0]], ip.String())
	}
}

// parseRouteV6 reads /proc/net/ipv6_route: dest destlen src srclen
// nexthop metric refcnt use flags iface, addresses as 32 hex digits.
func parseRouteV6(r io.Reader, gw map[string][]string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[1] != "00" || strings.Trim(f[0], "0") != "" {
			continue
		}
		b, err := hex.DecodeString(f[4])
		if err != nil || len(b) != 16 {
			continue
		}
		ip := net.IP(b)
		if ip.IsUnspecified() {
			continue
		}
		gw[f[9]] = appendUnique(gw[f[9]], ip.String())
	}
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

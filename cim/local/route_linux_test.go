package local

import (
	"encoding/binary"
	"net"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// rtAttr encodes one route attribute (struct rtattr and its value, padded
// to four bytes).
func rtAttr(typ uint16, val []byte) []byte {
	n := 4 + len(val)
	b := make([]byte, align4(n))
	binary.NativeEndian.PutUint16(b[0:], uint16(n))
	binary.NativeEndian.PutUint16(b[2:], typ)
	copy(b[4:], val)
	return b
}

func u32Bytes(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

// rtNexthop encodes one path of an RTA_MULTIPATH value.
func rtNexthop(ifindex uint32, gw net.IP) []byte {
	attr := rtAttr(unix.RTA_GATEWAY, gw)
	b := make([]byte, unix.SizeofRtNexthop)
	binary.NativeEndian.PutUint16(b[0:], uint16(unix.SizeofRtNexthop+len(attr)))
	binary.NativeEndian.PutUint32(b[4:], ifindex)
	return append(b, attr...)
}

// routeMsg encodes an RTM_NEWROUTE message as the kernel sends it in a
// dump: struct nlmsghdr, struct rtmsg, attributes.
func routeMsg(family, dstLen, table, typ byte, attrs ...[]byte) []byte {
	body := []byte{family, dstLen, 0, 0, table, unix.RTPROT_BOOT, unix.RT_SCOPE_UNIVERSE, typ, 0, 0, 0, 0}
	for _, a := range attrs {
		body = append(body, a...)
	}
	h := make([]byte, unix.NLMSG_HDRLEN)
	binary.NativeEndian.PutUint32(h[0:], uint32(len(h)+len(body)))
	binary.NativeEndian.PutUint16(h[4:], unix.RTM_NEWROUTE)
	binary.NativeEndian.PutUint16(h[6:], unix.NLM_F_MULTI)
	return append(h, body...)
}

func TestDefaultHops(t *testing.T) {
	v4 := net.ParseIP("10.0.2.1").To4()
	var dump []byte
	for _, m := range [][]byte{
		// default via 10.0.2.1 dev 2
		routeMsg(unix.AF_INET, 0, unix.RT_TABLE_MAIN, unix.RTN_UNICAST, rtAttr(unix.RTA_GATEWAY, v4), rtAttr(unix.RTA_OIF, u32Bytes(2))),
		// 10.0.2.0/24 dev 2: not a default route
		routeMsg(unix.AF_INET, 24, unix.RT_TABLE_MAIN, unix.RTN_UNICAST, rtAttr(unix.RTA_OIF, u32Bytes(2))),
		// default via 192.0.2.9 in a policy table (RTA_TABLE beyond 255)
		routeMsg(unix.AF_INET, 0, unix.RT_TABLE_UNSPEC, unix.RTN_UNICAST, rtAttr(unix.RTA_TABLE, u32Bytes(1000)),
			rtAttr(unix.RTA_GATEWAY, net.ParseIP("192.0.2.9").To4()), rtAttr(unix.RTA_OIF, u32Bytes(2))),
		// unreachable default
		routeMsg(unix.AF_INET, 0, unix.RT_TABLE_MAIN, unix.RTN_UNREACHABLE, rtAttr(unix.RTA_OIF, u32Bytes(1))),
		// default via fe80::1 dev 3
		routeMsg(unix.AF_INET6, 0, unix.RT_TABLE_MAIN, unix.RTN_UNICAST, rtAttr(unix.RTA_GATEWAY, net.ParseIP("fe80::1")), rtAttr(unix.RTA_OIF, u32Bytes(3))),
		// default with two paths: fe80::a dev 3, fe80::b dev 4
		routeMsg(unix.AF_INET6, 0, unix.RT_TABLE_MAIN, unix.RTN_UNICAST,
			rtAttr(unix.RTA_MULTIPATH, append(rtNexthop(3, net.ParseIP("fe80::a")), rtNexthop(4, net.ParseIP("fe80::b"))...))),
	} {
		dump = append(dump, m...)
	}
	msgs, err := syscall.ParseNetlinkMessage(dump)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range defaultHops(msgs) {
		got = append(got, h.gateway.String()+"@"+string(rune('0'+h.ifindex)))
	}
	if want := "10.0.2.1@2 fe80::1@3 fe80::a@3 fe80::b@4"; strings.Join(got, " ") != want {
		t.Errorf("default hops = %v, want %s", got, want)
	}
}

// Truncated and malformed messages give no hops and no panic.
func FuzzDefaultHops(f *testing.F) {
	f.Add(routeMsg(unix.AF_INET, 0, unix.RT_TABLE_MAIN, unix.RTN_UNICAST, rtAttr(unix.RTA_GATEWAY, []byte{10, 0, 0, 1}), rtAttr(unix.RTA_OIF, u32Bytes(2))))
	f.Add(rtNexthop(3, net.ParseIP("fe80::a")))
	f.Add([]byte{12, 0, 0, 0, 24, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, h := range multipathHops(b) {
			if h.gateway == nil || h.ifindex <= 0 {
				t.Fatalf("incomplete hop %+v from %x", h, b)
			}
		}
		msgs, err := syscall.ParseNetlinkMessage(b)
		if err != nil {
			return
		}
		for _, h := range defaultHops(msgs) {
			if h.gateway == nil || h.ifindex <= 0 {
				t.Fatalf("incomplete hop %+v from %x", h, b)
			}
		}
	})
}

package bfdio

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// cmsg builds one control message as the kernel lays it out.
func cmsg(level, typ int32, data []byte) []byte {
	b := make([]byte, unix.CmsgSpace(len(data)))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = level, typ
	h.SetLen(unix.CmsgLen(len(data)))
	copy(b[unix.CmsgLen(0):], data)
	return b
}

func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

func TestParseControl(t *testing.T) {
	pkt4 := append(append(u32(3), 192, 0, 2, 1), 192, 0, 2, 9)
	var in Inbound
	b := append(cmsg(unix.IPPROTO_IP, unix.IP_PKTINFO, pkt4), cmsg(unix.IPPROTO_IP, unix.IP_TTL, u32(254))...)
	parseControl(b, &in)
	if in.TTL != 254 || in.IfIndex != 3 || in.Dst != netip.MustParseAddr("192.0.2.9") {
		t.Errorf("IPv4: %+v", in)
	}
	dst := netip.MustParseAddr("2001:db8::1").As16()
	in = Inbound{}
	b = append(cmsg(unix.IPPROTO_IPV6, unix.IPV6_HOPLIMIT, u32(255)), cmsg(unix.IPPROTO_IPV6, unix.IPV6_PKTINFO, append(dst[:], u32(5)...))...)
	parseControl(b, &in)
	if in.TTL != 255 || in.IfIndex != 5 || in.Dst != netip.MustParseAddr("2001:db8::1") {
		t.Errorf("IPv6: %+v", in)
	}
	in = Inbound{TTL: -1}
	parseControl(b[:10], &in) // truncated: ignored, no panic
	bad := cmsg(unix.IPPROTO_IP, unix.IP_TTL, u32(255))
	(*unix.Cmsghdr)(unsafe.Pointer(&bad[0])).SetLen(999)
	parseControl(bad, &in)
	if in.TTL != -1 {
		t.Errorf("a malformed control message set TTL %d", in.TTL)
	}
}

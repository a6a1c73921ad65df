package bfdio

import (
	"encoding/binary"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// parseControl reads the TTL / hop limit, destination address and interface
// from a datagram's control messages into in. It walks the buffer in place
// (unix.ParseSocketControlMessage would allocate a slice per packet).
func parseControl(b []byte, in *Inbound) {
	hdr := unix.CmsgLen(0)
	for len(b) >= hdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
		l := int(h.Len)
		if l < hdr || l > len(b) {
			return
		}
		data := b[hdr:l]
		switch {
		case h.Level == unix.IPPROTO_IP && h.Type == unix.IP_TTL && len(data) >= 4:
			in.TTL = int(int32(binary.NativeEndian.Uint32(data)))
		case h.Level == unix.IPPROTO_IP && h.Type == unix.IP_PKTINFO && len(data) >= 12:
			// struct in_pktinfo { int ifindex; in_addr spec_dst; in_addr addr; }
			in.IfIndex = int(int32(binary.NativeEndian.Uint32(data)))
			in.Dst = netip.AddrFrom4([4]byte(data[8:12]))
		case h.Level == unix.IPPROTO_IPV6 && h.Type == unix.IPV6_HOPLIMIT && len(data) >= 4:
			in.TTL = int(int32(binary.NativeEndian.Uint32(data)))
		case h.Level == unix.IPPROTO_IPV6 && h.Type == unix.IPV6_PKTINFO && len(data) >= 20:
			// struct in6_pktinfo { in6_addr addr; unsigned int ifindex; }
			in.Dst = plain(netip.AddrFrom16([16]byte(data[:16])))
			in.IfIndex = int(binary.NativeEndian.Uint32(data[16:20]))
		}
		next := unix.CmsgSpace(l - hdr)
		if next > len(b) {
			return
		}
		b = b[next:]
	}
}

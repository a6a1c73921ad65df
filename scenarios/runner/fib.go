package runner

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// FIB reads one router's kernel forwarding table: what traffic really follows,
// as opposed to what the routing daemon believes. Failover times are measured
// here, polled every millisecond over netlink (no process per sample).
type FIB struct {
	h *netlink.Handle
}

// OpenFIB opens the FIB of a lab node's namespace; Close it.
func (l *Lab) OpenFIB(ctx context.Context, node string) (*FIB, error) {
	ns, err := l.Namespace(ctx, node)
	if err != nil {
		return nil, err
	}
	nh, err := netns.GetFromName(ns)
	if err != nil {
		return nil, fmt.Errorf("runner: namespace %s: %w", ns, err)
	}
	defer nh.Close()
	h, err := netlink.NewHandleAt(nh, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("runner: netlink in %s: %w", ns, err)
	}
	return &FIB{h: h}, nil
}

// Close releases the netlink socket.
func (f *FIB) Close() { f.h.Close() }

// NextHops is the number of next hops of the exact prefix in the main table
// (0: no route).
func (f *FIB) NextHops(p netip.Prefix) (int, error) {
	family := unix.AF_INET
	if p.Addr().Is6() {
		family = unix.AF_INET6
	}
	dst := &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
	rs, err := f.h.RouteListFiltered(family, &netlink.Route{Dst: dst, Table: unix.RT_TABLE_MAIN},
		netlink.RT_FILTER_DST|netlink.RT_FILTER_TABLE)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rs {
		if len(r.MultiPath) > 0 {
			n += len(r.MultiPath)
		} else {
			n++
		}
	}
	return n, nil
}

// WaitNextHops polls until the prefix has want next hops (cond on the count),
// and returns when that was first seen; limit bounds the wait.
func (f *FIB) WaitNextHops(ctx context.Context, p netip.Prefix, cond func(int) bool, limit time.Duration) (time.Time, error) {
	deadline := time.Now().Add(limit)
	for {
		n, err := f.NextHops(p)
		now := time.Now()
		if err == nil && cond(n) {
			return now, nil
		}
		if now.After(deadline) {
			return time.Time{}, fmt.Errorf("runner: %s: %d next hops after %s (err %v)", p, n, limit, err)
		}
		if ctx.Err() != nil {
			return time.Time{}, ctx.Err()
		}
		time.Sleep(time.Millisecond)
	}
}

// NextHopsToward is the number of next hops of the most specific route in the
// main table that covers ip (0: none): what a packet to ip would follow, whether
// the router holds a host route or an aggregate.
func (f *FIB) NextHopsToward(ip netip.Addr) (int, error) {
	family := unix.AF_INET
	if ip.Is6() {
		family = unix.AF_INET6
	}
	rs, err := f.h.RouteListFiltered(family, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return 0, err
	}
	best, n := -1, 0
	for _, r := range rs {
		if r.Dst == nil {
			continue
		}
		ones, _ := r.Dst.Mask.Size()
		if !r.Dst.Contains(ip.AsSlice()) || ones <= best {
			continue
		}
		best, n = ones, max(len(r.MultiPath), 1)
	}
	return n, nil
}

// Within returns every route of the main table inside prefix, with its number of
// next hops: one netlink dump, for checks over thousands of routes at once.
func (f *FIB) Within(prefix netip.Prefix) (map[netip.Prefix]int, error) {
	family := unix.AF_INET
	if prefix.Addr().Is6() {
		family = unix.AF_INET6
	}
	rs, err := f.h.RouteListFiltered(family, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return nil, err
	}
	out := map[netip.Prefix]int{}
	for _, r := range rs {
		if r.Dst == nil {
			continue
		}
		addr, ok := netip.AddrFromSlice(r.Dst.IP)
		ones, _ := r.Dst.Mask.Size()
		if !ok {
			continue
		}
		p := netip.PrefixFrom(addr.Unmap(), ones)
		if prefix.Contains(p.Addr()) && p.Bits() >= prefix.Bits() {
			out[p] = max(len(r.MultiPath), 1)
		}
	}
	return out, nil
}

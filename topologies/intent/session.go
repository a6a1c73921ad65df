package intent

import (
	"fmt"
	"net/netip"
	"time"
)

// Who names a neighbor in error messages: "router r1: Neighbors[2] (192.0.2.10)".
func Who(r Router, i int) string {
	return fmt.Sprintf("router %s: Neighbors[%d] (%s)", r.Name, i, r.Neighbors[i].Address)
}

// Families returns the unicast families a session carries: the ones asked for, or the
// family of the neighbor's address when none is.
func Families(n Neighbor) (v4, v6 bool) {
	if !n.IPv4 && !n.IPv6 {
		return n.Address.Is4(), n.Address.Is6()
	}
	return n.IPv4, n.IPv6
}

// Timers returns keepalive and hold time in whole seconds. When only one is set the
// other follows the RFC 4271 ratio (hold = 3 × keepalive); ok is false when neither
// is set and the NOS default applies.
func Timers(n Neighbor) (keepalive, hold int, ok bool, err error) {
	if n.HoldTime == 0 && n.KeepaliveTime == 0 {
		return 0, 0, false, nil
	}
	if n.HoldTime%time.Second != 0 || n.KeepaliveTime%time.Second != 0 {
		return 0, 0, false, fmt.Errorf("HoldTime %s / KeepaliveTime %s: BGP timers are whole seconds; round them", n.HoldTime, n.KeepaliveTime)
	}
	hold, keepalive = int(n.HoldTime/time.Second), int(n.KeepaliveTime/time.Second)
	switch {
	case hold == 0:
		hold = 3 * keepalive
	case keepalive == 0:
		keepalive = max(hold/3, 1)
	}
	if hold < 3 || hold > 65535 {
		return 0, 0, false, fmt.Errorf("HoldTime %s: must be 3s..65535s (or 0 for the default)", n.HoldTime)
	}
	if keepalive > hold {
		return 0, 0, false, fmt.Errorf("KeepaliveTime %s: must not exceed HoldTime %s", n.KeepaliveTime, n.HoldTime)
	}
	return keepalive, hold, true, nil
}

// SourceAddr resolves UpdateSource to an address for NOSes that source sessions from an
// address rather than an interface: an address is used as is; "lo" or "loopback*" picks
// the router's first loopback address of the neighbor's family. ok is false when
// UpdateSource is empty.
func SourceAddr(r Router, n Neighbor) (addr netip.Addr, ok bool, err error) {
	if n.UpdateSource == "" {
		return netip.Addr{}, false, nil
	}
	if a, err := netip.ParseAddr(n.UpdateSource); err == nil {
		return a, true, nil
	}
	for _, lo := range r.Loopbacks {
		if lo.Addr().Is4() == n.Address.Is4() {
			return lo.Addr(), true, nil
		}
	}
	for _, itf := range r.Interfaces {
		if itf.Name != n.UpdateSource {
			continue
		}
		for _, p := range itf.Addresses {
			if p.Addr().Is4() == n.Address.Is4() {
				return p.Addr(), true, nil
			}
		}
	}
	return netip.Addr{}, false, fmt.Errorf("UpdateSource %q: no address of the neighbor's family on it (add one to Loopbacks or Interfaces, or give an address)", n.UpdateSource)
}

// TTLMin is the lowest TTL GTSM accepts for a session at most hops away (RFC 5082).
func TTLMin(hops uint8) int { return 256 - int(hops) }

// Le returns the upper prefix length of a range when it widens the prefix, else 0:
// NOSes reject "le" equal to the prefix length.
func Le(a PrefixRange) int {
	if a.Le > a.Prefix.Bits() {
		return a.Le
	}
	return 0
}

package router

import (
	"net/netip"
	"slices"
)

// SameRoute reports whether two routes put the same path on the wire (attribute
// order matters: implementations send communities in the order given, so callers
// keep them sorted).
func SameRoute(a, b Route) bool {
	return a.Prefix == b.Prefix && a.NextHop == b.NextHop && a.LocalPref == b.LocalPref &&
		slices.Equal(a.Communities, b.Communities) && slices.Equal(a.LargeCommunities, b.LargeCommunities)
}

// ComparePrefix orders prefixes IPv4 before IPv6, then by address, then shorter first.
func ComparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}

// FamiliesOf returns the families a peer carries, applying the zero-value default.
func FamiliesOf(p Peer) Family {
	if p.Families != 0 {
		return p.Families
	}
	if p.Address.Is6() && !p.Address.Is4In6() {
		return IPv6
	}
	return IPv4
}

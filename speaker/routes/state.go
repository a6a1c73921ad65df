package routes

import (
	"errors"
	"net/netip"
	"slices"

	"github.com/bgplb/bgplb/config"
)

// State is what one node runs, or should run: a session and a route set per peer,
// keyed by BGPPeer name.
type State struct {
	Peers map[string]Peer
}

// Peer is one BGP session and the routes announced over it.
type Peer struct {
	Session Session
	Routes  RouteSet
}

// RouteSet holds the routes announced to one peer. The key of a route is its prefix
// (always masked: 198.51.100.0/24, never 198.51.100.7/24), so a prefix is announced
// at most once per peer, with one set of attributes.
type RouteSet map[netip.Prefix]Attrs

// Attrs are the path attributes of one announced route.
type Attrs struct {
	// NextHop is the BGP next hop. The zero value means "the session's own local
	// address" (next-hop-self), which is what MetalLB sends and what the router port
	// must use. No configuration sets it today; the field exists so that the port's
	// contract names it.
	NextHop netip.Addr
	// LocalPref is the LOCAL_PREF attribute; 0 means none is sent. Desired sets it
	// only toward iBGP peers (RFC 4271 §5.1.5: LOCAL_PREF never crosses AS borders).
	LocalPref uint32
	// Communities are standard and large communities, sorted (config.Community's
	// order) and deduplicated. The slice may be shared between routes and with the
	// Config: never modify it in place.
	Communities []config.Community
}

// Equal reports whether two attribute sets would put the same path on the wire.
func (a Attrs) Equal(b Attrs) bool {
	return a.NextHop == b.NextHop && a.LocalPref == b.LocalPref && slices.Equal(a.Communities, b.Communities)
}

// Route is one entry of a RouteSet, for ordered lists (plans, status output).
type Route struct {
	Prefix netip.Prefix
	Attrs
}

// Sorted returns the routes ordered by prefix (IPv4 before IPv6, then by address,
// then shorter first), so that output never depends on map order.
func (rs RouteSet) Sorted() []Route {
	out := make([]Route, 0, len(rs))
	for p, a := range rs {
		out = append(out, Route{Prefix: p, Attrs: a})
	}
	slices.SortFunc(out, func(x, y Route) int { return comparePrefix(x.Prefix, y.Prefix) })
	return out
}

// Equal reports whether two route sets hold the same prefixes with equal attributes.
func (rs RouteSet) Equal(other RouteSet) bool {
	if len(rs) != len(other) {
		return false
	}
	for p, a := range rs {
		b, ok := other[p]
		if !ok || !a.Equal(b) {
			return false
		}
	}
	return true
}

// Equal reports whether two states run the same sessions with the same routes.
func (s State) Equal(other State) bool {
	if len(s.Peers) != len(other.Peers) {
		return false
	}
	for name, p := range s.Peers {
		q, ok := other.Peers[name]
		if !ok || p.Session != q.Session || !p.Routes.Equal(q.Routes) {
			return false
		}
	}
	return true
}

// Clone returns a deep copy of the maps (attribute slices are shared: they are
// never modified in place).
func (s State) Clone() State {
	out := State{Peers: make(map[string]Peer, len(s.Peers))}
	for name, p := range s.Peers {
		rs := make(RouteSet, len(p.Routes))
		for k, v := range p.Routes {
			rs[k] = v
		}
		out.Peers[name] = Peer{Session: p.Session, Routes: rs}
	}
	return out
}

func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}

func joinErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}

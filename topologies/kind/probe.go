// Package probe reads a router's view of the lab: its BGP sessions, the routes it holds
// and its BFD peers. One package per router kind (frr, bird, gobgp) parses that daemon's
// own output — pure functions, unit-tested on output captured from the real daemons (see
// testdata/capture.sh) — and runs the commands through an injected Exec, so the same
// probe works on any lab backend (netns: `ip netns exec`, clab: `docker exec`).
//
// The types here are the kind-neutral result every probe returns, so scenarios and
// `bgplb lab status` compare routers of different kinds without knowing their dialects.
package kind

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Exec runs one command inside the router's node and returns its standard output, also
// when the command fails (some CLIs say why on stdout and exit non-zero). The
// router CLIs (vtysh, birdc, gobgp) are expected to reach the node's daemon without
// extra flags, which is what the lab backends arrange.
type Exec func(ctx context.Context, argv []string) ([]byte, error)

// Probe is what every router kind answers.
type Probe interface {
	// Sessions are the router's BGP neighbors, one per neighbor address and family.
	Sessions(ctx context.Context) ([]Session, error)
	// Routes are the router's BGP routes inside any of the given prefixes (the lab's VIP
	// ranges), with every path it holds for each.
	Routes(ctx context.Context, within []netip.Prefix) ([]Route, error)
	// BFD are the router's BFD sessions; a router without BFD returns none.
	BFD(ctx context.Context) ([]BFDPeer, error)
}

// Session states, normalised across daemons (RFC 4271 names).
const (
	StateIdle        = "Idle"
	StateConnect     = "Connect"
	StateActive      = "Active"
	StateOpenSent    = "OpenSent"
	StateOpenConfirm = "OpenConfirm"
	StateEstablished = "Established"
)

// Session is one BGP neighbor as the router sees it.
type Session struct {
	// Neighbor is the neighbor's address (invalid when the daemon names it otherwise,
	// e.g. an interface for unnumbered sessions: then Name says it).
	Neighbor netip.Addr `json:"neighbor"`
	// Name is the daemon's name for the session (BIRD protocol name, FRR key).
	Name     string `json:"name,omitempty"`
	RemoteAS uint32 `json:"remoteAS"`
	LocalAS  uint32 `json:"localAS,omitempty"`
	// Family is "ipv4" or "ipv6" where the daemon reports per family; "" otherwise.
	Family string `json:"family,omitempty"`
	State  string `json:"state"`
	// Uptime is how long the session has been Established (0 when not, or unknown).
	Uptime time.Duration `json:"uptime,omitempty"`
	// PrefixesReceived are the prefixes accepted from the neighbor (-1: unknown).
	PrefixesReceived int `json:"prefixesReceived"`
	// Info is the daemon's free-text remark ("Socket: No route to host").
	Info string `json:"info,omitempty"`
}

// Established says the session is up.
func (s Session) Established() bool { return s.State == StateEstablished }

// Route is one prefix and every path the router holds for it.
type Route struct {
	Prefix netip.Prefix `json:"prefix"`
	Paths  []Path       `json:"paths"`
}

// NextHops are the next hops of the paths the router uses (best and multipath), sorted
// and unique: the ECMP set traffic for the prefix spreads over.
func (r Route) NextHops() []netip.Addr {
	var out []netip.Addr
	for _, p := range r.Paths {
		if p.Best || p.Multipath {
			out = append(out, p.NextHops...)
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

// Path is one path of a route.
type Path struct {
	// Peer is the neighbor the path came from (invalid for locally originated paths).
	Peer     netip.Addr   `json:"peer,omitzero"`
	NextHops []netip.Addr `json:"nextHops"`
	// Best is the selected path; Multipath marks the others installed for ECMP.
	Best      bool `json:"best,omitempty"`
	Multipath bool `json:"multipath,omitempty"`
	// LocalPref is set when the daemon shows one.
	LocalPref *uint32  `json:"localPref,omitempty"`
	ASPath    []uint32 `json:"asPath,omitempty"`
	// Communities are "ASN:VALUE"; LargeCommunities "GLOBAL:LOCAL1:LOCAL2".
	Communities      []string `json:"communities,omitempty"`
	LargeCommunities []string `json:"largeCommunities,omitempty"`
	// Origin is "igp", "egp", "incomplete" or "" when not shown.
	Origin string `json:"origin,omitempty"`
}

// BFD states, normalised (RFC 5880 names, lower case as FRR prints them).
const (
	BFDUp        = "up"
	BFDDown      = "down"
	BFDInit      = "init"
	BFDAdminDown = "admin-down"
)

// BFDPeer is one BFD session.
type BFDPeer struct {
	Peer      netip.Addr `json:"peer"`
	Local     netip.Addr `json:"local,omitzero"`
	Interface string     `json:"interface,omitempty"`
	Multihop  bool       `json:"multihop,omitempty"`
	State     string     `json:"state"`
	// TransmitInterval and DetectMultiplier are the local settings when shown.
	TransmitInterval time.Duration `json:"transmitInterval,omitempty"`
	ReceiveInterval  time.Duration `json:"receiveInterval,omitempty"`
	DetectMultiplier int           `json:"detectMultiplier,omitempty"`
}

// Within says whether p lies inside one of the ranges.
func Within(p netip.Prefix, ranges []netip.Prefix) bool {
	for _, r := range ranges {
		if r.Addr().Is4() == p.Addr().Is4() && r.Bits() <= p.Bits() && r.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// SortRoutes orders routes by prefix, so every probe returns them the same way.
func SortRoutes(rs []Route) {
	slices.SortFunc(rs, func(a, b Route) int {
		if c := a.Prefix.Addr().Compare(b.Prefix.Addr()); c != 0 {
			return c
		}
		return a.Prefix.Bits() - b.Prefix.Bits()
	})
}

// SortSessions orders sessions by family, neighbor address and name.
func SortSessions(ss []Session) {
	slices.SortStableFunc(ss, func(a, b Session) int {
		if a.Family != b.Family {
			return strings.Compare(a.Family, b.Family)
		}
		if c := a.Neighbor.Compare(b.Neighbor); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
}

// SortBFD orders BFD peers by peer address, then interface.
func SortBFD(ps []BFDPeer) {
	slices.SortStableFunc(ps, func(a, b BFDPeer) int {
		if c := a.Peer.Compare(b.Peer); c != 0 {
			return c
		}
		return strings.Compare(a.Interface, b.Interface)
	})
}

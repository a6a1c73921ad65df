// Package scenarios holds end-to-end scenarios as data — a topology, manifests, a
// sequence of steps and expectations with deadlines — and the pure functions that
// check an expectation against what the lab reports. It does no I/O: the runner
// (scenarios/runner) reads the lab into a View, and the suites in suites/ drive it.
//
// Expectations never carry addresses: they name routers, nodes and Services, and
// the View says which prefix a Service has and which node owns a next hop.
package scenarios

import (
	"net/netip"
	"slices"
	"sort"
)

// View is the lab state expectations are checked against: `lab status -o json`
// reduced to what scenarios look at.
type View struct {
	Routes   []Route
	Sessions []Session
	BFD      []BFDPeer
	// Services maps namespace/name to the Service's load-balancer IPs.
	Services map[string][]string
}

// Route is one VIP-range route on one router.
type Route struct {
	Router string
	Prefix netip.Prefix
	// NextHops are the nodes that own the next hops (addresses when unknown).
	NextHops    []string
	LocalPref   *uint32
	Communities []string // standard and large, as the router prints them
}

// Session is one BGP session as a router sees it; Neighbor is a node name.
type Session struct {
	Router, Neighbor, State string
}

// BFDPeer is one BFD session as a router sees it.
type BFDPeer struct {
	Router, PeerNode, State string
}

// routesFor returns the router's routes that cover the Service's first IP (its
// first IPv6 one with v6), most specific first.
func (v View) routesFor(router, service string, v6 ...bool) ([]Route, netip.Addr, bool) {
	want6 := len(v6) > 0 && v6[0]
	var ip netip.Addr
	for _, s := range v.Services[service] {
		if a, err := netip.ParseAddr(s); err == nil && a.Is6() == want6 {
			ip = a
			break
		}
	}
	if !ip.IsValid() {
		return nil, netip.Addr{}, false
	}
	var out []Route
	for _, r := range v.Routes {
		if r.Router == router && r.Prefix.Contains(ip) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Prefix.Bits() > out[j].Prefix.Bits() })
	return out, ip, true
}

// NextHopCount is how many next hops the router's most specific route to the
// Service has (0 when it has none): the timeline's y value.
func (v View) NextHopCount(router, service string) int {
	rs, _, _ := v.routesFor(router, service)
	if len(rs) == 0 {
		return 0
	}
	return len(rs[0].NextHops)
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// Package rendertest holds what every router renderer's tests share: the intents they
// render (fresh values each call, so a test may change one), golden-file comparison and
// running a NOS's own config checker. It is imported by tests only; it does file I/O and
// runs programs, so no renderer may import it from non-test code.
package intenttest

import (
	"net/netip"
	"time"

	"github.com/bgplb/bgplb/topologies/intent"
)

var (
	p = netip.MustParsePrefix
	a = netip.MustParseAddr
)

// Minimal is the smallest useful router: one eBGP router, two IPv4 speakers, a VIP range.
func Minimal() intent.Router {
	return intent.Router{
		Name:     "r1",
		ASN:      64512,
		RouterID: a("192.0.2.1"),
		Neighbors: []intent.Neighbor{
			{Address: a("198.51.100.10"), ASN: 64513, Role: intent.RoleSpeaker, Description: "node1"},
			{Address: a("198.51.100.11"), ASN: 64513, Role: intent.RoleSpeaker, Description: "node2"},
		},
		SpeakerPolicy: intent.Policy{Accept: []intent.PrefixRange{{Prefix: p("203.0.113.0/24"), Le: 32}}},
	}
}

// Full uses every field of the intent: MD5, BFD (single- and multihop, passive), timers,
// eBGP multihop, GTSM, maximum-prefix, an iBGP route-reflector client sourced from the
// loopback with next-hop-self, IPv6, originated networks, ECMP, and a speaker policy with
// standard, large and well-known communities.
func Full() intent.Router {
	fast := &intent.BFD{Profile: "fast", ReceiveInterval: 300, TransmitInterval: 300, DetectMultiplier: 3}
	return intent.Router{
		Name:     "r1",
		ASN:      64512,
		RouterID: a("192.0.2.1"),
		Interfaces: []intent.Interface{
			{Name: "eth1", Description: "to nodes", Addresses: []netip.Prefix{p("198.51.100.1/24"), p("2001:db8:1::1/64")}},
			{Name: "eth2", Description: "to dc2", Addresses: []netip.Prefix{p("198.18.0.1/31")}},
		},
		Loopbacks: []netip.Prefix{p("192.0.2.1/32"), p("2001:db8::1/128")},
		Neighbors: []intent.Neighbor{
			{
				Address: a("198.51.100.10"), ASN: 64513, Role: intent.RoleSpeaker, Description: "k8s node1",
				Password: "s3cret", HoldTime: 9 * time.Second, KeepaliveTime: 3 * time.Second,
				BFD: fast, TTLSecurityHops: 1, MaximumPrefix: 1000, IPv4: true, IPv6: true,
			},
			{
				Address: a("2001:db8:1::11"), ASN: 64513, Role: intent.RoleSpeaker, Description: "k8s node2",
				HoldTime: 30 * time.Second, BFD: &intent.BFD{ReceiveInterval: 300, TransmitInterval: 300, DetectMultiplier: 3, Passive: true},
				MaximumPrefix: 1000, Passive: true,
			},
			{
				Address: a("192.0.2.2"), ASN: 64512, Role: intent.RoleRouter, Description: "r2 same site",
				Password: "ibgp-key", UpdateSource: "lo", NextHopSelf: true, RouteReflectorClient: true,
				BFD: fast, IPv4: true, IPv6: true,
			},
			{
				Address: a("192.0.2.31"), ASN: 64600, Role: intent.RoleRouter, Description: "dc2 edge loopback",
				EBGPMultihop: 2, UpdateSource: "lo", KeepaliveTime: 10 * time.Second,
				BFD: &intent.BFD{Profile: "wan", ReceiveInterval: 500, TransmitInterval: 500, DetectMultiplier: 5, MinimumTTL: 253},
			},
		},
		Networks:     []netip.Prefix{p("198.51.100.0/24"), p("2001:db8:1::/64")},
		MaximumPaths: 4,
		SpeakerPolicy: intent.Policy{
			Accept: []intent.PrefixRange{
				{Prefix: p("203.0.113.0/24"), Le: 32},
				{Prefix: p("198.18.128.0/17"), Le: 32},
				{Prefix: p("2001:db8:ffff::/48"), Le: 128},
			},
			CommunityActions: []intent.CommunityAction{
				{Community: "64512:100", LocalPref: 200},
				{Community: "large:64512:1:2", LocalPref: 150},
				{Community: "no-export", LocalPref: 50},
			},
			DefaultLocalPref: 100,
		},
		LogFile: "/var/log/bgplb-lab/r1.log",
	}
}

// Routers is a site edge with router sessions only: iBGP to its site peer and eBGP to
// the other site, no speakers, so no speaker policy.
func Routers() intent.Router {
	return intent.Router{
		Name:     "dc2-r1",
		ASN:      64600,
		RouterID: a("192.0.2.21"),
		Interfaces: []intent.Interface{
			{Name: "eth1", Addresses: []netip.Prefix{p("198.18.0.3/31")}},
			{Name: "eth2", Addresses: []netip.Prefix{p("198.51.100.129/25")}},
		},
		Neighbors: []intent.Neighbor{
			{Address: a("198.51.100.130"), ASN: 64600, Role: intent.RoleRouter, Description: "dc2-r2", NextHopSelf: true},
			{Address: a("198.18.0.2"), ASN: 64512, Role: intent.RoleRouter, Description: "dc1-r1"},
		},
		MaximumPaths: 2,
	}
}

// WithoutBFD returns r with BFD removed from every neighbor, for NOSes without BFD.
func WithoutBFD(r intent.Router) intent.Router {
	ns := make([]intent.Neighbor, len(r.Neighbors))
	copy(ns, r.Neighbors)
	for i := range ns {
		ns[i].BFD = nil
	}
	r.Neighbors = ns
	return r
}

// WithoutBFDMinimumTTL returns r with BFD.MinimumTTL cleared, for NOSes that cannot set it.
func WithoutBFDMinimumTTL(r intent.Router) intent.Router {
	ns := make([]intent.Neighbor, len(r.Neighbors))
	copy(ns, r.Neighbors)
	for i := range ns {
		if ns[i].BFD != nil {
			b := *ns[i].BFD
			b.MinimumTTL = 0
			ns[i].BFD = &b
		}
	}
	r.Neighbors = ns
	return r
}

// WithPlainBFD returns r with BFD.Passive and BFD.MinimumTTL cleared, for NOSes that set
// neither per BGP neighbor.
func WithPlainBFD(r intent.Router) intent.Router {
	r = WithoutBFDMinimumTTL(r)
	for i := range r.Neighbors {
		if r.Neighbors[i].BFD != nil {
			r.Neighbors[i].BFD.Passive = false // WithoutBFDMinimumTTL copied the BFD values
		}
	}
	return r
}

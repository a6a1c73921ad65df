package reconcile

import (
	"fmt"
	"slices"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/speaker/router"
	"github.com/bgplb/bgplb/speaker/routes"
)

// unsupported says why the router port cannot run a session, or "" when it can.
// The port dials a neighbor address in the default VRF; unnumbered BGP and VRFs
// need more than it offers today.
func unsupported(s routes.Session) string {
	switch {
	case s.Interface != "":
		return "unnumbered BGP (spec.interface) is not supported by this speaker yet: set spec.peerAddress"
	case s.VRF != "":
		return "spec.vrf is not supported by this speaker yet: remove it or peer from the default VRF"
	case !s.Address.IsValid():
		return "the peer has no address"
	}
	return ""
}

// peerFor translates a desired session into the port's Peer. localASN is the
// BGPPeer's spec.localASN (0 when unset), which routes.Session does not carry.
func peerFor(s routes.Session, localASN uint32) router.Peer {
	p := router.Peer{
		Name: s.Name, Address: s.Address, Port: s.Port, MyASN: s.MyASN, ASN: s.PeerASN,
		SourceAddress: s.SourceAddress, RouterID: s.RouterID,
		HoldTime: s.HoldTime, KeepaliveTime: s.KeepaliveTime, ConnectTime: s.ConnectTime,
		Password: s.Password.Reveal(), EBGPMultiHop: s.EBGPMultiHop, GracefulRestart: s.GracefulRestart,
	}
	if localASN != 0 {
		p.MyASN = localASN
	}
	if s.DynamicASN != config.NoDynamicASN {
		p.ASN = 0 // the router's OPEN decides, within the mode
		p.Dynamic = router.Dynamic(s.DynamicASN)
	}
	if s.DualStack {
		p.Families = router.DualStack
	}
	return p
}

// routesFor translates one peer's desired RouteSet, sorted by prefix so that the
// calls a test sees (and the UPDATE order a router sees) never depend on map order.
func routesFor(rs routes.RouteSet) []router.Route {
	out := make([]router.Route, 0, len(rs))
	for pfx, a := range rs {
		r := router.Route{Prefix: pfx, NextHop: a.NextHop, LocalPref: a.LocalPref}
		for _, c := range a.Communities {
			if c.IsLarge() {
				r.LargeCommunities = append(r.LargeCommunities, c.Large())
			} else {
				r.Communities = append(r.Communities, c.Standard())
			}
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b router.Route) int { return router.ComparePrefix(a.Prefix, b.Prefix) })
	return out
}

// peersFor translates every desired session, sorted by name.
func peersFor(st routes.State, cfg *config.Config) []router.Peer {
	out := make([]router.Peer, 0, len(st.Peers))
	for _, p := range st.Peers {
		var local uint32
		if cfg != nil {
			if cp := cfg.Peer(p.Session.Name); cp != nil {
				local = cp.LocalASN
			}
		}
		out = append(out, peerFor(p.Session, local))
	}
	slices.SortFunc(out, func(a, b router.Peer) int { return cmpString(a.Name, b.Name) })
	return out
}

// dropUnsupported removes from st the sessions the port cannot run and returns why,
// keyed by peer name.
func dropUnsupported(st *routes.State) map[string]string {
	var why map[string]string
	for name, p := range st.Peers {
		if r := unsupported(p.Session); r != "" {
			if why == nil {
				why = map[string]string{}
			}
			why[name] = fmt.Sprintf("BGPPeer %s: %s", name, r)
			delete(st.Peers, name)
		}
	}
	return why
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

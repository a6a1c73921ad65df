package config

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/bgplb/bgplb/api/v1beta1"
)

// crossCheck applies the rules that need the whole configuration: conflicts between
// advertisements, BFD echo toward IPv6, and the warnings about unused objects.
func (b *builder) crossCheck(l2 []v1beta1.L2Advertisement) {
	b.localPrefConflicts()
	b.localPrefEBGP()
	b.peersShareNode()
	b.bfdEchoIPv6()
	for _, p := range b.cfg.Pools {
		if len(p.Advertisements) == 0 {
			b.warnf(ref{KindIPAddressPool, p.Name}, "", "pool-unadvertised", "add a BGPAdvertisement listing this pool in ipAddressPools",
				"no BGPAdvertisement announces pool %q; its addresses are assigned but unreachable from outside the cluster", p.Name)
		}
	}
	used := map[string]bool{}
	for _, p := range b.cfg.Peers {
		used[p.BFDProfile] = true
	}
	for _, p := range b.cfg.BFDProfiles {
		if !used[p.Name] {
			b.warnf(ref{KindBFDProfile, p.Name}, "", "bfd-unused", "set bfdProfile: "+p.Name+" on the BGPPeers it should guard, or delete it",
				"no BGPPeer uses BFD profile %q", p.Name)
		}
	}
	b.unusedCommunities()
	b.l2Advertisements(l2)
}

// localPrefConflicts is MetalLB's rule: two advertisements of the same pool must not
// ask for different LOCAL_PREF on the same route, unless their aggregation lengths,
// their peer lists or their node sets keep the routes apart. As in MetalLB, a pair in
// which one side has serviceSelectors is not judged here (which Services both select
// is not known yet): the speaker checks it per Service (LocalPrefCompatible) and does
// not announce a Service whose advertisements conflict.
func (b *builder) localPrefConflicts() {
	reported := map[[2]string]bool{}
	for _, p := range b.cfg.Pools {
		ads := p.Advertisements
		for j := range ads {
			for i := range j {
				x, y := ads[i], ads[j]
				key := [2]string{x.Name, y.Name}
				if reported[key] || len(x.ServiceSelectors) > 0 || len(y.ServiceSelectors) > 0 ||
					LocalPrefCompatible(x, y, p) || !b.nodesOverlap(x.NodeSelectors, y.NodeSelectors) {
					continue
				}
				reported[key] = true
				b.errorf(ref{KindBGPAdvertisement, y.Name}, "spec.localPref", "adv-localpref-conflict",
					"use the same localPref, or separate the two by peers, nodeSelectors or aggregation length",
					"localPref %d conflicts with localPref %d of BGPAdvertisement %q for the same routes of pool %q",
					y.LocalPref, x.LocalPref, x.Name, p.Name)
			}
		}
	}
}

// LocalPrefCompatible reports whether two advertisements of pool p that both reach
// some node may coexist for the same Service: same LOCAL_PREF, or routes kept apart
// by aggregation length or by disjoint peer lists (MetalLB's
// BGPAdvertisementsHaveCompatibleLocalPref without its node test, which the caller
// makes).
func LocalPrefCompatible(x, y *Advertisement, p *Pool) bool {
	return x.LocalPref == y.LocalPref || aggregationDiffers(x, y, p) || peersDisjoint(x, y)
}

func aggregationDiffers(x, y *Advertisement, p *Pool) bool {
	v4, v6 := p.HasIPv4(), p.HasIPv6()
	d4, d6 := x.AggregationLength != y.AggregationLength, x.AggregationLengthV6 != y.AggregationLengthV6
	return (!v4 && !v6) || (d4 && !v6) || (d6 && !v4) || (d4 && d6)
}

func peersDisjoint(x, y *Advertisement) bool {
	if len(x.Peers) == 0 || len(y.Peers) == 0 {
		return false
	}
	return !slices.ContainsFunc(x.Peers, y.SelectsPeer)
}

// nodesOverlap reports whether some node is selected by both selector lists: surely
// when both select everything or say the same thing, otherwise when a node of the
// snapshot matches both (without nodes we cannot tell, and assume not, as MetalLB).
func (b *builder) nodesOverlap(x, y []labels.Selector) bool {
	if (selectsEverything(x) && selectsEverything(y)) || slices.Equal(selectorStrings(x), selectorStrings(y)) {
		return true
	}
	for _, n := range b.res.Nodes {
		if anySelects(x, n.Labels) && anySelects(y, n.Labels) {
			return true
		}
	}
	return false
}

// reachedPeers returns the peers an advertisement is sent to.
func (b *builder) reachedPeers(a *Advertisement) []*Peer {
	var out []*Peer
	for _, p := range b.cfg.Peers {
		if a.SelectsPeer(p.Name) {
			out = append(out, p)
		}
	}
	return out
}

// localPrefEBGP is our addition: LOCAL_PREF is not sent to eBGP peers (RFC 4271
// 5.1.5), so a localPref that only reaches eBGP peers does nothing.
func (b *builder) localPrefEBGP() {
	for _, a := range b.cfg.Advertisements {
		peers := b.reachedPeers(a)
		if a.LocalPref == 0 || len(peers) == 0 || slices.ContainsFunc(peers, (*Peer).IsIBGP) {
			continue
		}
		names := make([]string, len(peers))
		for i, p := range peers {
			names[i] = p.Name
		}
		b.warnf(ref{KindBGPAdvertisement, a.Name}, "spec.localPref", "adv-localpref-ebgp",
			"remove localPref; to steer an eBGP router, attach a community its policy maps to local-preference (or use AS-path prepending on the router)",
			"localPref %d has no effect: it only reaches eBGP peers (%s), and LOCAL_PREF is never sent over eBGP (RFC 4271)",
			a.LocalPref, strings.Join(names, ", "))
	}
}

// bfdEchoIPv6 is MetalLB's rule: BFD echo cannot run toward a peer that is sent an
// IPv6 pool.
func (b *builder) bfdEchoIPv6() {
	reported := map[string]bool{}
	for _, a := range b.cfg.Advertisements {
		v6 := slices.ContainsFunc(a.Pools, func(n string) bool { return b.poolByName[n].HasIPv6() })
		if !v6 {
			continue
		}
		for _, p := range b.reachedPeers(a) {
			prof := b.bfdByName[p.BFDProfile]
			if prof == nil || !prof.EchoMode || reported[p.Name] {
				continue
			}
			reported[p.Name] = true
			b.errorf(ref{KindBGPPeer, p.Name}, "spec.bfdProfile", "peer-bfd-echo-ipv6", "use a BFDProfile without echoMode for this peer",
				"BFD profile %q enables echo mode, but BGPAdvertisement %q sends this peer IPv6 pool(s) %s",
				prof.Name, a.Name, fmt.Sprint(a.Pools))
		}
	}
}

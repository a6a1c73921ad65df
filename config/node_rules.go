package config

import (
	"net/netip"

	"k8s.io/apimachinery/pkg/labels"
)

// peersShareNode applies MetalLB's rule for peers that run on one node (its FRR
// modes; bgplb's speaker has the same constraint, since it runs one BGP instance per
// node): they must ask for the same routerID, and, within one VRF, the same myASN.
// Otherwise the speaker would have to refuse one of them at run time, on the node.
// Whether two peers share a node is nodesOverlap: surely when their selectors say
// the same, otherwise when a node of the snapshot matches both (MetalLB decides with
// the cluster's Nodes; give lint the Nodes to get its verdict).
func (b *builder) peersShareNode() {
	peers := b.cfg.Peers
	for j := range peers {
		for i := range j {
			x, y := peers[i], peers[j]
			if !b.nodesOverlap(x.NodeSelectors, y.NodeSelectors) {
				continue
			}
			o := ref{KindBGPPeer, y.Name}
			if x.RouterID != y.RouterID {
				b.errorf(o, "spec.routerID", "peer-router-id-differs",
					"give every BGPPeer that selects the same nodes the same routerID (or none), or give them disjoint nodeSelectors",
					"routerID %q differs from routerID %q of BGPPeer %q, which runs on the same node(s); a node has one router ID",
					addrText(y.RouterID), addrText(x.RouterID), x.Name)
			}
			if x.MyASN != y.MyASN && x.VRF == y.VRF {
				b.errorf(o, "spec.myASN", "peer-myasn-differs",
					"give every BGPPeer that selects the same nodes the same myASN (use localASN to present another AS to one router), or give them disjoint nodeSelectors",
					"myASN %d differs from myASN %d of BGPPeer %q, which runs on the same node(s) in the same VRF", y.MyASN, x.MyASN, x.Name)
			}
		}
	}
}

// selectsSomeNode reports whether the selectors pick a node of the snapshot. With
// no nodes in the snapshot (the components evaluate without them; lint without a
// nodes file) only selectors that select everything surely do.
func (b *builder) selectsSomeNode(sels []labels.Selector) bool {
	if selectsEverything(sels) {
		return true
	}
	for _, n := range b.res.Nodes {
		if anySelects(sels, n.Labels) {
			return true
		}
	}
	return false
}

// addrText renders an optional address ("" when unset).
func addrText(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

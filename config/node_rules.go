package config

import "k8s.io/apimachinery/pkg/labels"

// peersShareNode applies MetalLB's rule for peers that run on one node (its FRR
// modes; bgplb's speaker has the same constraint, since it runs one BGP instance per
// node): they must ask for the same routerID, and, within one VRF, the same myASN.
// Otherwise the speaker would have to refuse one of them at run time, on the node.
func (b *builder) peersShareNode() {
	peers := b.cfg.Peers
	for j := range peers {
		for i := range j {
			x, y := peers[i], peers[j]
			if !b.shareNode(x.NodeSelectors, y.NodeSelectors) {
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

// shareNode is MetalLB's peersShareNode: some node of the snapshot is selected by
// both lists; with no nodes in the snapshot (lint of manifests), they are taken to
// share one, since any node could turn out to match both.
func (b *builder) shareNode(x, y []labels.Selector) bool {
	if len(b.res.Nodes) == 0 {
		return true
	}
	for _, n := range b.res.Nodes {
		if anySelects(x, n.Labels) && anySelects(y, n.Labels) {
			return true
		}
	}
	return false
}

// selectsSomeNode reports whether the selectors pick a node of the snapshot, or the
// snapshot has no nodes (then we cannot tell, and assume they do).
func (b *builder) selectsSomeNode(sels []labels.Selector) bool {
	if len(b.res.Nodes) == 0 {
		return true
	}
	for _, n := range b.res.Nodes {
		if anySelects(sels, n.Labels) {
			return true
		}
	}
	return false
}

func addrText(a interface {
	IsValid() bool
	String() string
}) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

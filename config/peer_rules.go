package config

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
)

// peers validates the v1beta2 BGPPeers and the converted v1beta1 ones together, so
// duplicates across versions are caught, and fills b.cfg.Peers sorted by name.
func (b *builder) peers(current []v1beta2.BGPPeer, legacy []v1beta1.BGPPeer) {
	type item struct {
		peer   v1beta2.BGPPeer
		legacy bool
	}
	var all []item
	for _, p := range current {
		all = append(all, item{p, false})
	}
	for _, p := range legacy {
		all = append(all, item{convertLegacyPeer(p), true})
	}
	for _, it := range sortedByName(all, func(i item) string { return i.peer.Name }) {
		o := ref{KindBGPPeer, it.peer.Name}
		if it.legacy {
			b.warnf(o, "apiVersion", "peer-legacy-version", "change apiVersion to metallb.io/v1beta2; the fields carry over unchanged",
				"BGPPeer %q uses the deprecated metallb.io/v1beta1 version; bgplb converted it to v1beta2", it.peer.Name)
		}
		if b.peerByName[it.peer.Name] != nil {
			b.errorf(o, "metadata.name", "duplicate-name", "give each BGPPeer its own name",
				"another BGPPeer is already named %q", it.peer.Name)
			continue
		}
		p := b.peer(o, it.peer.Spec)
		p.Name, p.Legacy = it.peer.Name, it.legacy
		for _, q := range b.cfg.Peers {
			if (p.Address.IsValid() || p.Interface != "") && q.endpoint() == p.endpoint() && b.nodesOverlap(p.NodeSelectors, q.NodeSelectors) {
				// MetalLB native accepts it (its FRR modes refuse it); one node cannot
				// hold two sessions to one address, so the later one waits instead
				// of wedging the whole configuration.
				b.warnf(o, "spec", "peer-duplicate", "keep one BGPPeer per router, or give the two disjoint nodeSelectors",
					"BGPPeer %q already opens a session to %s from the same nodes; this one waits while it does (MetalLB native accepts both, its FRR modes refuse them)", q.Name, p.endpoint())
				p.Waiting = "waiting: BGPPeer " + q.Name + " already opens a session to " + p.endpoint()
			}
		}
		b.peerByName[p.Name] = p
		b.cfg.Peers = append(b.cfg.Peers, p)
	}
}

// peer applies MetalLB's BGPPeer rules to one spec, recording every violation.
func (b *builder) peer(o ref, s v1beta2.BGPPeerSpec) *Peer {
	p := &Peer{
		MyASN: s.MyASN, LocalASN: s.LocalASN, PeerASN: s.ASN, DynamicASN: DynamicASN(s.DynamicASN),
		Interface: s.Interface, Port: s.Port, BFDProfile: s.BFDProfile,
		EBGPMultiHop: s.EBGPMultiHop, GracefulRestart: s.EnableGracefulRestart,
		VRF: s.VRFName, DualStack: s.DualStackAddressFamily, DisableMP: s.DisableMP,
	}
	if s.MyASN == 0 {
		b.errorf(o, "spec.myASN", "peer-myasn-missing", "set myASN to the cluster's AS number, e.g. 64513", "myASN is required")
	}
	switch {
	case s.ASN == 0 && s.DynamicASN == "":
		b.errorf(o, "spec.peerASN", "peer-asn-missing", "set peerASN to the router's AS number, or dynamicASN: internal|external", "neither peerASN nor dynamicASN is set")
	case s.ASN != 0 && s.DynamicASN != "":
		b.errorf(o, "spec.dynamicASN", "peer-asn-conflict", "keep either peerASN or dynamicASN", "peerASN and dynamicASN are mutually exclusive")
	case s.DynamicASN != "" && p.DynamicASN != DynamicASNInternal && p.DynamicASN != DynamicASNExternal:
		b.errorf(o, "spec.dynamicASN", "peer-dynamicasn-invalid", "use dynamicASN: internal or dynamicASN: external", "invalid dynamicASN %q", s.DynamicASN)
	}
	switch {
	case s.EBGPMultiHop && s.ASN != 0 && s.ASN == s.MyASN:
		b.errorf(o, "spec.ebgpMultiHop", "peer-ebgp-multihop-ibgp", "remove ebgpMultiHop: iBGP sessions are not limited to one hop", "ebgpMultiHop is set on an iBGP peer")
	case s.EBGPMultiHop && p.DynamicASN == DynamicASNInternal:
		// MetalLB accepts it (its check compares peerASN, which is 0 here).
		b.warnf(o, "spec.ebgpMultiHop", "peer-ebgp-multihop-ibgp", "remove ebgpMultiHop: iBGP sessions are not limited to one hop",
			"ebgpMultiHop has no effect with dynamicASN internal: the session is iBGP")
	}
	b.peerEndpoint(o, s, p)
	p.HoldTime, p.KeepaliveTime = b.timers(o, s.HoldTime, s.KeepaliveTime)
	if s.ConnectTime != nil {
		d := s.ConnectTime.Duration
		if d < time.Second || d > 65535*time.Second || d%time.Second != 0 {
			b.errorf(o, "spec.connectTime", "peer-connecttime-invalid", "use a whole number of seconds between 1s and 65535s, e.g. 10s",
				"connectTime %s is not a whole number of seconds between 1s and 65535s", d)
		}
		p.ConnectTime = d
	}
	if p.Port == 0 {
		p.Port = DefaultPort
	} else if p.Port > 16384 {
		b.errorf(o, "spec.peerPort", "peer-port-invalid", "use a port between 1 and 16384 (BGP is 179)", "peerPort %d is above 16384", p.Port)
	}
	p.NodeSelectors = b.selectors(o, "spec.nodeSelectors", s.NodeSelectors)
	p.Password = b.password(o, s, p)
	// MetalLB's FRR mode runs these; this speaker does not yet. Accepted (the object
	// is valid MetalLB) but said at lint time, not discovered on the node.
	if s.Interface != "" {
		b.warnf(o, "spec.interface", "peer-interface-unsupported", "set spec.peerAddress to the router's address on that link",
			"unnumbered BGP (interface %q) is not supported by the bgplb speaker yet: no node will run this peer", s.Interface)
	}
	if s.VRFName != "" {
		b.warnf(o, "spec.vrf", "peer-vrf-unsupported", "remove vrf and peer from the default VRF",
			"VRF %q is not supported by the bgplb speaker yet: no node will run this peer", s.VRFName)
	}
	if s.BFDProfile != "" && b.bfdByName[s.BFDProfile] == nil {
		const hint = "create a BFDProfile with this name, or remove bfdProfile"
		if b.selectsSomeNode(p.NodeSelectors) {
			b.errorf(o, "spec.bfdProfile", "peer-bfd-profile-missing", hint, "BFDProfile %q does not exist", s.BFDProfile)
		} else {
			// MetalLB checks peers on the nodes they select only: a peer that
			// selects no node never meets the check.
			b.warnf(o, "spec.bfdProfile", "peer-bfd-profile-missing", hint,
				"BFDProfile %q does not exist; accepted because the peer selects no known node, and the session waits for the profile", s.BFDProfile)
			p.Waiting = "waiting for BFDProfile " + s.BFDProfile
		}
	}
	return p
}

// peerEndpoint checks peerAddress/interface, sourceAddress and routerID.
func (b *builder) peerEndpoint(o ref, s v1beta2.BGPPeerSpec, p *Peer) {
	switch {
	case s.Address == "" && s.Interface == "":
		b.errorf(o, "spec.peerAddress", "peer-address-missing", "set peerAddress to the router's IP, or interface for unnumbered BGP", "neither peerAddress nor interface is set")
	case s.Address != "" && s.Interface != "":
		b.errorf(o, "spec.interface", "peer-address-conflict", "keep either peerAddress or interface", "peerAddress and interface are mutually exclusive")
	}
	if s.Address != "" {
		a, err := parseAddr(s.Address)
		if err != nil {
			b.errorf(o, "spec.peerAddress", "peer-address-invalid", "write an IPv4 or IPv6 address, e.g. 192.0.2.1", "invalid peerAddress %q: %v", s.Address, err)
		}
		p.Address = a
	}
	if s.SrcAddress != "" {
		a, err := parseAddr(s.SrcAddress)
		switch {
		case err != nil:
			b.errorf(o, "spec.sourceAddress", "peer-source-address-invalid", "write one of the node's addresses, or remove sourceAddress", "invalid sourceAddress %q: %v", s.SrcAddress, err)
		case p.Address.IsValid() && a.Is4() != p.Address.Is4():
			b.errorf(o, "spec.sourceAddress", "peer-source-address-invalid", "use a source address of the peer address's family",
				"sourceAddress %s and peerAddress %s are of different families", a, p.Address)
		}
		p.SourceAddress = a
	}
	if s.RouterID != "" {
		a, err := parseAddr(s.RouterID)
		if err != nil || !a.Is4() {
			b.errorf(o, "spec.routerID", "peer-router-id-invalid", "write the router ID as an IPv4 dotted quad, e.g. 192.0.2.10",
				"routerID %q is not an IPv4 address (a BGP identifier is 32 bits)", s.RouterID)
		}
		p.RouterID = a
	}
}

// timers resolves holdTime/keepaliveTime with MetalLB's rules: defaults when both are
// unset, keepalive = hold/3 or hold = 3*keepalive when only one is, hold 0 or >= 3s
// (whole seconds, at most 65535s: the BGP OPEN field) and keepalive <= hold.
func (b *builder) timers(o ref, hold, keep *metav1.Duration) (time.Duration, time.Duration) {
	const hint = "use holdTime 0 or at least 3s and keepaliveTime at most holdTime, e.g. holdTime: 90s, keepaliveTime: 30s"
	h, k := DefaultHoldTime, DefaultKeepaliveTime
	holdField := "spec.holdTime"
	switch {
	case hold != nil && keep != nil:
		h, k = hold.Duration, keep.Duration
	case hold != nil:
		h, k = hold.Duration, hold.Duration/3
	case keep != nil:
		h, k = 3*keep.Duration, keep.Duration
		holdField = "spec.keepaliveTime"
	}
	rounded := h.Truncate(time.Second)
	if h < 0 || (rounded != 0 && rounded < 3*time.Second) || h > 65535*time.Second {
		b.errorf(o, holdField, "peer-holdtime-invalid", hint, "hold time %s must be 0 or between 3s and 65535s", h)
	}
	switch {
	case k > h:
		b.errorf(o, "spec.keepaliveTime", "peer-keepalive-invalid", hint, "keepalive time %s must not exceed hold time %s", k, h)
	case k < 0:
		// MetalLB accepts a negative keepalive below a valid hold time (and hands
		// it to FRR as is); no BGP speaker can send keepalives at a negative
		// interval, so bgplb uses the default derivation.
		b.warnf(o, "spec.keepaliveTime", "peer-keepalive-negative", "remove keepaliveTime, or set a positive one",
			"keepalive time %s is negative; bgplb uses holdTime/3 (%s)", k, h/3)
		k = h / 3
	}
	return h, k
}

// convertLegacyPeer turns a v1beta1 BGPPeer into the v1beta2 shape, as MetalLB's
// conversion webhook does; a zero v1beta1 duration means "not set".
func convertLegacyPeer(in v1beta1.BGPPeer) v1beta2.BGPPeer {
	out := v1beta2.BGPPeer{TypeMeta: in.TypeMeta, ObjectMeta: in.ObjectMeta}
	s := in.Spec
	out.Spec = v1beta2.BGPPeerSpec{
		MyASN: s.MyASN, ASN: s.ASN, Address: s.Address, SrcAddress: s.SrcAddress, Port: s.Port,
		RouterID: s.RouterID, Password: s.Password, BFDProfile: s.BFDProfile, EBGPMultiHop: s.EBGPMultiHop,
	}
	if s.HoldTime.Duration != 0 {
		out.Spec.HoldTime = &metav1.Duration{Duration: s.HoldTime.Duration}
	}
	if s.KeepaliveTime.Duration != 0 {
		out.Spec.KeepaliveTime = &metav1.Duration{Duration: s.KeepaliveTime.Duration}
	}
	for _, ns := range s.NodeSelectors {
		sel := metav1.LabelSelector{MatchLabels: ns.MatchLabels}
		for _, e := range ns.MatchExpressions {
			sel.MatchExpressions = append(sel.MatchExpressions, metav1.LabelSelectorRequirement{
				Key: e.Key, Operator: metav1.LabelSelectorOperator(e.Operator), Values: e.Values,
			})
		}
		out.Spec.NodeSelectors = append(out.Spec.NodeSelectors, sel)
	}
	return out
}

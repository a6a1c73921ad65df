package routes

import "net/netip"

// Reasons for announcing or not. MetalLB's strings are kept where MetalLB has the
// same rule (speaker/main.go, speaker/bgp_controller.go), so operators who know
// MetalLB's logs recognise them; the others are bgplb's own.
const (
	// ReasonAnnounced: the route is announced to the peer.
	ReasonAnnounced = "announced"

	// Service-wide reasons (Decision.Peer is ""), in the order they are checked.

	// ReasonNoIPAllocated (MetalLB): the Service has no load-balancer address yet.
	ReasonNoIPAllocated = "noIPAllocated"
	// ReasonIPNotAllowed (MetalLB): no pool of the configuration holds all of the
	// Service's addresses (or the named pool does not exist or does not hold them).
	ReasonIPNotAllowed = "ipNotAllowed"
	// ReasonNoAdvertisementForPool: no BGPAdvertisement announces the pool at all.
	ReasonNoAdvertisementForPool = "noAdvertisementForPool"
	// ReasonNotOwner (MetalLB): the pool's advertisements all leave this node out
	// through their nodeSelectors.
	ReasonNotOwner = "notOwner"
	// ReasonNoMatchingAdvertisement (MetalLB): the pool's advertisements that select
	// this node all have serviceSelectors, and none matches the Service's labels.
	ReasonNoMatchingAdvertisement = "noMatchingAdvertisement"
	// ReasonConflictingAdvertisements (MetalLB): two advertisements that announce the
	// Service from this node ask for different LOCAL_PREF on the same routes (the
	// check MetalLB leaves to run time when serviceSelectors are involved).
	ReasonConflictingAdvertisements = "conflictingAdvertisements"
	// ReasonNetworkUnavailable (MetalLB): the node's NetworkUnavailable condition is True.
	ReasonNetworkUnavailable = "nodeNetworkUnavailable"
	// ReasonNodeExcluded (MetalLB): the node carries LabelExcludeBalancers and
	// --ignore-exclude-lb is not set.
	ReasonNodeExcluded = "nodeLabeledExcludeBalancers"
	// ReasonNoLocalEndpoints (MetalLB): externalTrafficPolicy Local and no endpoint on
	// this node can serve.
	ReasonNoLocalEndpoints = "noLocalEndpoints"
	// ReasonNoEndpoints (MetalLB): no endpoint anywhere can serve.
	ReasonNoEndpoints = "noEndpoints"

	// Per-peer reasons.

	// ReasonAdvertisementNodeSelector: an advertisement would send the route to this
	// peer, but its nodeSelectors leave this node out (Decision.Advertisement names it).
	ReasonAdvertisementNodeSelector = "advertisementNodeSelector"
	// ReasonPeerNotSelected: no advertisement of the pool lists this peer in spec.peers.
	ReasonPeerNotSelected = "peerNotSelected"
	// ReasonAddressFamily: the peer's session carries the other address family and
	// dualStackAddressFamily is off.
	ReasonAddressFamily = "addressFamily"

	// Peer-session reasons (PeerDecision).

	// ReasonPeerRuns: the peer's nodeSelectors select this node; the session runs.
	ReasonPeerRuns = "peerRuns"
	// ReasonPeerNodeSelector: the peer's nodeSelectors leave this node out.
	ReasonPeerNodeSelector = "peerNodeSelector"
	// ReasonPeerWaiting: the peer waits for something it names that does not exist
	// yet (config.Peer.Waiting, e.g. its passwordSecret); no node runs it meanwhile.
	ReasonPeerWaiting = "peerWaiting"
)

// Decision explains one announce or not-announce outcome. Service-wide reasons
// give one Decision per address with Peer "" (it holds for every peer); otherwise
// there is one Decision per address and running peer.
type Decision struct {
	Service string
	// IP is the service address; invalid with ReasonNoIPAllocated.
	IP netip.Addr
	// Peer is the BGPPeer name, "" for a service-wide reason.
	Peer      string
	Announced bool
	Reason    string
	// Advertisement names the BGPAdvertisement behind the outcome when there is one:
	// the first (by name) that announces to the peer, or the one whose node
	// selector excluded this node.
	Advertisement string
}

// PeerDecision says whether this node runs a configured peer's session, and why.
type PeerDecision struct {
	Peer   string
	Runs   bool
	Reason string
}

package routes

import (
	"net/netip"

	"k8s.io/apimachinery/pkg/labels"
)

// LabelExcludeBalancers is the well-known node label that takes a node out of
// external load balancing; MetalLB honours it unless --ignore-exclude-lb is set.
// Only its presence counts, not its value (as in MetalLB and Kubernetes).
const LabelExcludeBalancers = "node.kubernetes.io/exclude-from-external-load-balancers"

// Node is the node this speaker runs on.
type Node struct {
	// Name is metadata.name; Endpoint.Node is compared with it.
	Name string
	// Labels are metadata.labels: they select peers and advertisements, and
	// LabelExcludeBalancers among them excludes the node.
	Labels labels.Set
	// NetworkUnavailable is true exactly when the node's NetworkUnavailable
	// condition has status "True" (MetalLB: False, Unknown or absent all count as
	// available).
	NetworkUnavailable bool
}

// Excluded reports whether the node carries LabelExcludeBalancers.
func (n Node) Excluded() bool {
	_, ok := n.Labels[LabelExcludeBalancers]
	return ok
}

// TrafficPolicy is a Service's spec.externalTrafficPolicy.
type TrafficPolicy string

// The two policies. Anything but TrafficLocal (including "") behaves as Cluster,
// which is Kubernetes' default and MetalLB's reading.
const (
	TrafficCluster TrafficPolicy = "Cluster"
	TrafficLocal   TrafficPolicy = "Local"
)

// Service is one LoadBalancer Service as the speaker sees it. The adapter passes
// only Services of type LoadBalancer; a deleted Service is simply absent.
type Service struct {
	// Key is "namespace/name"; decisions name the Service by it.
	Key string
	// IPs are the addresses in status.loadBalancer.ingress[].ip, parsed. An entry
	// that does not parse should be logged and dropped by the adapter (MetalLB
	// withdraws the whole service with "invalidIP"; pass no IPs to get the same).
	IPs []netip.Addr
	// Pool is the metallb.io/ip-allocated-from-pool annotation when set. Empty means
	// unknown: the pool containing the first IP is used (MetalLB's speaker works
	// from the IPs alone). Either way every IP must lie in the pool, or the Service
	// is not announced ("ipNotAllowed").
	Pool string
	// Labels are the Service's metadata.labels: BGPAdvertisement serviceSelectors
	// match them.
	Labels labels.Set
	// TrafficPolicy is spec.externalTrafficPolicy.
	TrafficPolicy TrafficPolicy
	// Endpoints are the endpoints of every EndpointSlice of the Service
	// (label kubernetes.io/service-name), one entry per endpoint address.
	Endpoints []Endpoint
}

// Endpoint is one endpoint address of an EndpointSlice.
//
// How to fill it from a discoveryv1.Endpoint (MetalLB's epslices.EndpointCanServe):
//
//	Node    = *ep.NodeName ("" when nil: such an endpoint never counts as local)
//	Address = the address (ep.Addresses[i]); one Endpoint per address
//	Ready   = ep.Conditions.Ready == nil || *ep.Conditions.Ready   (nil means ready)
//	Serving = ep.Conditions.Serving != nil && *ep.Conditions.Serving
//
// Terminating is deliberately not an input: MetalLB counts an endpoint that is
// terminating but still serving, which is what keeps traffic flowing while pods
// drain gracefully.
type Endpoint struct {
	Node    string
	Address string
	Ready   bool
	Serving bool
}

// CanServe reports whether the endpoint may receive traffic: ready, or serving.
func (e Endpoint) CanServe() bool { return e.Ready || e.Serving }

// Options are the speaker's flags that change announce rules.
type Options struct {
	// IgnoreExcludeLB is --ignore-exclude-lb: announce even from a node labelled
	// LabelExcludeBalancers.
	IgnoreExcludeLB bool
}

// healthy reports whether the service has an endpoint that can serve, counting only
// endpoints on node when local is set. As in MetalLB, an address that appears more
// than once (a pod listed by two slices during a rollout) is healthy only if every
// entry for it can serve: "false takes precedence". The common case, where no
// endpoint is unhealthy, allocates nothing.
func healthy(eps []Endpoint, node string, local bool) bool {
	var bad map[string]bool
	for _, e := range eps {
		if local && e.Node != node {
			continue
		}
		if !e.CanServe() && e.Address != "" {
			if bad == nil {
				bad = map[string]bool{}
			}
			bad[e.Address] = true
		}
	}
	for _, e := range eps {
		if local && e.Node != node {
			continue
		}
		if e.CanServe() && (e.Address == "" || !bad[e.Address]) {
			return true
		}
	}
	return false
}

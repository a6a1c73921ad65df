package config

import (
	"net/netip"
	"slices"

	"k8s.io/apimachinery/pkg/labels"
)

// Advertisement is a validated BGPAdvertisement: how the addresses of some pools are
// announced, to which peers, from which nodes.
type Advertisement struct {
	Name string
	// Pools are the names of the pools it announces, sorted (an empty spec list and
	// no selectors mean every pool).
	Pools []string
	// AggregationLength and AggregationLengthV6 are the prefix lengths announced for
	// an IPv4 or IPv6 service address (32 and 128 by default: the address itself).
	AggregationLength   int
	AggregationLengthV6 int
	// LocalPref is the LOCAL_PREF attribute, 0 when unset. It only travels to iBGP peers.
	LocalPref uint32
	// Communities are resolved values (aliases, well-known names and Community
	// resources expanded), deduplicated and sorted.
	Communities []Community
	// Peers names the BGPPeers that receive these routes, sorted; empty means all.
	Peers []string
	// NodeSelectors choose the nodes that announce (OR across entries); empty means all.
	NodeSelectors []labels.Selector
	// ServiceSelectors choose the Services announced (OR across entries); empty means all.
	ServiceSelectors []labels.Selector
}

// SelectsService reports whether a Service with these labels is announced by this
// advertisement.
func (a *Advertisement) SelectsService(serviceLabels labels.Set) bool {
	return anySelects(a.ServiceSelectors, serviceLabels)
}

// SelectsNode reports whether a node with these labels announces this advertisement.
func (a *Advertisement) SelectsNode(nodeLabels labels.Set) bool {
	return anySelects(a.NodeSelectors, nodeLabels)
}

// SelectsPeer reports whether the named peer receives this advertisement.
func (a *Advertisement) SelectsPeer(name string) bool {
	if len(a.Peers) == 0 {
		return true
	}
	_, ok := slices.BinarySearch(a.Peers, name)
	return ok
}

// AnnouncesPool reports whether the advertisement announces the named pool.
func (a *Advertisement) AnnouncesPool(name string) bool {
	_, ok := slices.BinarySearch(a.Pools, name)
	return ok
}

// Prefix returns the prefix announced for a service address: the address rolled up
// to AggregationLength (IPv4) or AggregationLengthV6 (IPv6).
func (a *Advertisement) Prefix(addr netip.Addr) netip.Prefix {
	bits := a.AggregationLength
	if addr.Is6() && !addr.Is4In6() {
		bits = a.AggregationLengthV6
	}
	p, _ := addr.Unmap().Prefix(bits)
	return p
}

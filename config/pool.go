package config

import (
	"net/netip"
	"slices"

	"k8s.io/apimachinery/pkg/labels"
)

// Pool is a validated IPAddressPool: the addresses the allocator may hand out.
type Pool struct {
	Name string
	// Prefixes are the pool's addresses in the order the spec lists them, each "A-B"
	// range summarized to the smallest set of CIDRs. No two prefixes of any two pools
	// overlap.
	Prefixes []netip.Prefix
	// AutoAssign is false when Services must ask for this pool by name.
	AutoAssign bool
	// AvoidBuggyIPs keeps IPv4 addresses ending in .0 or .255 out of allocation.
	AvoidBuggyIPs bool
	// Allocation restricts which Services may use the pool; nil means any Service.
	Allocation *ServiceAllocation
	// Advertisements are the BGPAdvertisements that announce this pool, by name.
	Advertisements []*Advertisement

	labels  labels.Set
	entries []poolEntry
}

// poolEntry remembers which spec.addresses entry produced which prefixes, for rules
// that must name the entry (aggregation length, overlaps).
type poolEntry struct {
	text     string
	prefixes []netip.Prefix
}

// ServiceAllocation is a pool's serviceAllocation: which Services may take addresses
// from it and, among pools that allow a Service, which is tried first.
type ServiceAllocation struct {
	// Priority orders pools for a Service: a lower number is tried first (MetalLB).
	Priority int
	// Namespaces lists namespaces by name, sorted.
	Namespaces []string
	// NamespaceSelectors select namespaces by label (ORed with Namespaces).
	NamespaceSelectors []labels.Selector
	// ServiceSelectors select Services by label; empty means any Service.
	ServiceSelectors []labels.Selector
}

// Contains reports whether addr is inside one of the pool's prefixes.
func (p *Pool) Contains(addr netip.Addr) bool {
	for _, pfx := range p.Prefixes {
		if pfx.Contains(addr) {
			return true
		}
	}
	return false
}

// Assignable reports whether the allocator may hand out addr from this pool: inside
// the pool and, with avoidBuggyIPs, not an IPv4 address ending in .0 or .255.
func (p *Pool) Assignable(addr netip.Addr) bool {
	if !p.Contains(addr) {
		return false
	}
	if p.AvoidBuggyIPs && addr.Is4() {
		last := addr.As4()[3]
		return last != 0 && last != 255
	}
	return true
}

// HasIPv4 and HasIPv6 report which families the pool holds.
func (p *Pool) HasIPv4() bool {
	return slices.ContainsFunc(p.Prefixes, func(x netip.Prefix) bool { return x.Addr().Is4() })
}

// HasIPv6 reports whether the pool holds IPv6 addresses.
func (p *Pool) HasIPv6() bool {
	return slices.ContainsFunc(p.Prefixes, func(x netip.Prefix) bool { return x.Addr().Is6() })
}

// AllowsService reports whether a Service in namespace ns, whose namespace carries
// nsLabels and which carries svcLabels itself, may take an address from the pool.
// As in MetalLB, the namespace conditions (names or selectors) and the service
// selectors must both hold when set.
func (p *Pool) AllowsService(ns string, nsLabels, svcLabels labels.Set) bool {
	a := p.Allocation
	if a == nil {
		return true
	}
	if len(a.Namespaces) > 0 || len(a.NamespaceSelectors) > 0 {
		_, named := slices.BinarySearch(a.Namespaces, ns)
		if !named && !(len(a.NamespaceSelectors) > 0 && anySelects(a.NamespaceSelectors, nsLabels)) {
			return false
		}
	}
	return anySelects(a.ServiceSelectors, svcLabels)
}

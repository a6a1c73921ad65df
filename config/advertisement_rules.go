package config

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/bgplb/bgplb/api/v1beta1"
)

// advertisements validates every BGPAdvertisement and links it to its pools. It runs
// after pools, peers and communities, whose names it resolves.
func (b *builder) advertisements(items []v1beta1.BGPAdvertisement) {
	sorted := sortedByName(items, func(a v1beta1.BGPAdvertisement) string { return a.Name })
	seen := map[string]bool{}
	for i, it := range sorted {
		o := ref{KindBGPAdvertisement, it.Name}
		if seen[it.Name] {
			b.errorf(o, "metadata.name", "duplicate-name", "give each BGPAdvertisement its own name", "another BGPAdvertisement is already named %q", it.Name)
			continue
		}
		seen[it.Name] = true
		// MetalLB compares whole objects (names included), so two advertisements
		// with the same spec are valid there: the routes are simply the same twice.
		for _, prev := range sorted[:i] {
			if reflect.DeepEqual(prev.Spec, it.Spec) {
				b.warnf(o, "spec", "adv-duplicate", "delete one of the two advertisements",
					"BGPAdvertisement %q has exactly the same spec; the two announce the same routes once", prev.Name)
				break
			}
		}
		a := b.advertisement(o, it.Spec)
		a.Name = it.Name
		for _, name := range a.Pools {
			p := b.poolByName[name]
			b.aggregationFits(o, a, p, it.Spec)
			p.Advertisements = append(p.Advertisements, a)
		}
		b.cfg.Advertisements = append(b.cfg.Advertisements, a)
	}
}

func (b *builder) advertisement(o ref, s v1beta1.BGPAdvertisementSpec) *Advertisement {
	a := &Advertisement{AggregationLength: 32, AggregationLengthV6: 128, LocalPref: s.LocalPref}
	if s.AggregationLength != nil {
		a.AggregationLength = b.aggregation(o, "spec.aggregationLength", *s.AggregationLength, 32)
	}
	if s.AggregationLengthV6 != nil {
		a.AggregationLengthV6 = b.aggregationV6(o, *s.AggregationLengthV6)
	}
	b.uniqueEntries(o, "spec.ipAddressPools", s.IPAddressPools)
	b.uniqueEntries(o, "spec.peers", s.Peers)
	b.uniqueEntries(o, "spec.communities", s.Communities)

	selected := map[string]bool{}
	for i, name := range s.IPAddressPools {
		if b.poolByName[name] == nil {
			// MetalLB skips an unknown name; refusing would wedge every other change
			// until the pool exists. The advertisement picks the pool up once it does.
			b.warnf(o, idx("spec.ipAddressPools", i), "adv-pool-missing", "create the IPAddressPool, or fix the name",
				"IPAddressPool %q does not exist; skipped until it does", name)
			continue
		}
		selected[name] = true
	}
	poolSels := b.selectors(o, "spec.ipAddressPoolSelectors", s.IPAddressPoolSelectors)
	for _, p := range b.cfg.Pools {
		if len(s.IPAddressPools) == 0 && len(s.IPAddressPoolSelectors) == 0 {
			selected[p.Name] = true // MetalLB: no pools and no selectors means all pools
		} else if len(poolSels) > 0 && anySelects(poolSels, p.labels) {
			selected[p.Name] = true
		}
	}
	if len(s.IPAddressPools) == 0 && len(poolSels) > 0 && len(selected) == 0 {
		b.warnf(o, "spec.ipAddressPoolSelectors", "adv-no-pools", "label the pools to announce so that a selector matches them",
			"no IPAddressPool matches ipAddressPoolSelectors; the advertisement announces nothing")
	}
	for name := range selected {
		a.Pools = append(a.Pools, name)
	}
	slices.Sort(a.Pools)

	for i, name := range s.Peers {
		if b.peerByName[name] == nil {
			// MetalLB accepts it: the routes go to no session of that name until
			// the BGPPeer exists.
			b.warnf(o, idx("spec.peers", i), "adv-peer-missing", "create the BGPPeer, or fix the name",
				"BGPPeer %q does not exist; nothing is sent to it until it does", name)
		}
		if !slices.Contains(a.Peers, name) {
			a.Peers = append(a.Peers, name)
		}
	}
	slices.Sort(a.Peers)
	a.NodeSelectors = b.selectors(o, "spec.nodeSelectors", s.NodeSelectors)
	a.ServiceSelectors = b.selectors(o, "spec.serviceSelectors", s.ServiceSelectors)
	b.serviceSelectorsNotAggregated(o, a)

	for i, c := range s.Communities {
		for _, v := range b.resolveCommunity(o, idx("spec.communities", i), c) {
			if !slices.Contains(a.Communities, v) {
				a.Communities = append(a.Communities, v)
			}
		}
	}
	slices.SortFunc(a.Communities, Community.Compare)
	return a
}

// aggregationV6 follows MetalLB: the CRD sets no minimum on aggregationLengthV6 and
// parsing refuses only values above 128; a length below an IPv6 pool entry's own is
// refused by aggregationFits, so a value <= 0 only passes while no IPv6 pool is
// announced, where it means nothing.
func (b *builder) aggregationV6(o ref, v int32) int {
	const field = "spec.aggregationLengthV6"
	if v > 128 {
		b.errorf(o, field, "adv-aggregation-invalid", "use a length between 1 and 128 (128 announces each address alone)",
			"aggregation length %d is out of range 1..128", v)
		return 128
	}
	if v < 1 {
		b.warnf(o, field, "adv-aggregation-v6-unusable", "use a length between 1 and 128, or remove aggregationLengthV6",
			"aggregationLengthV6 %d can announce no IPv6 address; it is accepted (as MetalLB does) only while the advertisement announces no IPv6 pool", v)
	}
	return int(v)
}

func (b *builder) aggregation(o ref, field string, v int32, max int) int {
	if v < 1 || int(v) > max {
		b.errorf(o, field, "adv-aggregation-invalid", fmt.Sprintf("use a length between 1 and %d (%d announces each address alone)", max, max),
			"aggregation length %d is out of range 1..%d", v, max)
		return max
	}
	return int(v)
}

// aggregationFits applies MetalLB's rule: an aggregation length shorter than the
// widest CIDR of a pool entry would announce addresses outside the pool.
func (b *builder) aggregationFits(o ref, a *Advertisement, p *Pool, s v1beta1.BGPAdvertisementSpec) {
	for _, e := range p.entries {
		if len(e.prefixes) == 0 {
			continue
		}
		widest := e.prefixes[0]
		for _, x := range e.prefixes {
			if x.Bits() < widest.Bits() {
				widest = x
			}
		}
		length, field := a.AggregationLength, "spec.aggregationLength"
		if widest.Addr().Is6() {
			length, field = a.AggregationLengthV6, "spec.aggregationLengthV6"
		}
		if length < widest.Bits() {
			b.errorf(o, field, "adv-aggregation-pool", fmt.Sprintf("use an aggregation length of at least %d", widest.Bits()),
				"aggregation length %d is shorter than /%d of %q in IPAddressPool %q; it would announce addresses outside the pool",
				length, widest.Bits(), e.text, p.Name)
		}
	}
}

// serviceSelectorsNotAggregated applies MetalLB's rule: an aggregate prefix covers
// addresses of Services the selectors leave out, so the two cannot be combined.
func (b *builder) serviceSelectorsNotAggregated(o ref, a *Advertisement) {
	if len(a.ServiceSelectors) == 0 {
		return
	}
	if a.AggregationLength != 32 {
		b.errorf(o, "spec.aggregationLength", "adv-service-selectors-aggregation",
			"remove aggregationLength (or serviceSelectors): an aggregate would also announce the addresses of Services the selectors leave out",
			"serviceSelectors and aggregationLength %d are mutually exclusive", a.AggregationLength)
	}
	if a.AggregationLengthV6 != 128 {
		b.errorf(o, "spec.aggregationLengthV6", "adv-service-selectors-aggregation",
			"remove aggregationLengthV6 (or serviceSelectors): an aggregate would also announce the addresses of Services the selectors leave out",
			"serviceSelectors and aggregationLengthV6 %d are mutually exclusive", a.AggregationLengthV6)
	}
}

// uniqueEntries rejects a list that names the same thing twice (MetalLB rule).
func (b *builder) uniqueEntries(o ref, field string, list []string) {
	for i, v := range list {
		if j := slices.Index(list, v); j != i {
			b.errorf(o, idx(field, i), "duplicate-entry", "list each entry once", "%q repeats %s", v, idx(field, j))
		}
	}
}

package config

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
)

// l2Advertisements applies MetalLB's L2Advertisement rules, so that an object MetalLB
// refuses is refused here too, although bgplb announces over BGP only and ignores
// L2Advertisements otherwise: duplicate pool names, duplicate or invalid selectors,
// and preferredNodeSelectors weights outside 1..100 (MetalLB's CRD). Pool names that
// do not exist are skipped, as MetalLB does; interfaces are not validated (MetalLB
// does not either).
func (b *builder) l2Advertisements(items []v1beta1.L2Advertisement) {
	seen := map[string]bool{}
	for _, it := range sortedByName(items, func(a v1beta1.L2Advertisement) string { return a.Name }) {
		o := ref{KindL2Advertisement, it.Name}
		if seen[it.Name] {
			b.errorf(o, "metadata.name", "duplicate-name", "give each L2Advertisement its own name", "another L2Advertisement is already named %q", it.Name)
			continue
		}
		seen[it.Name] = true
		s := it.Spec
		b.uniqueEntries(o, "spec.ipAddressPools", s.IPAddressPools)
		b.selectors(o, "spec.ipAddressPoolSelectors", s.IPAddressPoolSelectors)
		b.selectors(o, "spec.nodeSelectors", s.NodeSelectors)
		b.selectors(o, "spec.serviceSelectors", s.ServiceSelectors)
		for i, p := range s.PreferredNodeSelectors {
			f := idx("spec.preferredNodeSelectors", i)
			if p.Weight < 1 || p.Weight > 100 {
				b.errorf(o, f+".weight", "l2-weight-invalid", "use a weight between 1 and 100", "weight %d is out of range 1..100", p.Weight)
			}
			b.selectors(o, f+".preference", []metav1.LabelSelector{p.Preference})
		}
		b.warnf(o, "", "l2-unsupported", "announce the pools with a BGPAdvertisement instead",
			"bgplb announces over BGP only; this L2Advertisement is validated as MetalLB does, then ignored")
	}
}

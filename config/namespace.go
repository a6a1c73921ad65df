package config

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// inNamespace keeps the MetalLB objects of the product namespace, warning about each
// object elsewhere (MetalLB only watches its own namespace, so they do nothing) and
// rejecting objects without a name.
func (b *builder) inNamespace(r Resources) Resources {
	return Resources{
		Pools:             keep(b, KindIPAddressPool, r.Pools),
		Peers:             keep(b, KindBGPPeer, r.Peers),
		LegacyPeers:       keep(b, KindBGPPeer, r.LegacyPeers),
		BGPAdvertisements: keep(b, KindBGPAdvertisement, r.BGPAdvertisements),
		L2Advertisements:  keep(b, KindL2Advertisement, r.L2Advertisements),
		Communities:       keep(b, KindCommunity, r.Communities),
		BFDProfiles:       keep(b, KindBFDProfile, r.BFDProfiles),
		Secrets:           r.Secrets,
		Nodes:             r.Nodes,
		Namespaces:        r.Namespaces,
	}
}

// keep filters one kind; PT lets it read the metadata of any API type through the
// pointer methods of metav1.Object.
func keep[T any, PT interface {
	*T
	metav1.Object
}](b *builder, kind string, items []T) []T {
	var out []T
	for i := range items {
		m := PT(&items[i])
		o := ref{kind, m.GetName()}
		switch {
		case m.GetName() == "":
			b.errorf(o, "metadata.name", "name-missing", "give the "+kind+" a metadata.name", "%s has no name", kind)
		case m.GetNamespace() != "" && m.GetNamespace() != b.ns:
			b.warnf(o, "metadata.namespace", "namespace-foreign", "move it to namespace "+b.ns+", where bgplb reads its configuration",
				"%s is in namespace %q, not %q; bgplb ignores it", kind, m.GetNamespace(), b.ns)
		default:
			out = append(out, items[i])
		}
	}
	return out
}

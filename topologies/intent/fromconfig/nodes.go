package fromconfig

import (
	"net/netip"
	"sort"

	corev1 "k8s.io/api/core/v1"
)

// NodesFrom turns Node objects into speakers: their InternalIP addresses (ExternalIP
// when a node has no internal one) and labels, sorted by name.
func NodesFrom(objs []corev1.Node) []Node {
	var out []Node
	for _, o := range objs {
		n := Node{Name: o.Name, Labels: o.Labels}
		if n.Labels == nil {
			n.Labels = map[string]string{}
		}
		for _, typ := range []corev1.NodeAddressType{corev1.NodeInternalIP, corev1.NodeExternalIP} {
			for _, a := range o.Status.Addresses {
				if ip, err := netip.ParseAddr(a.Address); err == nil && a.Type == typ {
					n.Addresses = append(n.Addresses, ip.Unmap())
				}
			}
			if len(n.Addresses) > 0 {
				break
			}
		}
		if len(n.Addresses) > 0 {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

package manifest

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
)

// Resources turns the set into the configuration core's snapshot. A namespaced object
// written without a namespace is placed in defaultNamespace, which is what
// `kubectl apply -n NAMESPACE -f ...` does with it; pass config.DefaultNamespace (or the
// product's configured namespace) to lint files the way they are usually applied.
// Services are not part of the snapshot; see Services.
func (s *Set) Resources(defaultNamespace string) config.Resources {
	var r config.Resources
	for _, o := range s.Objects {
		switch obj := o.Object.(type) {
		case *v1beta1.IPAddressPool:
			r.Pools = append(r.Pools, *inNamespace(obj, defaultNamespace))
		case *v1beta2.BGPPeer:
			r.Peers = append(r.Peers, *inNamespace(obj, defaultNamespace))
		case *v1beta1.BGPPeer:
			r.LegacyPeers = append(r.LegacyPeers, *inNamespace(obj, defaultNamespace))
		case *v1beta1.BGPAdvertisement:
			r.BGPAdvertisements = append(r.BGPAdvertisements, *inNamespace(obj, defaultNamespace))
		case *v1beta1.L2Advertisement:
			r.L2Advertisements = append(r.L2Advertisements, *inNamespace(obj, defaultNamespace))
		case *v1beta1.Community:
			r.Communities = append(r.Communities, *inNamespace(obj, defaultNamespace))
		case *v1beta1.BFDProfile:
			r.BFDProfiles = append(r.BFDProfiles, *inNamespace(obj, defaultNamespace))
		case *corev1.Secret:
			r.Secrets = append(r.Secrets, *inNamespace(obj, defaultNamespace))
		case *corev1.Node:
			r.Nodes = append(r.Nodes, *obj)
		case *corev1.Namespace:
			r.Namespaces = append(r.Namespaces, *obj)
		}
	}
	return r
}

// Services returns the Services of the set, each placed in defaultNamespace when it was
// written without one. They matter for their annotations and pool requests.
func (s *Set) Services(defaultNamespace string) []corev1.Service {
	var out []corev1.Service
	for _, o := range s.Objects {
		if svc, ok := o.Object.(*corev1.Service); ok {
			out = append(out, *inNamespace(svc, defaultNamespace))
		}
	}
	return out
}

// namespaced is what inNamespace needs of an object.
type namespaced[T any] interface {
	*T
	GetNamespace() string
	SetNamespace(string)
	DeepCopy() *T
}

// inNamespace returns obj, or a copy placed in ns when obj has no namespace. The Set's
// own objects are never modified, so Resources can be called with different defaults.
func inNamespace[T any, P namespaced[T]](obj P, ns string) P {
	if obj.GetNamespace() != "" || ns == "" {
		return obj
	}
	c := P(obj.DeepCopy())
	c.SetNamespace(ns)
	return c
}

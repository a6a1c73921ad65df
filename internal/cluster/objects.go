// Package cluster reads what bgplb status and bgplb plan need — the configuration
// objects, Secrets, Nodes, Namespaces, LoadBalancer Services, their EndpointSlices and
// the ConfigurationStates — from an apiserver or from manifest files, and translates
// them into a snapshot.Snapshot with the controller's and the speaker's own
// translators (controller/k8s.Translate, speaker/k8s.NodeFrom and ServiceFrom), so
// the pure cores see exactly what the components see.
package cluster

import (
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"

	"github.com/bgplb/bgplb/api/manifest"
	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/controller/config"
)

// Objects are the API objects as read, before translation.
type Objects struct {
	// Resources are the configuration objects plus Secrets, Nodes and Namespaces.
	Resources    config.Resources
	Services     []corev1.Service
	Slices       []discoveryv1.EndpointSlice
	ConfigStates []v1beta1.ConfigurationState
}

// FromSet takes the objects of a manifest set, placing those written without a
// namespace in ns (as `kubectl apply -n ns` would). Files carry no EndpointSlices.
func FromSet(set *manifest.Set, ns string) Objects {
	return Objects{Resources: set.Resources(ns), Services: set.Services(ns)}
}

// named is what overlay needs of an object.
type named[T any] interface {
	*T
	GetNamespace() string
	GetName() string
}

// Overlay returns cur with every object of next replacing the object of the same
// kind, namespace and name (or added when there is none): what `kubectl apply -f
// next` does to cur. Nothing is deleted. A BGPPeer is one object whatever its API
// version, so a v1beta1 BGPPeer in next replaces a v1beta2 one of the same name and
// the other way round.
func Overlay(cur, next Objects) Objects {
	r, n := cur.Resources, next.Resources
	out := cur
	out.Resources = config.Resources{
		Pools:             replace(r.Pools, n.Pools),
		Peers:             replace(dropNamed(r.Peers, n.LegacyPeers), n.Peers),
		LegacyPeers:       replace(dropNamed(r.LegacyPeers, n.Peers), n.LegacyPeers),
		BGPAdvertisements: replace(r.BGPAdvertisements, n.BGPAdvertisements),
		L2Advertisements:  replace(r.L2Advertisements, n.L2Advertisements),
		Communities:       replace(r.Communities, n.Communities),
		BFDProfiles:       replace(r.BFDProfiles, n.BFDProfiles),
		Secrets:           replace(r.Secrets, n.Secrets),
		Nodes:             replace(r.Nodes, n.Nodes),
		Namespaces:        replace(r.Namespaces, n.Namespaces),
	}
	out.Services = replace(cur.Services, next.Services)
	out.Slices = replace(cur.Slices, next.Slices)
	out.ConfigStates = replace(cur.ConfigStates, next.ConfigStates)
	return out
}

// replace returns cur with each item of next in place of the item of the same
// namespace and name, appending the new ones in next's order; cur is not modified.
func replace[T any, P named[T]](cur, next []T) []T {
	if len(next) == 0 {
		return cur
	}
	out := append([]T(nil), cur...)
	index := make(map[string]int, len(out))
	for i := range out {
		index[key[T, P](&out[i])] = i
	}
	for i := range next {
		k := key[T, P](&next[i])
		if j, ok := index[k]; ok {
			out[j] = next[i]
			continue
		}
		index[k] = len(out)
		out = append(out, next[i])
	}
	return out
}

// dropNamed returns items without those sharing a namespace and name with any of by.
func dropNamed[T any, P named[T], U any, Q named[U]](items []T, by []U) []T {
	if len(by) == 0 {
		return items
	}
	gone := make(map[string]bool, len(by))
	for i := range by {
		gone[key[U, Q](&by[i])] = true
	}
	var out []T
	for i := range items {
		if !gone[key[T, P](&items[i])] {
			out = append(out, items[i])
		}
	}
	return out
}

func key[T any, P named[T]](o *T) string {
	p := P(o)
	return p.GetNamespace() + "/" + p.GetName()
}

package model

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
)

// Namespace is where the lab's MetalLB objects live.
const Namespace = "metallb-system"

// Manifests are the Kubernetes objects a lab applies by default.
type Manifests struct {
	// Files are the topology's own manifests (paths as written), for the caller to load;
	// when set, Secrets, BFDProfiles, Peers, Pools and Advertisements are empty.
	Files []string
	// Nodes are always derived: one per k8s node, with the topology's labels.
	Nodes          []corev1.Node
	Secrets        []corev1.Secret
	BFDProfiles    []v1beta1.BFDProfile
	Peers          []v1beta2.BGPPeer
	Pools          []v1beta1.IPAddressPool
	Advertisements []v1beta1.BGPAdvertisement
}

// Objects returns every derived object in apply order (Nodes, Secrets, BFDProfiles,
// IPAddressPools, BGPPeers, BGPAdvertisements).
func (m Manifests) Objects() []runtime.Object {
	var out []runtime.Object
	for i := range m.Nodes {
		out = append(out, &m.Nodes[i])
	}
	for i := range m.Secrets {
		out = append(out, &m.Secrets[i])
	}
	for i := range m.BFDProfiles {
		out = append(out, &m.BFDProfiles[i])
	}
	for i := range m.Pools {
		out = append(out, &m.Pools[i])
	}
	for i := range m.Peers {
		out = append(out, &m.Peers[i])
	}
	for i := range m.Advertisements {
		out = append(out, &m.Advertisements[i])
	}
	return out
}

// Manifests returns the objects the lab applies: Nodes always, and unless the topology
// names its own manifests, the MetalLB objects its BGP intent implies.
func (l *Lab) Manifests() Manifests {
	return Manifests{Files: l.ManifestFiles}
}

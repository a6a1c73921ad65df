package config

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
)

// DefaultNamespace is where MetalLB, and so bgplb, expects its configuration objects.
const DefaultNamespace = "metallb-system"

// Resources is a snapshot of every object the configuration is built from. The
// controller and speaker fill it from informers; `bgplb lint` fills it from files.
type Resources struct {
	Pools             []v1beta1.IPAddressPool
	Peers             []v1beta2.BGPPeer
	LegacyPeers       []v1beta1.BGPPeer // deprecated v1beta1 form, converted with a warning
	BGPAdvertisements []v1beta1.BGPAdvertisement
	L2Advertisements  []v1beta1.L2Advertisement // accepted, reported as unsupported
	Communities       []v1beta1.Community
	BFDProfiles       []v1beta1.BFDProfile
	Secrets           []corev1.Secret
	Nodes             []corev1.Node
	Namespaces        []corev1.Namespace
}

// Options are the settings of the component doing the validation.
type Options struct {
	// Namespace is the product's namespace; objects elsewhere are ignored with a warning.
	// Empty means DefaultNamespace.
	Namespace string
}

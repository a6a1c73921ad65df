// Package v1beta1 holds MetalLB's metallb.io/v1beta1 API types, field for field, so that
// manifests written for MetalLB apply to bgplb unchanged. Our additions are status fields
// and the ConfigurationState kind, both of which MetalLB clients simply ignore.
//
// The package depends on apimachinery only (not controller-runtime) so that the pure
// configuration core can import it without pulling in a client.
//
// +kubebuilder:object:generate=true
// +groupName=metallb.io
package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupVersion is the group and version of every type in this package.
var GroupVersion = schema.GroupVersion{Group: "metallb.io", Version: "v1beta1"}

var (
	schemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)
	// AddToScheme adds the types of this package to a scheme.
	AddToScheme = schemeBuilder.AddToScheme
)

func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion,
		&IPAddressPool{}, &IPAddressPoolList{},
		&BGPPeer{}, &BGPPeerList{},
		&BGPAdvertisement{}, &BGPAdvertisementList{},
		&L2Advertisement{}, &L2AdvertisementList{},
		&Community{}, &CommunityList{},
		&BFDProfile{}, &BFDProfileList{},
		&ConfigurationState{}, &ConfigurationStateList{},
		&ServiceBGPStatus{}, &ServiceBGPStatusList{},
		&ServiceL2Status{}, &ServiceL2StatusList{},
	)
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}

package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// CommunitySpec defines named BGP community values.
type CommunitySpec struct {
	// Communities are the aliases this resource defines. As in MetalLB the list is
	// atomic and name is optional in the schema; a missing or duplicate name is a
	// configuration error (community-name-missing, community-alias-duplicate).
	// +optional
	Communities []CommunityAlias `json:"communities,omitempty"`
}

// CommunityAlias names a community value so advertisements can refer to it.
type CommunityAlias struct {
	// Name of the alias, used in BGPAdvertisement.spec.communities.
	// +optional
	Name string `json:"name,omitempty"`
	// Value is "A:B" (two 16-bit numbers) or "large:A:B:C" (three 32-bit numbers).
	// +optional
	Value string `json:"value,omitempty"`
}

// CommunityStatus is empty; it exists for MetalLB compatibility.
type CommunityStatus struct{}

// Community is a set of named BGP community values.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
type Community struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   CommunitySpec   `json:"spec,omitempty"`
	Status CommunityStatus `json:"status,omitempty"`
}

// CommunityList is a list of Community.
//
// +kubebuilder:object:root=true
type CommunityList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Community `json:"items"`
}

package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// L2AdvertisementSpec is MetalLB's layer 2 announcement. bgplb parses it so that a
// MetalLB configuration applies cleanly, and reports it as unsupported: bgplb announces
// over BGP only.
type L2AdvertisementSpec struct {
	// IPAddressPools names the pools this advertisement announces.
	// +optional
	IPAddressPools []string `json:"ipAddressPools,omitempty"`
	// IPAddressPoolSelectors select pools by label.
	// +optional
	IPAddressPoolSelectors []metav1.LabelSelector `json:"ipAddressPoolSelectors,omitempty"`
	// NodeSelectors limit the nodes that announce.
	// +optional
	NodeSelectors []metav1.LabelSelector `json:"nodeSelectors,omitempty"`
	// ServiceSelectors limit the advertisement to matching Services.
	// +optional
	ServiceSelectors []metav1.LabelSelector `json:"serviceSelectors,omitempty"`
	// PreferredNodeSelectors weight the nodes that should announce.
	// +optional
	PreferredNodeSelectors []PreferredNodeSelector `json:"preferredNodeSelectors,omitempty"`
	// Interfaces limit the interfaces announcements are made on.
	// +optional
	Interfaces []string `json:"interfaces,omitempty"`
}

// PreferredNodeSelector is a weighted node preference of an L2Advertisement.
type PreferredNodeSelector struct {
	// Weight added to a matching node's score.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	Weight int32 `json:"weight"`
	// Preference selects the nodes the weight applies to.
	Preference metav1.LabelSelector `json:"preference"`
}

// L2AdvertisementStatus is empty; it exists for MetalLB compatibility.
type L2AdvertisementStatus struct{}

// L2Advertisement is accepted for compatibility and reported as unsupported.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="IPAddressPools",type=string,JSONPath=`.spec.ipAddressPools`
// +kubebuilder:printcolumn:name="Interfaces",type=string,JSONPath=`.spec.interfaces`
type L2Advertisement struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   L2AdvertisementSpec   `json:"spec,omitempty"`
	Status L2AdvertisementStatus `json:"status,omitempty"`
}

// L2AdvertisementList is a list of L2Advertisement.
//
// +kubebuilder:object:root=true
type L2AdvertisementList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []L2Advertisement `json:"items"`
}

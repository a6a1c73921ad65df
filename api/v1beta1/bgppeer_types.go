package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// BGPPeerSpec is the deprecated v1beta1 form of a BGP peer. It is served so that old
// manifests still apply; objects are stored as v1beta2, whose schema is a superset
// with the same JSON for every field here, so no conversion webhook is needed.
type BGPPeerSpec struct {
	// MyASN is the AS number of the local end of the session. The bounds are those
	// of the uint32 it decodes into: a value the schema accepts always decodes.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=4294967295
	// +kubebuilder:validation:Format=int64
	MyASN uint32 `json:"myASN"`
	// ASN is the AS number expected from the remote end.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=4294967295
	// +kubebuilder:validation:Format=int64
	ASN uint32 `json:"peerASN"`
	// Address to dial when establishing the session.
	Address string `json:"peerAddress"`
	// SrcAddress is the source address of the session.
	// +optional
	SrcAddress string `json:"sourceAddress,omitempty"`
	// Port to dial.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=16384
	// +optional
	Port uint16 `json:"peerPort,omitempty"`
	// HoldTime is the requested BGP hold time.
	// +optional
	HoldTime metav1.Duration `json:"holdTime,omitempty"`
	// KeepaliveTime is the requested BGP keepalive time.
	// +optional
	KeepaliveTime metav1.Duration `json:"keepaliveTime,omitempty"`
	// RouterID to advertise to the peer.
	// +optional
	RouterID string `json:"routerID,omitempty"`
	// NodeSelectors: only nodes matching one of them peer.
	// +optional
	NodeSelectors []NodeSelector `json:"nodeSelectors,omitempty"`
	// Password for TCP MD5 authentication.
	// +optional
	Password string `json:"password,omitempty"`
	// BFDProfile names the BFD profile of the session.
	// +optional
	BFDProfile string `json:"bfdProfile,omitempty"`
	// EBGPMultiHop marks the peer as more than one hop away.
	// +optional
	EBGPMultiHop bool `json:"ebgpMultiHop,omitempty"`
}

// NodeSelector is v1beta1's label selector; its JSON matches metav1.LabelSelector.
type NodeSelector struct {
	// +optional
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
	// +optional
	MatchExpressions []MatchExpression `json:"matchExpressions,omitempty"`
}

// MatchExpression is one requirement of a NodeSelector.
type MatchExpression struct {
	Key string `json:"key"`
	// +kubebuilder:validation:Enum=In;NotIn;Exists;DoesNotExist
	Operator string `json:"operator"`
	// +optional
	Values []string `json:"values,omitempty"`
}

// BGPPeerStatus is empty in v1beta1; read status through v1beta2.
type BGPPeerStatus struct{}

// BGPPeer (v1beta1) is deprecated: use metallb.io/v1beta2.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:deprecatedversion:warning="metallb.io/v1beta1 BGPPeer is deprecated; use metallb.io/v1beta2"
// +kubebuilder:printcolumn:name="Address",type=string,JSONPath=`.spec.peerAddress`
// +kubebuilder:printcolumn:name="ASN",type=string,JSONPath=`.spec.peerASN`
// +kubebuilder:printcolumn:name="BFD Profile",type=string,JSONPath=`.spec.bfdProfile`
// +kubebuilder:printcolumn:name="Multi Hops",type=string,JSONPath=`.spec.ebgpMultiHop`
type BGPPeer struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   BGPPeerSpec   `json:"spec,omitempty"`
	Status BGPPeerStatus `json:"status,omitempty"`
}

// BGPPeerList is a list of BGPPeer.
//
// +kubebuilder:object:root=true
type BGPPeerList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []BGPPeer `json:"items"`
}

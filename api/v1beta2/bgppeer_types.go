package v1beta2

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DynamicASNMode lets the speaker accept the peer's AS number as long as it is on the
// expected side of the iBGP/eBGP line.
type DynamicASNMode string

// The dynamic ASN modes.
const (
	InternalASNMode DynamicASNMode = "internal"
	ExternalASNMode DynamicASNMode = "external"
)

// BGPPeerSpec describes a BGP session from the selected nodes to one router.
//
// +kubebuilder:validation:XValidation:rule="(has(self.peerASN) && self.peerASN != 0) != has(self.dynamicASN)",message="exactly one of peerASN or dynamicASN must be set"
// +kubebuilder:validation:XValidation:rule="has(self.peerAddress) != has(self.interface)",message="exactly one of peerAddress or interface must be set"
// +kubebuilder:validation:XValidation:rule="!(has(self.password) && has(self.passwordSecret) && has(self.passwordSecret.name))",message="password and passwordSecret are mutually exclusive: keep passwordSecret"
// +kubebuilder:validation:XValidation:rule="!(has(self.ebgpMultiHop) && self.ebgpMultiHop && ((has(self.peerASN) && self.peerASN == self.myASN) || (has(self.dynamicASN) && self.dynamicASN == 'internal')))",message="ebgpMultiHop applies to eBGP sessions only; remove it for an iBGP peer"
// +kubebuilder:validation:XValidation:rule="(has(self.enableGracefulRestart) && self.enableGracefulRestart) == (has(oldSelf.enableGracefulRestart) && oldSelf.enableGracefulRestart)",message="enableGracefulRestart cannot be changed after creation"
type BGPPeerSpec struct {
	// MyASN is the AS number of the local end of the session.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=4294967295
	// +kubebuilder:validation:Format=int64
	MyASN uint32 `json:"myASN"`

	// ASN is the AS number expected from the remote end. Exactly one of peerASN and
	// dynamicASN must be set.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=4294967295
	// +kubebuilder:validation:Format=int64
	// +optional
	ASN uint32 `json:"peerASN,omitempty"`

	// LocalASN is the AS number this speaker presents to the peer in place of myASN
	// (the "local-as" of router NOSes), for migrations between AS numbers. Unset when
	// absent; an explicit 0 is refused, as by MetalLB's CRD.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=4294967295
	// +kubebuilder:validation:Format=int64
	// +optional
	LocalASN uint32 `json:"localASN,omitempty"`

	// DynamicASN accepts whatever AS number the peer sends, as long as the session is
	// internal (same AS as myASN) or external (a different AS), as asked.
	// +kubebuilder:validation:Enum=internal;external
	// +optional
	DynamicASN DynamicASNMode `json:"dynamicASN,omitempty"`

	// Address to dial. Exactly one of peerAddress and interface must be set.
	// +optional
	Address string `json:"peerAddress,omitempty"`

	// Interface for unnumbered BGP peering over the node's interface of this name.
	// +optional
	Interface string `json:"interface,omitempty"`

	// SrcAddress is the node address the session is made from.
	// +optional
	SrcAddress string `json:"sourceAddress,omitempty"`

	// Port to dial.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=16384
	// +kubebuilder:default:=179
	Port uint16 `json:"peerPort,omitempty"`

	// HoldTime is the requested BGP hold time (RFC 4271): 0 or at least 3s.
	// +optional
	// +kubebuilder:validation:XValidation:rule="duration(self) == duration('0s') || duration(self) >= duration('3s')",message="holdTime must be 0 or at least 3s"
	HoldTime *metav1.Duration `json:"holdTime,omitempty"`

	// KeepaliveTime is the requested BGP keepalive interval; at most holdTime.
	// +optional
	KeepaliveTime *metav1.Duration `json:"keepaliveTime,omitempty"`

	// ConnectTime is how long to wait between connection attempts.
	// +kubebuilder:validation:XValidation:message="connect time should be between 1 seconds to 65535",rule="duration(self).getSeconds() >= 1 && duration(self).getSeconds() <= 65535"
	// +kubebuilder:validation:XValidation:message="connect time should contain a whole number of seconds",rule="duration(self).getMilliseconds() % 1000 == 0"
	// +optional
	ConnectTime *metav1.Duration `json:"connectTime,omitempty"`

	// RouterID to advertise to the peer; defaults to the node's address.
	// +optional
	RouterID string `json:"routerID,omitempty"`

	// NodeSelectors: only nodes matching one of them (OR) peer with this router.
	// +optional
	NodeSelectors []metav1.LabelSelector `json:"nodeSelectors,omitempty"`

	// Password for TCP MD5 authentication (RFC 2385), in clear text. Prefer passwordSecret.
	// +optional
	Password string `json:"password,omitempty"`

	// PasswordSecret names a Secret of type kubernetes.io/basic-auth, in the product's
	// namespace, whose key "password" holds the MD5 password.
	// +optional
	PasswordSecret corev1.SecretReference `json:"passwordSecret,omitempty"`

	// BFDProfile names the BFDProfile of a BFD session run beside the BGP session.
	// Unset: no BFD.
	// +optional
	BFDProfile string `json:"bfdProfile,omitempty"`

	// The immutability rule of enableGracefulRestart is on BGPPeerSpec: a field rule runs only
	// when the field is present in both the old and the new object, and a Go client
	// omits false (omitempty), so true -> false and false -> true would slip through.

	// EnableGracefulRestart keeps the routes at the peer while the speaker restarts
	// (RFC 4724). Immutable: changing it needs a new session.
	// +optional
	EnableGracefulRestart bool `json:"enableGracefulRestart,omitempty"`

	// EBGPMultiHop marks an eBGP peer that is more than one hop away.
	// +optional
	EBGPMultiHop bool `json:"ebgpMultiHop,omitempty"`

	// VRFName is the host VRF the session is made in.
	// +optional
	VRFName string `json:"vrf,omitempty"`

	// DisableMP is deprecated in favour of dualStackAddressFamily.
	// +optional
	// +kubebuilder:default:=false
	DisableMP bool `json:"disableMP,omitempty"`

	// DualStackAddressFamily carries both IPv4 and IPv6 prefixes over this one session.
	// +optional
	// +kubebuilder:default:=false
	DualStackAddressFamily bool `json:"dualStackAddressFamily,omitempty"`
}

// BGPPeerNodeStatus is the session to this peer as seen from one node.
type BGPPeerNodeStatus struct {
	// Node is the name of the node.
	Node string `json:"node"`
	// Session is the BGP FSM state: Idle, Connect, Active, OpenSent, OpenConfirm or Established.
	// +optional
	Session string `json:"session,omitempty"`
	// BFD is the BFD session state (Up, Down, Init, AdminDown), empty without a profile.
	// +optional
	BFD string `json:"bfd,omitempty"`
	// Since is when the session last changed state.
	// +optional
	Since *metav1.Time `json:"since,omitempty"`
	// AdvertisedPrefixes is the number of prefixes this node announces to the peer.
	// +optional
	AdvertisedPrefixes int32 `json:"advertisedPrefixes,omitempty"`
	// LastError is the most recent reason the session is not established, with a hint.
	// +optional
	LastError string `json:"lastError,omitempty"`
}

// BGPPeerStatus reports the session from every node that peers with this router
// (a bgplb addition: MetalLB leaves it empty).
type BGPPeerStatus struct {
	// Nodes holds one entry per node that runs this peer; each speaker owns its entry.
	// +optional
	// +listType=map
	// +listMapKey=node
	Nodes []BGPPeerNodeStatus `json:"nodes,omitempty"`
	// Established counts nodes whose session is Established.
	// +optional
	Established int32 `json:"established,omitempty"`
	// Selected counts nodes that run this peer (entries in nodes).
	// +optional
	Selected int32 `json:"selected,omitempty"`
	// Sessions is "established/selected", e.g. "3/3" (the Established column).
	// +optional
	Sessions string `json:"sessions,omitempty"`
}

// BGPPeer is a BGP session from the selected nodes to one router.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:name="Address",type=string,JSONPath=`.spec.peerAddress`
// +kubebuilder:printcolumn:name="ASN",type=string,JSONPath=`.spec.peerASN`
// +kubebuilder:printcolumn:name="BFD Profile",type=string,JSONPath=`.spec.bfdProfile`
// +kubebuilder:printcolumn:name="Multi Hops",type=string,JSONPath=`.spec.ebgpMultiHop`
// +kubebuilder:printcolumn:name="Established",type=string,JSONPath=`.status.sessions`,description="nodes whose session is Established / nodes that run this peer"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
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

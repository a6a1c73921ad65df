package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// IPAddressPoolSpec defines the addresses a pool hands out and to which Services.
type IPAddressPoolSpec struct {
	// Addresses is a list of CIDRs (192.0.2.0/24, 2001:db8::/64) or ranges
	// (192.0.2.10-192.0.2.20) that the pool hands out. IPv4 and IPv6 may be mixed.
	// An empty list is accepted by the API, as in MetalLB, and reported as the
	// configuration error pool-empty.
	Addresses []string `json:"addresses"`

	// AutoAssign makes the pool available for automatic assignment. When false, only
	// Services that ask for the pool or for one of its addresses get addresses from it.
	// +optional
	// +kubebuilder:default:=true
	AutoAssign *bool `json:"autoAssign,omitempty"`

	// AvoidBuggyIPs skips the .0 and .255 addresses of every /24 in the pool.
	// +optional
	// +kubebuilder:default:=false
	AvoidBuggyIPs bool `json:"avoidBuggyIPs,omitempty"`

	// AllocateTo restricts the pool to some namespaces or Services and gives it a
	// priority over other pools.
	// +optional
	AllocateTo *ServiceAllocation `json:"serviceAllocation,omitempty"`
}

// ServiceAllocation binds a pool to a set of namespaces and Services.
type ServiceAllocation struct {
	// Priority of this pool among pools a Service matches: a lower number is tried
	// first; 0 means no priority and is tried after every prioritised pool.
	// +optional
	Priority int `json:"priority,omitempty"`

	// Namespaces whose Services may take addresses from this pool.
	// +optional
	Namespaces []string `json:"namespaces,omitempty"`

	// NamespaceSelectors select namespaces by label, OR-ed with each other and with Namespaces.
	// +optional
	NamespaceSelectors []metav1.LabelSelector `json:"namespaceSelectors,omitempty"`

	// ServiceSelectors select Services by label; when set, only matching Services may use the pool.
	// +optional
	ServiceSelectors []metav1.LabelSelector `json:"serviceSelectors,omitempty"`
}

// IPAddressPoolStatus reports how much of the pool is in use.
type IPAddressPoolStatus struct {
	// AssignedIPv4 is the number of IPv4 addresses assigned to Services.
	// +optional
	AssignedIPv4 int64 `json:"assignedIPv4"`
	// AssignedIPv6 is the number of IPv6 addresses assigned to Services.
	// +optional
	AssignedIPv6 int64 `json:"assignedIPv6"`
	// AvailableIPv4 is the number of IPv4 addresses still free.
	// +optional
	AvailableIPv4 int64 `json:"availableIPv4"`
	// AvailableIPv6 is the number of IPv6 addresses still free (capped at 2^63-1).
	// +optional
	AvailableIPv6 int64 `json:"availableIPv6"`
}

// IPAddressPool is a set of addresses the controller assigns to LoadBalancer Services.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Auto Assign",type=boolean,JSONPath=`.spec.autoAssign`
// +kubebuilder:printcolumn:name="Avoid Buggy IPs",type=boolean,JSONPath=`.spec.avoidBuggyIPs`
// +kubebuilder:printcolumn:name="Addresses",type=string,JSONPath=`.spec.addresses`
// +kubebuilder:printcolumn:name="Assigned v4",type=integer,JSONPath=`.status.assignedIPv4`,priority=1
// +kubebuilder:printcolumn:name="Available v4",type=integer,JSONPath=`.status.availableIPv4`,priority=1
// +kubebuilder:printcolumn:name="Assigned v6",type=integer,JSONPath=`.status.assignedIPv6`,priority=1
// +kubebuilder:printcolumn:name="Available v6",type=integer,JSONPath=`.status.availableIPv6`,priority=1
type IPAddressPool struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   IPAddressPoolSpec   `json:"spec"`
	Status IPAddressPoolStatus `json:"status,omitempty"`
}

// IPAddressPoolList is a list of IPAddressPool.
//
// +kubebuilder:object:root=true
type IPAddressPoolList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []IPAddressPool `json:"items"`
}

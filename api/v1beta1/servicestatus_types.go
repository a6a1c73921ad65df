package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Labels of ServiceBGPStatus and ServiceL2Status objects, as MetalLB names them.
const (
	LabelNode             = "metallb.io/node"
	LabelServiceName      = "metallb.io/service-name"
	LabelServiceNamespace = "metallb.io/service-namespace"
)

// ServiceBGPStatusSpec is empty; the object is all status.
type ServiceBGPStatusSpec struct{}

// MetalLBServiceBGPStatus says to which BGPPeers one node announces one Service.
type MetalLBServiceBGPStatus struct {
	// Node is the announcing node.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable"
	Node string `json:"node,omitempty"`
	// ServiceName is the announced Service's name.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable"
	ServiceName string `json:"serviceName,omitempty"`
	// ServiceNamespace is the announced Service's namespace.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable"
	ServiceNamespace string `json:"serviceNamespace,omitempty"`
	// Peers are the names of the BGPPeers the Service's addresses are announced
	// to from this node, sorted.
	// +optional
	Peers []string `json:"peers,omitempty"`
}

// ServiceBGPStatus exposes the BGP peers a Service is announced to from one node.
// The speaker of that node owns it (it lives in the speaker's namespace, named
// bgp-<random>, labelled metallb.io/node, metallb.io/service-name and
// metallb.io/service-namespace) and deletes it when the Service is no longer
// announced from the node.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Node",type=string,JSONPath=`.status.node`
// +kubebuilder:printcolumn:name="Service Name",type=string,JSONPath=`.status.serviceName`
// +kubebuilder:printcolumn:name="Service Namespace",type=string,JSONPath=`.status.serviceNamespace`
type ServiceBGPStatus struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ServiceBGPStatusSpec    `json:"spec,omitempty"`
	Status MetalLBServiceBGPStatus `json:"status,omitempty"`
}

// ServiceBGPStatusList is a list of ServiceBGPStatus.
//
// +kubebuilder:object:root=true
type ServiceBGPStatusList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ServiceBGPStatus `json:"items"`
}

// ServiceL2StatusSpec is empty; the object is all status.
type ServiceL2StatusSpec struct{}

// InterfaceInfo names a network interface.
type InterfaceInfo struct {
	// +optional
	Name string `json:"name,omitempty"`
}

// MetalLBServiceL2Status is MetalLB's layer 2 announcement status.
type MetalLBServiceL2Status struct {
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable"
	Node string `json:"node,omitempty"`
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable"
	ServiceName string `json:"serviceName,omitempty"`
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable"
	ServiceNamespace string `json:"serviceNamespace,omitempty"`
	// Interfaces the Service is announced on.
	// +optional
	Interfaces []InterfaceInfo `json:"interfaces,omitempty"`
}

// ServiceL2Status is MetalLB's layer 2 status object. bgplb announces over BGP
// only, so nothing writes it; the CRD is served so that MetalLB tooling that lists
// it finds an empty list rather than an error.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Allocated Node",type=string,JSONPath=`.status.node`
// +kubebuilder:printcolumn:name="Service Name",type=string,JSONPath=`.status.serviceName`
// +kubebuilder:printcolumn:name="Service Namespace",type=string,JSONPath=`.status.serviceNamespace`
type ServiceL2Status struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ServiceL2StatusSpec    `json:"spec,omitempty"`
	Status MetalLBServiceL2Status `json:"status,omitempty"`
}

// ServiceL2StatusList is a list of ServiceL2Status.
//
// +kubebuilder:object:root=true
type ServiceL2StatusList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ServiceL2Status `json:"items"`
}

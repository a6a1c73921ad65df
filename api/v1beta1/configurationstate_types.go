package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ConfigurationStateResult is the outcome of validating the configuration.
// +kubebuilder:validation:Enum=Valid;Invalid;Unknown
type ConfigurationStateResult string

// The results a component reports.
const (
	ConfigurationStateValid   ConfigurationStateResult = "Valid"
	ConfigurationStateInvalid ConfigurationStateResult = "Invalid"
	ConfigurationStateUnknown ConfigurationStateResult = "Unknown"
)

// ConfigurationFinding is one error or warning about the configuration.
type ConfigurationFinding struct {
	// Severity is "error" or "warning".
	Severity string `json:"severity"`
	// Code is the stable identifier of the rule (e.g. "pool-overlap"), for filtering.
	// +optional
	Code string `json:"code,omitempty"`
	// Kind and Name identify the object the finding is about.
	Kind string `json:"kind"`
	Name string `json:"name,omitempty"`
	// Field is the path of the offending field, e.g. spec.addresses[1].
	// +optional
	Field string `json:"field,omitempty"`
	// Message says what is wrong.
	Message string `json:"message"`
	// Hint says how to fix it.
	// +optional
	Hint string `json:"hint,omitempty"`
}

// ConfigurationStateStatus is what a component thinks of the configuration it last saw.
type ConfigurationStateStatus struct {
	// Result is Valid, Invalid or Unknown.
	// +optional
	Result ConfigurationStateResult `json:"result,omitempty"`

	// LastError summarises the errors when Result is Invalid.
	// +optional
	LastError string `json:"lastError,omitempty"`

	// Findings lists every error and warning (a bgplb addition).
	// +optional
	Findings []ConfigurationFinding `json:"findings,omitempty"`

	// InForce tells which configuration is being used: when the latest is
	// invalid, the last valid one stays in force (a bgplb addition).
	// +optional
	InForce string `json:"inForce,omitempty"`

	// Conditions from the component's reconcilers.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// ConfigurationState reports how a component (controller or one node's speaker) judged
// the configuration. Labels: metallb.io/component-type and, for speakers, metallb.io/node-name.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Result",type=string,JSONPath=`.status.result`
// +kubebuilder:printcolumn:name="LastError",type=string,JSONPath=`.status.lastError`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ConfigurationState struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Status ConfigurationStateStatus `json:"status,omitempty"`
}

// ConfigurationStateList is a list of ConfigurationState.
//
// +kubebuilder:object:root=true
type ConfigurationStateList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ConfigurationState `json:"items"`
}

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

	// ErrorSummary lists the errors, one per line, when Result is Invalid
	// (MetalLB's field).
	// +optional
	ErrorSummary string `json:"errorSummary,omitempty"`

	// Findings lists every error and warning (a bgplb addition).
	// +optional
	Findings []ConfigurationFinding `json:"findings,omitempty"`

	// InForce tells which configuration is being used: when the latest is
	// invalid, the last valid one stays in force (a bgplb addition).
	// +optional
	InForce string `json:"inForce,omitempty"`

	// Conditions from the component's reconcilers, as MetalLB writes them: type
	// poolReconcilerValid (controller) or configReconcilerValid (speaker), status
	// True with reason Reconciled, or False with reason ConfigurationError and the
	// errors as message.
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
// +kubebuilder:printcolumn:name="ErrorSummary",type=string,JSONPath=`.status.errorSummary`
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

// Condition types and reasons MetalLB's reconcilers write on ConfigurationState.
const (
	ConditionPoolReconcilerValid   = "poolReconcilerValid"
	ConditionConfigReconcilerValid = "configReconcilerValid"
	ReasonReconciled               = "Reconciled"
	ReasonConfigurationError       = "ConfigurationError"
)

// ValidCondition is the condition a component's reconciler reports: True/Reconciled
// when the configuration is valid, else False/ConfigurationError with the errors.
// LastTransitionTime is left for the writer (StampConditions).
func ValidCondition(condType string, st ConfigurationStateStatus) metav1.Condition {
	if st.Result == ConfigurationStateInvalid {
		return metav1.Condition{Type: condType, Status: metav1.ConditionFalse, Reason: ReasonConfigurationError,
			Message: "configuration error: " + st.ErrorSummary}
	}
	return metav1.Condition{Type: condType, Status: metav1.ConditionTrue, Reason: ReasonReconciled}
}

// StampConditions sets each condition's LastTransitionTime: kept from old when the
// same type had the same status there, now otherwise. So writing an unchanged
// verdict again changes nothing.
func StampConditions(conds, old []metav1.Condition, now metav1.Time) {
	for i := range conds {
		conds[i].LastTransitionTime = now
		for _, o := range old {
			if o.Type == conds[i].Type && o.Status == conds[i].Status {
				conds[i].LastTransitionTime = o.LastTransitionTime
			}
		}
	}
}

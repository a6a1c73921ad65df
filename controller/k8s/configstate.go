package k8s

import (
	"context"
	"fmt"
	"strings"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/config"
)

// The ConfigurationState the controller writes, as MetalLB names and labels it.
const (
	ConfigStateName    = "controller"
	LabelComponentType = "metallb.io/component-type"
	ComponentType      = "controller"
	noConfigInForce    = "none: no valid configuration has been loaded yet"
)

// ConfigState renders what `kubectl get configurationstates` shows: Valid or Invalid,
// the errors in ErrorSummary (one per line), a MetalLB-style condition, every finding, and which configuration is in force
// (the last good one when the latest is invalid). It is pure and has no timestamps,
// so writing it again for the same input changes nothing.
// Free text goes through config.Redact with passwords: a finding about
// spec.password quotes it.
func ConfigState(fs config.Findings, inForce string, passwords []string) v1beta1.ConfigurationStateStatus {
	st := v1beta1.ConfigurationStateStatus{Result: v1beta1.ConfigurationStateValid, InForce: inForce}
	if inForce == "" {
		st.InForce = noConfigInForce
	}
	var errs []string
	for _, f := range fs {
		st.Findings = append(st.Findings, v1beta1.ConfigurationFinding{
			Severity: string(f.Severity), Code: f.Code, Kind: f.Kind, Name: f.Name, Field: f.Field,
			Message: config.Redact(f.Message, passwords), Hint: config.Redact(f.Hint, passwords),
		})
		if f.Severity == config.SeverityError {
			errs = append(errs, config.Redact(f.String(), passwords))
		}
	}
	if len(errs) > 0 {
		st.Result = v1beta1.ConfigurationStateInvalid
		st.ErrorSummary = strings.Join(errs, "\n")
		if inForce != "" {
			st.ErrorSummary += "\n(the last valid configuration stays in force)"
		}
	}
	st.Conditions = []metav1.Condition{v1beta1.ValidCondition(v1beta1.ConditionPoolReconcilerValid, st)}
	return st
}

// InForce names a configuration for ConfigurationState: its digest and what it holds.
func InForce(digest string, cfg *config.Config) string {
	return fmt.Sprintf("sha256:%s (%d pools, %d peers, %d advertisements)",
		digest, len(cfg.Pools), len(cfg.Peers), len(cfg.Advertisements))
}

// writeConfigState creates the ConfigurationState if needed and updates its status
// when it differs, so an unchanged verdict costs one read.
func writeConfigState(ctx context.Context, c client.Client, r client.Reader, ns string, want v1beta1.ConfigurationStateStatus) error {
	var cs v1beta1.ConfigurationState
	err := r.Get(ctx, types.NamespacedName{Namespace: ns, Name: ConfigStateName}, &cs)
	if apierrors.IsNotFound(err) {
		cs = v1beta1.ConfigurationState{ObjectMeta: metav1.ObjectMeta{
			Namespace: ns, Name: ConfigStateName,
			Labels: map[string]string{LabelComponentType: ComponentType},
		}}
		if err = c.Create(ctx, &cs); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create ConfigurationState %s/%s: %w", ns, ConfigStateName, err)
		}
		err = r.Get(ctx, types.NamespacedName{Namespace: ns, Name: ConfigStateName}, &cs)
	}
	if err != nil {
		return fmt.Errorf("get ConfigurationState %s/%s: %w", ns, ConfigStateName, err)
	}
	v1beta1.StampConditions(want.Conditions, cs.Status.Conditions, metav1.Now())
	if apiequality.Semantic.DeepEqual(cs.Status, want) {
		return nil
	}
	cs.Status = want
	if err := c.Status().Update(ctx, &cs); err != nil {
		return fmt.Errorf("update ConfigurationState %s/%s: %w", ns, ConfigStateName, err)
	}
	return nil
}

package k8s

import (
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/speaker/reconcile"
	"github.com/bgplb/bgplb/speaker/router"
)

// The names MetalLB gives what a speaker writes.
const (
	LabelComponentType = "metallb.io/component-type"
	LabelNodeName      = "metallb.io/node-name"
	ComponentSpeaker   = "speaker"
	// ReasonNodeAssigned is MetalLB's event reason when a node starts announcing a
	// Service.
	ReasonNodeAssigned = "nodeAssigned"
)

// FieldManager is the server-side-apply field manager of node's speaker: each
// speaker owns only its own status.nodes[] entry of every BGPPeer.
func FieldManager(node string) string { return "bgplb-speaker-" + node }

// ConfigStateName is the name of node's ConfigurationState.
func ConfigStateName(node string) string { return "speaker-" + node }

// hintNamesSecret is what status says when the config core found a Secret's name
// written in spec.password (MetalLB users often do).
const hintNamesSecret = "password names a Secret — did you mean passwordSecret?"

// PeerEntry renders this node's status.nodes[] entry for one peer from the
// reconcile report and the session the router reports (nil when unknown). It is
// pure; every free-text field goes through rep.Redact.
func PeerEntry(node string, pr reconcile.PeerReport, s *router.Session, fs config.Findings, rep reconcile.Report) v1beta2.BGPPeerNodeStatus {
	e := v1beta2.BGPPeerNodeStatus{Node: node, AdvertisedPrefixes: int32(pr.Applied)}
	var errs []string
	if s != nil {
		e.Session = string(s.State)
		if !s.Since.IsZero() {
			t := metav1.NewTime(s.Since.Truncate(time.Second))
			e.Since = &t
		}
		if s.State != router.Established && s.LastError != "" {
			errs = append(errs, s.LastError)
		}
	}
	if pr.Error != "" {
		errs = append(errs, pr.Error)
	}
	for _, f := range fs {
		if f.Kind == config.KindBGPPeer && f.Name == pr.Name && f.Code == "peer-password-names-secret" {
			errs = append(errs, hintNamesSecret)
		}
	}
	e.LastError = rep.Redact(strings.Join(errs, "; "))
	return e
}

// ConfigState renders this speaker's ConfigurationState status: Valid or Invalid,
// the errors in ErrorSummary (one per line), a MetalLB-style condition, every finding, and which configuration is in force.
func ConfigState(rep reconcile.Report) v1beta1.ConfigurationStateStatus {
	st := v1beta1.ConfigurationStateStatus{Result: v1beta1.ConfigurationStateValid}
	switch {
	case rep.Config == nil:
		st.InForce = "none: no valid configuration has been loaded yet"
	default:
		st.InForce = inForce(rep.Config)
	}
	var errs []string
	for _, f := range rep.Findings {
		st.Findings = append(st.Findings, v1beta1.ConfigurationFinding{
			Severity: string(f.Severity), Kind: f.Kind, Name: f.Name, Field: f.Field,
			Code: f.Code, Message: rep.Redact(f.Message), Hint: rep.Redact(f.Hint),
		})
		if f.Severity == config.SeverityError {
			errs = append(errs, rep.Redact(f.String()))
		}
	}
	if len(errs) > 0 {
		st.Result = v1beta1.ConfigurationStateInvalid
		st.ErrorSummary = strings.Join(errs, "\n")
		if rep.Config != nil {
			st.ErrorSummary += "\n(the last valid configuration stays in force)"
		}
	}
	st.Conditions = []metav1.Condition{v1beta1.ValidCondition(v1beta1.ConditionConfigReconcilerValid, st)}
	return st
}

func inForce(c *config.Config) string {
	var b strings.Builder
	b.WriteString("pools=")
	for i, p := range c.Pools {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(p.Name)
	}
	b.WriteString(" peers=")
	for i, p := range c.Peers {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(p.Name)
	}
	b.WriteString(" advertisements=")
	for i, a := range c.Advertisements {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(a.Name)
	}
	return b.String()
}

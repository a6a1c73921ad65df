package k8s

import (
	"fmt"
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/controller/allocator"
)

// This file holds the pure decisions of the Service reconciler: given what the
// Service shows and what the allocator answered, what status, annotation and events
// it should end up with. Keeping them apart from the apiserver calls lets table tests
// pin MetalLB's event reasons and prove that a second pass changes nothing.

// MetalLB's event reasons, which dashboards and runbooks already look for.
const (
	ReasonIPAllocated        = "IPAllocated"
	ReasonAllocationFailed   = "AllocationFailed"
	ReasonLoadBalancerFailed = "LoadBalancerFailed"
	ReasonClearAssignment    = "ClearAssignment"
	// ReasonDeprecatedAnnotation is ours: a metallb.universe.tf/ annotation was read.
	ReasonDeprecatedAnnotation = "DeprecatedAnnotation"
	// ReasonInvalidConfig is ours, on the object an error finding names.
	ReasonInvalidConfig = "InvalidConfiguration"
	// ReasonMissingReference is ours, on an object that names a pool, peer or BFD
	// profile that does not exist: the name is skipped (as by MetalLB) until it does.
	ReasonMissingReference = "MissingReference"
)

// Event is one Kubernetes event to record on the Service.
type Event struct {
	Type    string // corev1.EventTypeNormal or corev1.EventTypeWarning
	Reason  string
	Message string
}

// Plan is the end state of one reconcile of one Service.
type Plan struct {
	// IPs are the addresses for status.loadBalancer.ingress; nil clears it.
	IPs []netip.Addr
	// Pool is the value of metallb.io/ip-allocated-from-pool; "" removes it.
	Pool   string
	Events []Event
}

// Outcome is what the allocator said for a Service we manage.
type Outcome struct {
	// StatusIPs are the addresses the Service showed in its status.
	StatusIPs []netip.Addr
	// AssignErr is why re-taking StatusIPs failed (they no longer fit the config or
	// the Service's request); nil when they fit or there were none.
	AssignErr error
	// Result and Err are the allocator's final answer (Ensure).
	Result allocator.Result
	Err    error
	// LastErr is the failure message already reported for this Service, so a
	// Service stuck without addresses is not re-announced on every pass.
	LastErr string
	// Deprecated are the legacy-annotation warnings of the Service.
	Deprecated config.Findings
}

// Decide returns the plan for a Service we manage. A pass that finds the Service
// already showing what the allocator holds plans no event, which is what makes a
// second reconcile a no-op.
func Decide(key string, o Outcome) Plan {
	var p Plan
	if o.AssignErr != nil {
		p.Events = append(p.Events, Event{corev1.EventTypeWarning, ReasonClearAssignment,
			fmt.Sprintf("current IP %s no longer allowed, allocating again: %v", ipList(o.StatusIPs), o.AssignErr)})
	}
	if o.Result.ClearReason != nil {
		p.Events = append(p.Events, Event{corev1.EventTypeNormal, ReasonClearAssignment,
			fmt.Sprintf("released IP %s: %v", ipList(o.Result.Cleared), o.Result.ClearReason)})
	}
	if o.Err != nil {
		if msg := o.Err.Error(); msg != o.LastErr {
			p.Events = append(p.Events, Event{corev1.EventTypeWarning, allocator.EventReason(o.Err),
				fmt.Sprintf("Failed to allocate IP for %q: %s", key, msg)})
		}
		return p
	}
	p.IPs, p.Pool = o.Result.IPs, o.Result.Pool
	if slices.Equal(p.IPs, o.StatusIPs) {
		return p
	}
	p.Events = append(p.Events, Event{corev1.EventTypeNormal, ReasonIPAllocated,
		fmt.Sprintf("Assigned IP %s from pool %s", ipList(p.IPs), p.Pool)})
	for _, f := range o.Deprecated {
		p.Events = append(p.Events, Event{corev1.EventTypeWarning, ReasonDeprecatedAnnotation, f.Message + "; " + f.Hint})
	}
	return p
}

// DecideUnmanaged returns the plan for a Service that is not (or no longer) ours: not
// of type LoadBalancer, or of another load-balancer class. held says whether we hold
// addresses for it. A Service of another class keeps whatever its own controller
// wrote unless we held it; one that is not a LoadBalancer at all loses our status and
// annotation either way (nobody else could have put them there).
func DecideUnmanaged(svc *corev1.Service, held bool, why string) (Plan, bool) {
	isLB := svc.Spec.Type == corev1.ServiceTypeLoadBalancer
	_, annotated := svc.Annotations[config.AnnotationAllocatedFrom]
	hasStatus := len(svc.Status.LoadBalancer.Ingress) > 0
	if !held && (isLB || (!annotated && !hasStatus)) {
		return Plan{}, false
	}
	p := Plan{}
	if held {
		p.Events = append(p.Events, Event{corev1.EventTypeNormal, ReasonClearAssignment,
			fmt.Sprintf("released IP %s: %s", ipList(IngressIPs(svc)), why)})
	}
	return p, true
}

// NeedsStatus reports whether the Service's ingress differs from ips. Only the
// addresses are compared: the apiserver may default other fields (ipMode), and
// rewriting them would churn.
func NeedsStatus(svc *corev1.Service, ips []netip.Addr) bool {
	var have []netip.Addr
	for _, in := range svc.Status.LoadBalancer.Ingress {
		ip, err := netip.ParseAddr(in.IP)
		if err != nil || in.Hostname != "" {
			return true
		}
		have = append(have, ip.Unmap())
	}
	return !slices.Equal(have, ips)
}

// NeedsAnnotation reports whether metallb.io/ip-allocated-from-pool differs from pool
// ("" meaning absent).
func NeedsAnnotation(svc *corev1.Service, pool string) bool {
	v, ok := svc.Annotations[config.AnnotationAllocatedFrom]
	if pool == "" {
		return ok
	}
	return v != pool
}

// Ingress renders ips as status.loadBalancer.ingress entries.
func Ingress(ips []netip.Addr) []corev1.LoadBalancerIngress {
	if len(ips) == 0 {
		return nil
	}
	out := make([]corev1.LoadBalancerIngress, len(ips))
	for i, ip := range ips {
		out[i] = corev1.LoadBalancerIngress{IP: ip.String()}
	}
	return out
}

func ipList(ips []netip.Addr) string {
	s := make([]string, len(ips))
	for i, ip := range ips {
		s[i] = ip.String()
	}
	return fmt.Sprintf("%q", s)
}

package k8s

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

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
	// ReasonAdditionalAssignFailed: a PreferDualStack Service in a dual-stack
	// cluster got one family only.
	ReasonAdditionalAssignFailed = "AdditionalAssignFailed"
	// ReasonNotEnoughClusterIPs: a RequireDualStack Service has fewer than two
	// cluster IPs. MetalLB spells it with spaces.
	ReasonNotEnoughClusterIPs = "not enough clusterips"
	// ReasonNoLBIPsFamily: the addresses in the Service's status are no valid
	// family combination (two of one family).
	ReasonNoLBIPsFamily = "nolbIPsIPFamily"
	// ReasonNoClusterIPsFamily: the Service's cluster IPs give no family.
	ReasonNoClusterIPsFamily = "noclusterIPsIPFamily"
	// ReasonInternalError: the allocator answered something it never should.
	ReasonInternalError = "InternalError"
	// ReasonDeprecatedAnnotation: a metallb.universe.tf/ annotation was read
	// (MetalLB's lowerCamel spelling).
	ReasonDeprecatedAnnotation = "deprecatedAnnotation"
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
	// PreferDual is true for a PreferDualStack Service in a dual-stack cluster
	// (two families), which should get an address of each family.
	PreferDual bool
	// ClusterIPsErr says why the Service's cluster IPs give no family; it is
	// reported when the status addresses are cleared, as MetalLB does.
	ClusterIPsErr error
}

// reasonError is a failure of the Service itself with MetalLB's own event reason
// and message (Translate returns them).
type reasonError struct{ reason, msg string }

func (e *reasonError) Error() string { return e.msg }

// eventFor is the event for a failure: the reason a reasonError carries, else the
// allocator's (AllocationFailed or LoadBalancerFailed) with MetalLB's message.
func eventFor(key string, err error) Event {
	var re *reasonError
	if errors.As(err, &re) {
		return Event{corev1.EventTypeWarning, re.reason, re.msg}
	}
	reason := allocator.EventReason(err)
	if reason == ReasonLoadBalancerFailed {
		return Event{corev1.EventTypeWarning, reason, "invalid requested loadbalancer IPs: " + err.Error()}
	}
	return Event{corev1.EventTypeWarning, reason, fmt.Sprintf("Failed to allocate IP for %q: %s", key, err)}
}

// Decide returns the plan for a Service we manage. A pass that finds the Service
// already showing what the allocator holds plans no event, which is what makes a
// second reconcile a no-op.
func Decide(key string, o Outcome) Plan {
	var p Plan
	if o.AssignErr != nil {
		if !validFamilies(o.StatusIPs) {
			p.Events = append(p.Events, Event{corev1.EventTypeWarning, ReasonNoLBIPsFamily,
				fmt.Sprintf("Failed to retrieve LBIPs IPFamily for %s: %s", ipList(o.StatusIPs), "addresses are not one IPv4 and one IPv6")})
		}
		if o.ClusterIPsErr != nil {
			p.Events = append(p.Events, Event{corev1.EventTypeWarning, ReasonNoClusterIPsFamily,
				fmt.Sprintf("Failed to retrieve ClusterIPs IPFamily for %q: %s", key, o.ClusterIPsErr)})
		}
		p.Events = append(p.Events, Event{corev1.EventTypeNormal, ReasonClearAssignment,
			fmt.Sprintf("current IP for %q not allowed by config, will attempt for new IP assignment: %s", key, o.AssignErr)})
	}
	if o.Result.ClearReason != nil {
		p.Events = append(p.Events, Event{corev1.EventTypeNormal, ReasonClearAssignment,
			fmt.Sprintf("released IP %s: %v", ipList(o.Result.Cleared), o.Result.ClearReason)})
	}
	if o.Err != nil {
		if msg := o.Err.Error(); msg != o.LastErr {
			p.Events = append(p.Events, eventFor(key, o.Err))
		}
		return p
	}
	switch {
	case len(o.Result.IPs) == 0:
		p.Events = append(p.Events, Event{corev1.EventTypeWarning, ReasonInternalError, "didn't allocate an IP but also did not fail"})
		return p
	case o.Result.Pool == "":
		p.Events = append(p.Events, Event{corev1.EventTypeWarning, ReasonInternalError, "allocated an IP that has no pool"})
		return p
	}
	p.IPs, p.Pool = o.Result.IPs, o.Result.Pool
	if slices.Equal(p.IPs, o.StatusIPs) {
		return p
	}
	if o.PreferDual && len(p.IPs) == 1 {
		other := "IPv6"
		if p.IPs[0].Is6() {
			other = "IPv4"
		}
		p.Events = append(p.Events, Event{corev1.EventTypeNormal, ReasonAdditionalAssignFailed,
			fmt.Sprintf("cannot assign additional IP in PreferDualStack: no available %s address in pool %s", other, p.Pool)})
	}
	// MetalLB's message is "Assigned IP %q" over the address list; we add the pool.
	p.Events = append(p.Events, Event{corev1.EventTypeNormal, ReasonIPAllocated,
		fmt.Sprintf("Assigned IP %s from pool %s", ipList(p.IPs), p.Pool)})
	for _, f := range o.Deprecated {
		p.Events = append(p.Events, Event{corev1.EventTypeWarning, ReasonDeprecatedAnnotation,
			fmt.Sprintf("Service uses deprecated annotation %s: %s", annotationOf(f), f.Hint)})
	}
	return p
}

// validFamilies: no addresses, one, or one of each family.
func validFamilies(ips []netip.Addr) bool {
	switch len(ips) {
	case 0, 1:
		return true
	case 2:
		return ips[0].Is4() != ips[1].Is4()
	}
	return false
}

// annotationOf is the annotation a deprecation finding is about (its field is
// metadata.annotations[KEY]).
func annotationOf(f config.Finding) string {
	k := strings.TrimSuffix(strings.TrimPrefix(f.Field, "metadata.annotations["), "]")
	if k == f.Field || k == "" {
		return f.Message
	}
	return k
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

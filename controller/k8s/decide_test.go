package k8s_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/controller/allocator"
	"github.com/bgplb/bgplb/controller/k8s"
)

func reasons(p k8s.Plan) string {
	var out []string
	for _, e := range p.Events {
		out = append(out, e.Type+"/"+e.Reason)
	}
	return strings.Join(out, ",")
}

func TestDecide(t *testing.T) {
	a1, a2 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	got := func(ips ...netip.Addr) allocator.Result {
		return allocator.Result{Allocation: allocator.Allocation{Pool: "p", IPs: ips}}
	}
	noIPs := &allocator.Error{Kind: allocator.ErrNoAvailableIPs, Msg: "no available IPs in pool p"}
	invalid := &allocator.Error{Kind: allocator.ErrInvalidRequest, Msg: "bad annotation"}
	deprecated := config.Findings{{Severity: config.SeverityWarning, Code: "annotation-deprecated", Field: "metadata.annotations[metallb.universe.tf/address-pool]",
		Message: "annotation metallb.universe.tf/address-pool is deprecated", Hint: "rename it"}}
	a6 := netip.MustParseAddr("2001:db8::1")
	_, _, notEnough := k8s.Translate(svc(func(s *corev1.Service) {
		require := corev1.IPFamilyPolicyRequireDualStack
		s.Spec.IPFamilyPolicy = &require
		s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv4Protocol, corev1.IPv6Protocol}
		s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.0.0.1", []string{"10.0.0.1"}
	}), nil)
	if notEnough == nil {
		t.Fatal("RequireDualStack with one cluster IP translated")
	}
	cases := []struct {
		name    string
		o       k8s.Outcome
		reasons string
		ips     []netip.Addr
		pool    string
	}{
		{"new allocation", k8s.Outcome{Result: got(a1)}, "Normal/IPAllocated", []netip.Addr{a1}, "p"},
		{"second pass: nothing to say", k8s.Outcome{StatusIPs: []netip.Addr{a1}, Result: got(a1)}, "", []netip.Addr{a1}, "p"},
		{"second pass, deprecated annotation: said once already", k8s.Outcome{StatusIPs: []netip.Addr{a1}, Result: got(a1), Deprecated: deprecated}, "", []netip.Addr{a1}, "p"},
		{"allocation with deprecated annotation", k8s.Outcome{Result: got(a1), Deprecated: deprecated}, "Normal/IPAllocated,Warning/deprecatedAnnotation", []netip.Addr{a1}, "p"},
		{"status IP no longer allowed", k8s.Outcome{StatusIPs: []netip.Addr{a1}, AssignErr: errors.New("not in any pool"), Result: got(a2)},
			"Normal/ClearAssignment,Normal/IPAllocated", []netip.Addr{a2}, "p"},
		{"status IPs of one family, cluster IPs garbage", k8s.Outcome{StatusIPs: []netip.Addr{a1, a2}, AssignErr: errors.New("two IPv4"),
			ClusterIPsErr: errors.New("junk"), Result: got(a2)},
			"Warning/nolbIPsIPFamily,Warning/noclusterIPsIPFamily,Normal/ClearAssignment,Normal/IPAllocated", []netip.Addr{a2}, "p"},
		{"prefer dual, one family only", k8s.Outcome{PreferDual: true, Result: got(a6)}, "Normal/AdditionalAssignFailed,Normal/IPAllocated", []netip.Addr{a6}, "p"},
		{"prefer dual, both", k8s.Outcome{PreferDual: true, Result: got(a1, a6)}, "Normal/IPAllocated", []netip.Addr{a1, a6}, "p"},
		{"require dual without dual cluster IPs", k8s.Outcome{Err: notEnough}, "Warning/not enough clusterips", nil, ""},
		{"no IPs and no error", k8s.Outcome{Result: allocator.Result{}}, "Warning/InternalError", nil, ""},
		{"IPs without a pool", k8s.Outcome{Result: allocator.Result{Allocation: allocator.Allocation{IPs: []netip.Addr{a1}}}}, "Warning/InternalError", nil, ""},
		{"request changed", k8s.Outcome{StatusIPs: []netip.Addr{a1}, Result: allocator.Result{Allocation: allocator.Allocation{Pool: "p", IPs: []netip.Addr{a2}},
			Cleared: []netip.Addr{a1}, ClearReason: errors.New("requests pool q")}}, "Normal/ClearAssignment,Normal/IPAllocated", []netip.Addr{a2}, "p"},
		{"allocation failed", k8s.Outcome{Err: noIPs}, "Warning/AllocationFailed", nil, ""},
		{"allocation failed again, same error", k8s.Outcome{Err: noIPs, LastErr: noIPs.Error()}, "", nil, ""},
		{"status IP lost and nothing free", k8s.Outcome{StatusIPs: []netip.Addr{a1}, AssignErr: errors.New("gone"), Err: noIPs},
			"Normal/ClearAssignment,Warning/AllocationFailed", nil, ""},
		{"malformed service", k8s.Outcome{Err: invalid}, "Warning/LoadBalancerFailed", nil, ""},
	}
	dep := k8s.Decide("ns/web", k8s.Outcome{Result: got(a1), Deprecated: deprecated}).Events[1].Message
	if !strings.HasPrefix(dep, "Service uses deprecated annotation metallb.universe.tf/address-pool") {
		t.Errorf("deprecatedAnnotation message %q", dep)
	}
	if m := k8s.Decide("ns/web", k8s.Outcome{Err: notEnough}).Events[0].Message; m != "Service requires dual stack but not enough clusterips [10.0.0.1]" {
		t.Errorf("not enough clusterips message %q", m)
	}
	for _, c := range cases {
		p := k8s.Decide("ns/web", c.o)
		if r := reasons(p); r != c.reasons {
			t.Errorf("%s: events %q, want %q", c.name, r, c.reasons)
		}
		if len(p.IPs) != len(c.ips) || (len(c.ips) > 0 && p.IPs[0] != c.ips[0]) || p.Pool != c.pool {
			t.Errorf("%s: plan %v/%q, want %v/%q", c.name, p.IPs, p.Pool, c.ips, c.pool)
		}
	}
}

func TestDecideUnmanaged(t *testing.T) {
	withStatus := func(s *corev1.Service) {
		s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "192.0.2.1"}}
		s.Annotations[config.AnnotationAllocatedFrom] = "p"
	}
	clusterIP := func(s *corev1.Service) { s.Spec.Type = corev1.ServiceTypeClusterIP }
	cases := []struct {
		name    string
		svc     *corev1.Service
		held    bool
		act     bool
		reasons string
	}{
		{"other class, ours before", svc(withStatus), true, true, "Normal/ClearAssignment"},
		{"other class, never ours: hands off", svc(withStatus), false, false, ""},
		{"ClusterIP, ours before", svc(withStatus, clusterIP), true, true, "Normal/ClearAssignment"},
		{"ClusterIP with leftovers after a restart", svc(withStatus, clusterIP), false, true, ""},
		{"plain ClusterIP", svc(clusterIP), false, false, ""},
	}
	for _, c := range cases {
		p, act := k8s.DecideUnmanaged(c.svc, c.held, "why")
		if act != c.act || reasons(p) != c.reasons {
			t.Errorf("%s: act %v events %q, want %v %q", c.name, act, reasons(p), c.act, c.reasons)
		}
		if act && (len(p.IPs) != 0 || p.Pool != "") {
			t.Errorf("%s: plan keeps %v/%q", c.name, p.IPs, p.Pool)
		}
	}
}

func TestNeedsStatusAndAnnotation(t *testing.T) {
	a := netip.MustParseAddr("192.0.2.1")
	vip := corev1.LoadBalancerIPModeVIP
	s := svc(func(s *corev1.Service) {
		// The apiserver defaults ipMode; that alone must not cause a rewrite.
		s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "192.0.2.1", IPMode: &vip}}
		s.Annotations[config.AnnotationAllocatedFrom] = "p"
	})
	if k8s.NeedsStatus(s, []netip.Addr{a}) {
		t.Error("same IP with ipMode: rewrite")
	}
	if !k8s.NeedsStatus(s, nil) || !k8s.NeedsStatus(s, []netip.Addr{netip.MustParseAddr("192.0.2.2")}) {
		t.Error("different IPs: no rewrite")
	}
	if k8s.NeedsAnnotation(s, "p") || !k8s.NeedsAnnotation(s, "q") || !k8s.NeedsAnnotation(s, "") {
		t.Error("annotation decisions wrong")
	}
	if k8s.NeedsAnnotation(svc(), "") || !k8s.NeedsAnnotation(svc(), "p") {
		t.Error("annotation decisions on a bare service wrong")
	}
}

func TestConfigState(t *testing.T) {
	warn := config.Finding{Severity: config.SeverityWarning, Code: "w", Kind: "BGPPeer", Name: "x", Message: "m"}
	bad := config.Finding{Severity: config.SeverityError, Code: "pool-overlap", Kind: "IPAddressPool", Name: "b", Field: "spec.addresses[0]", Message: "overlaps", Hint: "fix"}
	ok := k8s.ConfigState(config.Findings{warn}, "sha256:1", nil)
	if ok.Result != "Valid" || ok.ErrorSummary != "" || len(ok.Findings) != 1 || ok.InForce != "sha256:1" {
		t.Errorf("valid: %+v", ok)
	}
	inv := k8s.ConfigState(config.Findings{bad, warn}, "sha256:1", nil)
	if inv.Result != "Invalid" || !strings.Contains(inv.ErrorSummary, "IPAddressPool/b spec.addresses[0]: overlaps") ||
		!strings.Contains(inv.ErrorSummary, "stays in force") || len(inv.Findings) != 2 || inv.Findings[0].Code != "pool-overlap" || inv.Findings[0].Message != "overlaps" {
		t.Errorf("invalid: %+v", inv)
	}
	first := k8s.ConfigState(config.Findings{bad}, "", nil)
	if !strings.HasPrefix(first.InForce, "none") || strings.Contains(first.ErrorSummary, "stays in force") {
		t.Errorf("invalid at start: %+v", first)
	}
}

// A finding about spec.password quotes it; ConfigurationState must not.
func TestConfigStateRedacts(t *testing.T) {
	f := config.Finding{Severity: config.SeverityError, Code: "peer-password-names-secret", Kind: "BGPPeer", Name: "r1",
		Field: "spec.password", Message: `password "s3cret-key" is the name of a Secret`, Hint: "replace password: s3cret-key"}
	st := k8s.ConfigState(config.Findings{f}, "", []string{"s3cret-key"})
	for _, s := range []string{st.ErrorSummary, st.Findings[0].Message, st.Findings[0].Hint} {
		if strings.Contains(s, "s3cret-key") || !strings.Contains(s, "[redacted]") {
			t.Errorf("not redacted: %q", s)
		}
	}
}

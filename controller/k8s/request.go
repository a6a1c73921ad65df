package k8s

import (
	"fmt"
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/controller/allocator"
)

// This file holds the pure half of the Service reconciler: which Services are ours
// and how one becomes an allocator.Request. Nothing here talks to the apiserver, so
// every annotation rule is covered by table tests.

// Manages reports whether the controller started with --lb-class=lbClass owns svc's
// load-balancer IPs. As in MetalLB: without a class we take the Services that name no
// class; with one, exactly the Services that name it.
func Manages(svc *corev1.Service, lbClass string) bool {
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return false
	}
	if svc.Spec.LoadBalancerClass == nil {
		return lbClass == ""
	}
	return *svc.Spec.LoadBalancerClass == lbClass
}

// Key is the allocator key of a Service: "namespace/name".
func Key(svc *corev1.Service) string { return svc.Namespace + "/" + svc.Name }

// Translate turns a Service we manage into an allocator request. nsLabels are the
// labels of the Service's Namespace (for serviceAllocation namespaceSelectors). The
// findings are the deprecation warnings of legacy metallb.universe.tf/ annotations,
// for an event; err means the Service itself is malformed (MetalLB's
// LoadBalancerFailed): both a requested-IPs annotation and spec.loadBalancerIP, an
// unparseable address, an unknown family or policy.
func Translate(svc *corev1.Service, nsLabels map[string]string) (allocator.Request, config.Findings, error) {
	req := allocator.Request{
		Key:             Key(svc),
		Namespace:       svc.Namespace,
		NamespaceLabels: nsLabels,
		ServiceLabels:   svc.Labels,
	}
	var err error
	if req.Family, req.Policy, err = families(svc); err != nil {
		return allocator.Request{}, nil, fmt.Errorf("service %s: %w", req.Key, err)
	}
	// MetalLB refuses a RequireDualStack Service whose cluster IPs are not dual
	// stack. An object the apiserver has not defaulted yet has none at all.
	if p := svc.Spec.IPFamilyPolicy; p != nil && *p == corev1.IPFamilyPolicyRequireDualStack &&
		svc.Spec.ClusterIP != "" && len(svc.Spec.ClusterIPs) < 2 {
		return allocator.Request{}, nil, &reasonError{ReasonNotEnoughClusterIPs,
			fmt.Sprintf("Service requires dual stack but not enough clusterips %v", svc.Spec.ClusterIPs)}
	}
	annotated, _ := config.ServiceAnnotation(svc, config.AnnotationLoadBalancerIPs)
	if req.RequestedIPs, err = allocator.ParseRequestedIPs(annotated, svc.Spec.LoadBalancerIP); err != nil {
		return allocator.Request{}, nil, fmt.Errorf("service %s: %w", req.Key, err)
	}
	req.RequestedPool, _ = config.ServiceAnnotation(svc, config.AnnotationAddressPool)
	req.SharingKey, _ = config.ServiceAnnotation(svc, config.AnnotationAllowSharedIP)
	for _, p := range svc.Spec.Ports {
		proto := p.Protocol
		if proto == "" {
			proto = corev1.ProtocolTCP // the apiserver's default, for objects not yet defaulted
		}
		req.Ports = append(req.Ports, allocator.Port{Proto: string(proto), Port: p.Port})
	}
	local := svc.Spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal
	req.Backends = allocator.BackendKey(local, svc.Spec.Selector)
	return req, config.ServiceFindings(svc), nil
}

// families reads spec.ipFamilies and spec.ipFamilyPolicy as the apiserver filled
// them in. One family listed is single stack whatever the policy says (MetalLB aligns
// LB IPs with the cluster IPs: PreferDualStack in a single-stack cluster gets one);
// two families keep the policy. A Service the apiserver has not defaulted yet (no
// families) is read from its cluster IPs, and failing that taken as IPv4.
func families(svc *corev1.Service) (allocator.Family, allocator.FamilyPolicy, error) {
	fams := make([]string, 0, 2)
	for _, f := range svc.Spec.IPFamilies {
		fams = append(fams, string(f))
	}
	if len(fams) == 0 {
		for _, ip := range clusterIPs(svc) {
			if ip.Is4() {
				fams = append(fams, "IPv4")
			} else {
				fams = append(fams, "IPv6")
			}
		}
	}
	if len(fams) == 0 {
		fams = []string{"IPv4"}
	}
	primary, err := allocator.FamilyFromString(fams[0])
	if err != nil {
		return 0, 0, err
	}
	if len(fams) == 1 {
		return primary, allocator.SingleStack, nil
	}
	policy := ""
	if svc.Spec.IPFamilyPolicy != nil {
		policy = string(*svc.Spec.IPFamilyPolicy)
	}
	p, err := allocator.PolicyFromString(policy)
	if err != nil {
		return 0, 0, err
	}
	if p == allocator.SingleStack {
		// Two families but no policy: only an undefaulted object looks like this.
		p = allocator.PreferDualStack
	}
	return primary, p, nil
}

// ClusterIPsErr says why svc's cluster IPs give no IP family (headless, not an
// address, two of one family); nil when they give one.
func ClusterIPsErr(svc *corev1.Service) error {
	raw := svc.Spec.ClusterIPs
	if len(raw) == 0 && svc.Spec.ClusterIP != "" {
		raw = []string{svc.Spec.ClusterIP}
	}
	var ips []netip.Addr
	for _, s := range raw {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return fmt.Errorf("cluster IP %q is not an IP address", s)
		}
		ips = append(ips, ip.Unmap())
	}
	if len(ips) > 2 || (len(ips) == 2 && ips[0].Is4() == ips[1].Is4()) {
		return fmt.Errorf("cluster IPs %v are not one IPv4 and one IPv6 address", raw)
	}
	return nil
}

func clusterIPs(svc *corev1.Service) []netip.Addr {
	raw := svc.Spec.ClusterIPs
	if len(raw) == 0 && svc.Spec.ClusterIP != "" {
		raw = []string{svc.Spec.ClusterIP}
	}
	var out []netip.Addr
	for _, s := range raw {
		if ip, err := netip.ParseAddr(s); err == nil {
			out = append(out, ip.Unmap())
		}
	}
	return out
}

// IngressIPs returns the addresses in status.loadBalancer.ingress, in order,
// skipping hostname entries and garbage (a malformed status is treated as none).
func IngressIPs(svc *corev1.Service) []netip.Addr {
	var out []netip.Addr
	for _, in := range svc.Status.LoadBalancer.Ingress {
		if ip, err := netip.ParseAddr(in.IP); err == nil && !slices.Contains(out, ip.Unmap()) {
			out = append(out, ip.Unmap())
		}
	}
	return out
}

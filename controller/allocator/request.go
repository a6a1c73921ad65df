package allocator

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
)

// Family is an IP family. The zero value is IPv4, the family MetalLB puts first.
type Family int

// The two IP families.
const (
	IPv4 Family = iota
	IPv6
)

func (f Family) String() string {
	if f == IPv6 {
		return "IPv6"
	}
	return "IPv4"
}

func (f Family) other() Family { return 1 - f }

func familyOf(a netip.Addr) Family {
	if a.Is4() {
		return IPv4
	}
	return IPv6
}

// FamilyPolicy is the Service's ipFamilyPolicy as it applies to load-balancer IPs.
type FamilyPolicy int

// The policies, as Kubernetes names them.
const (
	SingleStack FamilyPolicy = iota
	PreferDualStack
	RequireDualStack
)

func (p FamilyPolicy) String() string {
	return [...]string{"SingleStack", "PreferDualStack", "RequireDualStack"}[p]
}

// Port is one protocol+port pair a Service listens on.
type Port struct {
	Proto string // "TCP", "UDP", "SCTP"
	Port  int32
}

func (p Port) String() string { return fmt.Sprintf("%s/%d", p.Proto, p.Port) }

// Request is everything the allocator needs to know about one Service. See the
// package documentation for how the controller fills each field.
type Request struct {
	// Key identifies the Service: "namespace/name".
	Key string
	// Namespace, NamespaceLabels and ServiceLabels are matched against a pool's
	// serviceAllocation.
	Namespace       string
	NamespaceLabels labels.Set
	ServiceLabels   labels.Set
	// Family is the primary family (spec.ipFamilies[0]); with a dual-stack policy
	// its address comes first in the result.
	Family Family
	Policy FamilyPolicy
	// RequestedIPs are the exact addresses asked for (one, or one per family).
	// They are honoured in autoAssign=false pools too, but serviceAllocation and
	// sharing still apply.
	RequestedIPs []netip.Addr
	// RequestedPool is the pool asked for by name; "" lets the allocator choose.
	RequestedPool string
	// SharingKey is the allow-shared-ip value; "" means the Service shares no IP.
	SharingKey string
	// Ports are the Service's ports, for the no-clash rule of sharing.
	Ports []Port
	// Backends is the backend identity (BackendKey); sharers must have equal ones.
	Backends string
}

// validate checks the request on its own, before any pool is looked at.
func (r *Request) validate() error {
	if r.Key == "" {
		return errorf(ErrInvalidRequest, "request has no key")
	}
	if r.Policy < SingleStack || r.Policy > RequireDualStack || r.Family < IPv4 || r.Family > IPv6 {
		return errorf(ErrInvalidRequest, "%s: unknown family %d or policy %d", r.Key, r.Family, r.Policy)
	}
	for _, ip := range r.RequestedIPs {
		if !ip.IsValid() || ip.Zone() != "" || ip.Is4In6() {
			return errorf(ErrInvalidRequest, "%s: requested IP %q is not a plain IPv4 or IPv6 address", r.Key, ip)
		}
	}
	if len(r.RequestedIPs) > 0 {
		return r.familiesFit(r.RequestedIPs)
	}
	return nil
}

// familiesFit reports whether ips have the families the request's policy asks for:
// SingleStack one address of Family, RequireDualStack one of each, PreferDualStack
// either (a pool may have had only one family).
func (r *Request) familiesFit(ips []netip.Addr) error {
	if len(ips) == 0 || len(ips) > 2 || (len(ips) == 2 && familyOf(ips[0]) == familyOf(ips[1])) {
		return errorf(ErrFamily, "%s: %v is not one address, or one IPv4 and one IPv6 address", r.Key, ips)
	}
	switch {
	case r.Policy == SingleStack && (len(ips) != 1 || familyOf(ips[0]) != r.Family):
		return errorf(ErrFamily, "%s: %v does not fit a single-stack %s service", r.Key, ips, r.Family)
	case r.Policy == RequireDualStack && len(ips) != 2:
		return errorf(ErrFamily, "%s: %v does not fit a RequireDualStack service, which needs one IPv4 and one IPv6 address", r.Key, ips)
	}
	return nil
}

// ordered returns ips with the request's primary family first.
func (r *Request) ordered(ips []netip.Addr) []netip.Addr {
	out := slices.Clone(ips)
	slices.SortFunc(out, func(a, b netip.Addr) int {
		return cmp.Compare(b2i(familyOf(a) != r.Family), b2i(familyOf(b) != r.Family))
	})
	return out
}

// ParseRequestedIPs parses the Service's requested addresses: the
// metallb.io/loadBalancerIPs annotation value (comma separated) or
// spec.loadBalancerIP. Setting both is an error, as in MetalLB.
func ParseRequestedIPs(annotation, specLoadBalancerIP string) ([]netip.Addr, error) {
	annotation, specLoadBalancerIP = strings.TrimSpace(annotation), strings.TrimSpace(specLoadBalancerIP)
	if annotation != "" && specLoadBalancerIP != "" {
		return nil, errorf(ErrInvalidRequest, "service can not have both metallb.io/loadBalancerIPs and spec.loadBalancerIP")
	}
	text, field := annotation, "metallb.io/loadBalancerIPs"
	if text == "" {
		text, field = specLoadBalancerIP, "spec.loadBalancerIP"
	}
	if text == "" {
		return nil, nil
	}
	var out []netip.Addr
	for _, s := range strings.Split(text, ",") {
		ip, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil || ip.Zone() != "" {
			return nil, errorf(ErrInvalidRequest, "invalid %s %q: %q is not an IP address", field, text, s)
		}
		out = append(out, ip.Unmap())
	}
	return out, nil
}

// BackendKey is MetalLB's backend identity for sharing: the canonical selector of an
// externalTrafficPolicy=Local Service (its traffic must reach the same pods), and ""
// for Cluster Services, which may share whatever their backends.
func BackendKey(trafficPolicyLocal bool, selector map[string]string) string {
	if !trafficPolicyLocal {
		return ""
	}
	return "local:" + labels.Set(selector).String()
}

// FamilyFromString maps a Kubernetes IPFamily ("IPv4", "IPv6").
func FamilyFromString(s string) (Family, error) {
	switch s {
	case "IPv4":
		return IPv4, nil
	case "IPv6":
		return IPv6, nil
	}
	return 0, errorf(ErrInvalidRequest, "unknown IP family %q", s)
}

// PolicyFromString maps a Kubernetes IPFamilyPolicy; "" is SingleStack.
func PolicyFromString(s string) (FamilyPolicy, error) {
	switch s {
	case "", "SingleStack":
		return SingleStack, nil
	case "PreferDualStack":
		return PreferDualStack, nil
	case "RequireDualStack":
		return RequireDualStack, nil
	}
	return 0, errorf(ErrInvalidRequest, "unknown IP family policy %q", s)
}

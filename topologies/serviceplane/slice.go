package serviceplane

import (
	"net/netip"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ManagedBy is the endpointslice.kubernetes.io/managed-by value of the slices
// the service plane writes; it finds its own slices (and only those) by it.
const ManagedBy = "serviceplane.lab.bgplb.io"

// EndpointSlices builds the slices of one Service: one per IP family of the
// Service, each with one endpoint per backend node that has an address of that
// family. A Service without ready backends still gets its (empty or not-ready)
// slices, which is what the EndpointSlice controller writes too.
func EndpointSlices(svc *corev1.Service, backends []backend) []*discoveryv1.EndpointSlice {
	var out []*discoveryv1.EndpointSlice
	for _, fam := range families(svc) {
		s := &discoveryv1.EndpointSlice{
			ObjectMeta: metav1.ObjectMeta{
				Namespace: svc.Namespace,
				Name:      svc.Name + "-lab-" + strings.ToLower(string(fam)),
				Labels: map[string]string{
					discoveryv1.LabelServiceName: svc.Name,
					discoveryv1.LabelManagedBy:   ManagedBy,
				},
			},
			AddressType: fam,
			Ports:       slicePorts(svc),
			Endpoints:   []discoveryv1.Endpoint{},
		}
		if svc.UID != "" {
			// No garbage collector runs in the lab; the reference is for readers.
			s.OwnerReferences = []metav1.OwnerReference{{
				APIVersion: "v1", Kind: "Service", Name: svc.Name, UID: svc.UID,
			}}
		}
		for _, b := range backends {
			addr, ok := addressOf(b.info.Addresses, fam)
			if !ok {
				continue
			}
			ready, serving, terminating := b.ready, b.ready, false
			node := b.node
			s.Endpoints = append(s.Endpoints, discoveryv1.Endpoint{
				Addresses:  []string{addr.String()},
				Conditions: discoveryv1.EndpointConditions{Ready: &ready, Serving: &serving, Terminating: &terminating},
				NodeName:   &node,
			})
		}
		out = append(out, s)
	}
	return out
}

// families are the Service's IP families; an unset list (as in hand-written
// test objects) follows the ingress IPs, then defaults to IPv4.
func families(svc *corev1.Service) []discoveryv1.AddressType {
	var out []discoveryv1.AddressType
	add := func(f discoveryv1.AddressType) {
		for _, have := range out {
			if have == f {
				return
			}
		}
		out = append(out, f)
	}
	for _, f := range svc.Spec.IPFamilies {
		if f == corev1.IPv6Protocol {
			add(discoveryv1.AddressTypeIPv6)
		} else {
			add(discoveryv1.AddressTypeIPv4)
		}
	}
	if len(out) == 0 {
		ips, _ := ingressIPs(svc)
		for _, ip := range ips {
			add(familyOf(ip))
		}
	}
	if len(out) == 0 {
		add(discoveryv1.AddressTypeIPv4)
	}
	return out
}

func familyOf(ip netip.Addr) discoveryv1.AddressType {
	if ip.Is4() {
		return discoveryv1.AddressTypeIPv4
	}
	return discoveryv1.AddressTypeIPv6
}

func addressOf(addrs []netip.Addr, fam discoveryv1.AddressType) (netip.Addr, bool) {
	for _, a := range addrs {
		if familyOf(a.Unmap()) == fam {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
}

// slicePorts are the Service's ports as endpoint ports: the numeric target
// port when there is one (what a pod would listen on), else the Service port.
func slicePorts(svc *corev1.Service) []discoveryv1.EndpointPort {
	out := make([]discoveryv1.EndpointPort, 0, len(svc.Spec.Ports))
	for _, p := range svc.Spec.Ports {
		port := p.Port
		if v := p.TargetPort.IntValue(); v > 0 {
			port = int32(v)
		}
		proto := p.Protocol
		if proto == "" {
			proto = corev1.ProtocolTCP
		}
		name := p.Name
		out = append(out, discoveryv1.EndpointPort{Name: &name, Protocol: &proto, Port: &port, AppProtocol: p.AppProtocol})
	}
	return out
}

// SliceChanged reports whether the slice stored in the API differs from the
// wanted one in anything the service plane owns.
func SliceChanged(have, want *discoveryv1.EndpointSlice) bool {
	if have.AddressType != want.AddressType {
		return true
	}
	for k, v := range want.Labels {
		if have.Labels[k] != v {
			return true
		}
	}
	return !equality.Semantic.DeepEqual(have.Endpoints, want.Endpoints) ||
		!equality.Semantic.DeepEqual(have.Ports, want.Ports) ||
		!equality.Semantic.DeepEqual(have.OwnerReferences, want.OwnerReferences)
}

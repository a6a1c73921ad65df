package serviceplane

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

func TestEndpointSlicesOnePerFamilyWithNodeEndpoints(t *testing.T) {
	svc := lbService("web", map[string]string{AnnotationBackends: "node1,node2", AnnotationBackendsReady: "node2"})
	svc.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv4Protocol, corev1.IPv6Protocol}
	bs, findings := backendsOf(svc, testNodes)
	if len(findings) != 0 {
		t.Fatalf("findings: %v", findings)
	}
	slices := EndpointSlices(svc, bs)
	if len(slices) != 2 {
		t.Fatalf("got %d slices, want IPv4 and IPv6", len(slices))
	}
	v4, v6 := slices[0], slices[1]
	if v4.Name != "web-lab-ipv4" || v4.AddressType != discoveryv1.AddressTypeIPv4 || v6.Name != "web-lab-ipv6" || v6.AddressType != discoveryv1.AddressTypeIPv6 {
		t.Fatalf("names/types: %s %s, %s %s", v4.Name, v4.AddressType, v6.Name, v6.AddressType)
	}
	if v4.Labels[discoveryv1.LabelServiceName] != "web" || v4.Labels[discoveryv1.LabelManagedBy] != ManagedBy {
		t.Errorf("labels: %v", v4.Labels)
	}
	if len(v4.OwnerReferences) != 1 || v4.OwnerReferences[0].Kind != "Service" || v4.OwnerReferences[0].Name != "web" {
		t.Errorf("owner: %+v", v4.OwnerReferences)
	}
	type ep struct {
		node, addr           string
		ready, serving, term bool
	}
	flat := func(s *discoveryv1.EndpointSlice) []ep {
		var out []ep
		for _, e := range s.Endpoints {
			out = append(out, ep{*e.NodeName, e.Addresses[0], *e.Conditions.Ready, *e.Conditions.Serving, *e.Conditions.Terminating})
		}
		return out
	}
	got4 := flat(v4)
	want4 := []ep{{"node1", "192.0.2.11", false, false, false}, {"node2", "192.0.2.12", true, true, false}}
	if len(got4) != 2 || got4[0] != want4[0] || got4[1] != want4[1] {
		t.Errorf("IPv4 endpoints = %+v, want %+v", got4, want4)
	}
	// node2 has no IPv6 address, so only node1 is in the IPv6 slice.
	got6 := flat(v6)
	if len(got6) != 1 || got6[0] != (ep{"node1", "2001:db8::11", false, false, false}) {
		t.Errorf("IPv6 endpoints = %+v", got6)
	}
	ports := v4.Ports
	if len(ports) != 2 || *ports[0].Name != "http" || *ports[0].Port != 8080 || *ports[0].Protocol != corev1.ProtocolTCP ||
		*ports[1].Name != "dns" || *ports[1].Port != 53 || *ports[1].Protocol != corev1.ProtocolUDP {
		t.Errorf("ports: http→%d dns→%d", *ports[0].Port, *ports[1].Port)
	}
}

func TestEndpointSlicesFamilyFollowsIngressWhenUnset(t *testing.T) {
	svc := lbService("v6", map[string]string{AnnotationBackends: "node1"}, "2001:db8:5::1")
	bs, _ := backendsOf(svc, testNodes)
	s := EndpointSlices(svc, bs)
	if len(s) != 1 || s[0].AddressType != discoveryv1.AddressTypeIPv6 || len(s[0].Endpoints) != 1 {
		t.Fatalf("got %+v", s)
	}
	none := lbService("none", map[string]string{AnnotationBackends: ""})
	s = EndpointSlices(none, nil)
	if len(s) != 1 || s[0].AddressType != discoveryv1.AddressTypeIPv4 || s[0].Endpoints == nil || len(s[0].Endpoints) != 0 {
		t.Fatalf("a Service without backends should get one empty IPv4 slice, got %+v", s)
	}
}

func TestSliceChanged(t *testing.T) {
	build := func(ann map[string]string) *discoveryv1.EndpointSlice {
		svc := lbService("web", ann)
		bs, _ := backendsOf(svc, testNodes)
		return EndpointSlices(svc, bs)[0]
	}
	base := build(map[string]string{AnnotationBackends: "node1,node2"})
	same := build(map[string]string{AnnotationBackends: "node1,node2"})
	same.ResourceVersion, same.Labels["other"] = "42", "kept" // not ours to compare
	if SliceChanged(same, base) {
		t.Error("identical endpoints reported as changed")
	}
	for name, ann := range map[string]map[string]string{
		"scaled":    {AnnotationBackends: "node1"},
		"readiness": {AnnotationBackends: "node1,node2", AnnotationBackendsReady: "node1"},
		"order":     {AnnotationBackends: "node2,node1"},
	} {
		if !SliceChanged(base, build(ann)) {
			t.Errorf("%s: change not detected", name)
		}
	}
	relabelled := build(map[string]string{AnnotationBackends: "node1,node2"})
	relabelled.Labels[discoveryv1.LabelServiceName] = "other"
	if !SliceChanged(relabelled, base) {
		t.Error("service-name label change not detected")
	}
}

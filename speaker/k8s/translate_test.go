package k8s

import (
	"maps"
	"net/netip"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/bgplb/bgplb/speaker/routes"
)

func lbService(class *string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web", UID: "u1",
			Annotations: map[string]string{AnnotationPool: "pool-a", "other": "x"}, Labels: map[string]string{"a": "b"},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "m"}}},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, LoadBalancerClass: class,
			ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal, Ports: []corev1.ServicePort{{Port: 80}}},
		Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{
			{IP: "198.18.0.1", Hostname: "h"}, {IP: "2001:db8::1"}}}},
	}
}

func TestHandles(t *testing.T) {
	for _, tc := range []struct {
		class, flag string
		nilClass    bool
		typ         corev1.ServiceType
		want        bool
	}{
		{nilClass: true, typ: corev1.ServiceTypeLoadBalancer, want: true},
		{nilClass: true, flag: "mine", typ: corev1.ServiceTypeLoadBalancer, want: false},
		{class: "mine", flag: "mine", typ: corev1.ServiceTypeLoadBalancer, want: true},
		{class: "other", flag: "mine", typ: corev1.ServiceTypeLoadBalancer, want: false},
		{class: "other", typ: corev1.ServiceTypeLoadBalancer, want: false},
		{nilClass: true, typ: corev1.ServiceTypeClusterIP, want: false},
	} {
		var c *string
		if !tc.nilClass {
			c = ptr.To(tc.class)
		}
		s := lbService(c)
		s.Spec.Type = tc.typ
		if got := Handles(s, tc.flag); got != tc.want {
			t.Errorf("class %v flag %q type %s: Handles = %v", c, tc.flag, tc.typ, got)
		}
	}
}

func TestServiceFrom(t *testing.T) {
	slice := &discoveryv1.EndpointSlice{Endpoints: []discoveryv1.Endpoint{
		{Addresses: []string{"10.0.0.1", "10.0.0.2"}, NodeName: ptr.To("node-1")},                                                  // nil ready = ready
		{Addresses: []string{"10.0.0.3"}, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(false), Serving: ptr.To(true)}}, // no node
	}}
	got := ServiceFrom(lbService(nil), []*discoveryv1.EndpointSlice{slice}, nil)
	want := routes.Service{Key: "ns/web", Pool: "pool-a", TrafficPolicy: routes.TrafficLocal,
		IPs: []netip.Addr{netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("2001:db8::1")},
		Endpoints: []routes.Endpoint{{Node: "node-1", Address: "10.0.0.1", Ready: true}, {Node: "node-1", Address: "10.0.0.2", Ready: true},
			{Address: "10.0.0.3", Serving: true}}}
	if got.Key != want.Key || got.Pool != want.Pool || got.TrafficPolicy != want.TrafficPolicy ||
		!slices.Equal(got.IPs, want.IPs) || !slices.Equal(got.Endpoints, want.Endpoints) {
		t.Fatalf("ServiceFrom:\n got %+v\nwant %+v", got, want)
	}
	bad := lbService(nil)
	bad.Status.LoadBalancer.Ingress = append(bad.Status.LoadBalancer.Ingress, corev1.LoadBalancerIngress{IP: "nope"})
	if s := ServiceFrom(bad, nil, nil); len(s.IPs) != 0 {
		t.Fatalf("an unparsable IP must drop every IP (MetalLB's invalidIP): %v", s.IPs)
	}
}

func TestNodeFrom(t *testing.T) {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1", Labels: map[string]string{routes.LabelExcludeBalancers: ""}},
		Status: corev1.NodeStatus{
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeNetworkUnavailable, Status: corev1.ConditionTrue}},
			Addresses: []corev1.NodeAddress{{Type: corev1.NodeHostName, Address: "h"}, {Type: corev1.NodeInternalIP, Address: "2001:db8::5"},
				{Type: corev1.NodeExternalIP, Address: "192.0.2.9"}, {Type: corev1.NodeInternalIP, Address: "192.0.2.5"}}}}
	got := NodeFrom(n)
	if got.Name != "node-1" || !got.NetworkUnavailable || !got.Excluded() {
		t.Fatalf("NodeFrom = %+v", got)
	}
	n.Status.Conditions[0].Status = corev1.ConditionUnknown
	if NodeFrom(n).NetworkUnavailable {
		t.Fatal("Unknown counts as available")
	}
	if ip := NodeIPv4(n); ip.String() != "192.0.2.5" {
		t.Fatalf("NodeIPv4 = %v, want the IPv4 InternalIP", ip)
	}
}

func TestTrimKeepsWhatIsRead(t *testing.T) {
	svc := lbService(ptr.To("c"))
	out, _ := trimService(svc)
	ts := out.(*corev1.Service)
	if len(ts.Annotations) != 1 || !maps.Equal(ts.Labels, svc.Labels) || ts.ManagedFields != nil || ts.Spec.Ports != nil || ts.UID != "u1" ||
		ts.Status.LoadBalancer.Ingress[0].Hostname != "" {
		t.Fatalf("trimService kept too much or too little: %+v", ts)
	}
	if a, b := ServiceFrom(svc, nil, nil), ServiceFrom(ts, nil, nil); a.Key != b.Key || !slices.Equal(a.IPs, b.IPs) || a.Pool != b.Pool ||
		a.TrafficPolicy != b.TrafficPolicy || !maps.Equal(a.Labels, b.Labels) || !Handles(ts, "c") {
		t.Fatalf("trimmed Service translates differently: %+v vs %+v", a, b)
	}
	slice := &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Name: "s", Labels: map[string]string{discoveryv1.LabelServiceName: "web", "x": "y"}},
		Ports:     []discoveryv1.EndpointPort{{Name: ptr.To("http")}},
		Endpoints: []discoveryv1.Endpoint{{Addresses: []string{"10.0.0.1"}, NodeName: ptr.To("n"), Hostname: ptr.To("h"), Zone: ptr.To("z")}}}
	o, _ := trimSlice(slice)
	ts2 := o.(*discoveryv1.EndpointSlice)
	if len(ts2.Labels) != 1 || ts2.Ports != nil || ts2.Endpoints[0].Zone != nil || *ts2.Endpoints[0].NodeName != "n" {
		t.Fatalf("trimSlice: %+v", ts2)
	}
}

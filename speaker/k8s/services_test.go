package k8s

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
)

func TestTranslatedCurrent(t *testing.T) {
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "x", ResourceVersion: "5"}}
	slice := func(name, rv string) *discoveryv1.EndpointSlice {
		return &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Name: name, ResourceVersion: rv}}
	}
	tr := translated{rv: "5", sliceRVs: []string{"7", "9"}}
	cases := []struct {
		name   string
		svcRV  string
		slices []*discoveryv1.EndpointSlice
		want   bool
	}{
		{"nothing changed", "5", []*discoveryv1.EndpointSlice{slice("a-1", "7"), slice("a-2", "9")}, true},
		{"service changed", "6", []*discoveryv1.EndpointSlice{slice("a-1", "7"), slice("a-2", "9")}, false},
		{"a slice changed", "5", []*discoveryv1.EndpointSlice{slice("a-1", "7"), slice("a-2", "10")}, false},
		{"a slice went", "5", []*discoveryv1.EndpointSlice{slice("a-1", "7")}, false},
		{"a slice came", "5", []*discoveryv1.EndpointSlice{slice("a-1", "7"), slice("a-2", "9"), slice("a-3", "1")}, false},
	}
	for _, c := range cases {
		svc.ResourceVersion = c.svcRV
		if got := tr.current(svc, c.slices); got != c.want {
			t.Errorf("%s: current = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestSlicesOfOrdersByName(t *testing.T) {
	sl := []*discoveryv1.EndpointSlice{{ObjectMeta: metav1.ObjectMeta{Name: "b"}}, {ObjectMeta: metav1.ObjectMeta{Name: "a"}}}
	if got := slicesOf(sl); got[0].Name != "a" || got[1].Name != "b" {
		t.Fatalf("slicesOf: got %s, %s", got[0].Name, got[1].Name)
	}
}

func TestStatusOnlyUpdatesAreIgnoredForConfigKindsOnly(t *testing.T) {
	peer := func(gen int64, labels map[string]string, established int32) *v1beta2.BGPPeer {
		p := &v1beta2.BGPPeer{ObjectMeta: metav1.ObjectMeta{Name: "r1", Generation: gen, Labels: labels}}
		p.Status.Established = established
		return p
	}
	svc := func(ip string) *corev1.Service {
		s := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web", Generation: 1}}
		if ip != "" {
			s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: ip}}
		}
		return s
	}
	cases := []struct {
		name     string
		old, cur any
		want     bool
	}{
		{"a speaker's status write on a BGPPeer", peer(3, nil, 1), peer(3, nil, 2), true},
		{"a BGPPeer spec change", peer(3, nil, 1), peer(4, nil, 1), false},
		{"a BGPPeer label change (pool and peer selectors read labels)", peer(3, nil, 1), peer(3, map[string]string{"a": "b"}, 1), false},
		{"a Service getting its IP (status only, but it is what we announce)", svc(""), svc("198.18.0.1"), false},
		{"an object without a generation", &v1beta1.IPAddressPool{}, &v1beta1.IPAddressPool{}, false},
	}
	for _, c := range cases {
		if got := statusOnly(c.old, c.cur); got != c.want {
			t.Errorf("%s: statusOnly = %v, want %v", c.name, got, c.want)
		}
	}
}

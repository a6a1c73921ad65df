package k8s

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

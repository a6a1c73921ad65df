package cluster

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
)

func pool(name, addr string) v1beta1.IPAddressPool {
	return v1beta1.IPAddressPool{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "metallb-system"},
		Spec: v1beta1.IPAddressPoolSpec{Addresses: []string{addr}}}
}

func TestOverlay(t *testing.T) {
	peer2 := v1beta2.BGPPeer{ObjectMeta: metav1.ObjectMeta{Name: "tor", Namespace: "metallb-system"}}
	peer1 := v1beta1.BGPPeer{ObjectMeta: metav1.ObjectMeta{Name: "tor", Namespace: "metallb-system"}}
	svc := func(ns, name, ip string) corev1.Service {
		return corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: corev1.ServiceSpec{LoadBalancerIP: ip}}
	}
	cur := Objects{
		Resources: config.Resources{Pools: []v1beta1.IPAddressPool{pool("a", "10.0.0.0/24"), pool("b", "10.0.1.0/24")}, Peers: []v1beta2.BGPPeer{peer2}},
		Services:  []corev1.Service{svc("default", "web", "")},
	}
	tests := []struct {
		name      string
		next      Objects
		wantPools []string
		wantPeers [2]int // v1beta2, v1beta1
		wantSvcs  []string
	}{
		{"nothing new keeps everything", Objects{}, []string{"a=10.0.0.0/24", "b=10.0.1.0/24"}, [2]int{1, 0}, []string{"default/web="}},
		{"same name replaces in place", Objects{Resources: config.Resources{Pools: []v1beta1.IPAddressPool{pool("b", "10.9.0.0/24")}}},
			[]string{"a=10.0.0.0/24", "b=10.9.0.0/24"}, [2]int{1, 0}, []string{"default/web="}},
		{"new name is added", Objects{Resources: config.Resources{Pools: []v1beta1.IPAddressPool{pool("c", "10.2.0.0/24")}}},
			[]string{"a=10.0.0.0/24", "b=10.0.1.0/24", "c=10.2.0.0/24"}, [2]int{1, 0}, []string{"default/web="}},
		{"a BGPPeer of the other version replaces it", Objects{Resources: config.Resources{LegacyPeers: []v1beta1.BGPPeer{peer1}}},
			[]string{"a=10.0.0.0/24", "b=10.0.1.0/24"}, [2]int{0, 1}, []string{"default/web="}},
		{"Services by namespace and name", Objects{Services: []corev1.Service{svc("default", "web", "1.2.3.4"), svc("other", "web", "")}},
			[]string{"a=10.0.0.0/24", "b=10.0.1.0/24"}, [2]int{1, 0}, []string{"default/web=1.2.3.4", "other/web="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Overlay(cur, tt.next)
			var pools, svcs []string
			for _, p := range got.Resources.Pools {
				pools = append(pools, p.Name+"="+p.Spec.Addresses[0])
			}
			for _, s := range got.Services {
				svcs = append(svcs, s.Namespace+"/"+s.Name+"="+s.Spec.LoadBalancerIP)
			}
			if !slices.Equal(pools, tt.wantPools) || !slices.Equal(svcs, tt.wantSvcs) {
				t.Errorf("pools %v services %v, want %v %v", pools, svcs, tt.wantPools, tt.wantSvcs)
			}
			if n := [2]int{len(got.Resources.Peers), len(got.Resources.LegacyPeers)}; n != tt.wantPeers {
				t.Errorf("peers (v1beta2, v1beta1) %v, want %v", n, tt.wantPeers)
			}
		})
	}
	if cur.Resources.Pools[1].Spec.Addresses[0] != "10.0.1.0/24" {
		t.Error("Overlay modified its input")
	}
}

// TestOverlayKeepsState: applying a manifest never changes status, nor the
// annotation the controller writes.
func TestOverlayKeepsState(t *testing.T) {
	old := corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default",
		Annotations: map[string]string{config.AnnotationAllocatedFrom: "pool"}}}
	old.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "198.51.100.10"}}
	repl := corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default",
		Annotations: map[string]string{config.AnnotationAddressPool: "other"}}}
	oldNode := corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}}
	oldNode.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeNetworkUnavailable, Status: corev1.ConditionTrue}}
	newNode := corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1", Labels: map[string]string{"zone": "b"}}}
	got := Overlay(Objects{Services: []corev1.Service{old}, Resources: config.Resources{Nodes: []corev1.Node{oldNode}}},
		Objects{Services: []corev1.Service{repl, repl}, Resources: config.Resources{Nodes: []corev1.Node{newNode}}})
	s := got.Services[0]
	if len(got.Services) != 1 || len(s.Status.LoadBalancer.Ingress) != 1 || s.Annotations[config.AnnotationAllocatedFrom] != "pool" || s.Annotations[config.AnnotationAddressPool] != "other" {
		t.Errorf("service %+v, want the new annotations with the old status and pool annotation", s)
	}
	if _, leaked := repl.Annotations[config.AnnotationAllocatedFrom]; leaked {
		t.Error("Overlay modified the new document")
	}
	if n := got.Resources.Nodes[0]; n.Labels["zone"] != "b" || len(n.Status.Conditions) != 1 {
		t.Errorf("node %+v, want the new labels with the old conditions", n)
	}
}

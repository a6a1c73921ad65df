package serviceplane

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestComputeBindsReadyBackendsOnTCPPorts(t *testing.T) {
	svcs := []*corev1.Service{
		lbService("web", map[string]string{AnnotationBackends: "node1, node2,node1", AnnotationBackendsReady: "node1"}, "203.0.113.10", "2001:db8:5::10"),
		lbService("pending", map[string]string{AnnotationBackends: "node3"}), // no IP yet
		lbService("unplaced", nil, "203.0.113.11"),                           // no annotation: not ours
	}
	cluster := lbService("cluster", map[string]string{AnnotationBackends: "node3"}, "203.0.113.12")
	cluster.Spec.Type = corev1.ServiceTypeClusterIP
	svcs = append(svcs, cluster)

	d := Compute(svcs, testNodes)
	wantB := map[Binding]bool{
		{"lab-node1", ip("203.0.113.10")}:   true,
		{"lab-node1", ip("2001:db8:5::10")}: true,
	}
	wantL := map[Listener]bool{
		{"node1", "lab-node1", ip("203.0.113.10"), 80}:   true,
		{"node1", "lab-node1", ip("2001:db8:5::10"), 80}: true,
	}
	if !equalSets(d.Bindings, wantB) || !equalSets(d.Listeners, wantL) {
		t.Fatalf("bindings %v listeners %v, want %v %v", d.Bindings, d.Listeners, wantB, wantL)
	}
	var names []string
	for _, s := range d.Slices {
		names = append(names, s.Name)
	}
	// web has no IPFamilies set, so its families follow its two ingress IPs.
	if got := strings.Join(names, ","); got != "pending-lab-ipv4,web-lab-ipv4,web-lab-ipv6" {
		t.Errorf("slices %s", got)
	}
	if len(d.Findings) != 0 {
		t.Errorf("findings: %v", d.Findings)
	}
}

func TestComputeFindingsNameServiceFieldAndFix(t *testing.T) {
	svc := lbService("web", map[string]string{AnnotationBackends: "node1,node9"}, "not-an-ip", "203.0.113.10")
	svc.Status.LoadBalancer.Ingress = append(svc.Status.LoadBalancer.Ingress, corev1.LoadBalancerIngress{Hostname: "lb.example"})
	d := Compute([]*corev1.Service{svc}, testNodes)
	if len(d.Findings) != 2 {
		t.Fatalf("want 2 findings, got %q", d.Findings)
	}
	for _, want := range []string{"default/web", AnnotationBackends, `"node9"`, "node1, node2, node3", "fix"} {
		if !strings.Contains(d.Findings[0], want) {
			t.Errorf("finding %q lacks %q", d.Findings[0], want)
		}
	}
	if !strings.Contains(d.Findings[1], "status.loadBalancer.ingress[0].ip") {
		t.Errorf("finding %q", d.Findings[1])
	}
	// The valid parts still take effect.
	if !d.Listeners[Listener{"node1", "lab-node1", ip("203.0.113.10"), 80}] || len(d.Listeners) != 1 {
		t.Errorf("listeners %v", d.Listeners)
	}
}

func TestComputeEmptyReadyListMeansNoneReady(t *testing.T) {
	svc := lbService("web", map[string]string{AnnotationBackends: "node1,node2", AnnotationBackendsReady: ""}, "203.0.113.10")
	d := Compute([]*corev1.Service{svc}, testNodes)
	if len(d.Bindings) != 0 || len(d.Listeners) != 0 {
		t.Fatalf("no backend is ready, yet %v %v", d.Bindings, d.Listeners)
	}
	for _, e := range d.Slices[0].Endpoints {
		if *e.Conditions.Ready {
			t.Errorf("endpoint on %s is ready", *e.NodeName)
		}
	}
}

func TestComputeSharedIPAcrossServices(t *testing.T) {
	a := lbService("a", map[string]string{AnnotationBackends: "node1"}, "203.0.113.10")
	b := lbService("b", map[string]string{AnnotationBackends: "node1"}, "203.0.113.10")
	b.Spec.Ports[0].Port = 443
	d := Compute([]*corev1.Service{a, b}, testNodes)
	if len(d.Bindings) != 1 || len(d.Listeners) != 2 {
		t.Fatalf("bindings %v listeners %v", d.Bindings, d.Listeners)
	}
}

func equalSets[K comparable](a, b map[K]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// externalTrafficPolicy Cluster: every node takes the traffic while any backend
// is ready (kube-proxy forwards it); with none ready, no node does.
func TestComputeClusterPolicyAnswersOnEveryNode(t *testing.T) {
	svc := clusterService(lbService("web", map[string]string{AnnotationBackends: "node1"}, "203.0.113.10"))
	d := Compute([]*corev1.Service{svc}, testNodes)
	for _, n := range []string{"node1", "node2", "node3"} {
		if !d.Listeners[Listener{Node: n, Namespace: testNodes[n].Namespace, IP: ip("203.0.113.10"), Port: 80}] {
			t.Errorf("%s does not answer for a Cluster Service: %v", n, d.Listeners)
		}
	}
	if len(d.Slices) == 0 || len(d.Slices[0].Endpoints) != 1 {
		t.Errorf("EndpointSlices must still list the backends only: %+v", d.Slices)
	}
	svc.Annotations[AnnotationBackendsReady] = ""
	if d := Compute([]*corev1.Service{svc}, testNodes); len(d.Listeners) != 0 || len(d.Bindings) != 0 {
		t.Errorf("no ready backend, yet nodes answer: %v", d.Listeners)
	}
}

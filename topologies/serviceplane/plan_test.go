package serviceplane

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestPlanForOrdersAndDiffs(t *testing.T) {
	l := func(node, ns, a string, p int32) Listener { return Listener{node, ns, ip(a), p} }
	have := State{
		Bindings:  map[Binding]bool{{"ns1", ip("203.0.113.10")}: true, {"ns2", ip("203.0.113.10")}: true},
		Listeners: map[Listener]bool{l("n1", "ns1", "203.0.113.10", 80): true, l("n2", "ns2", "203.0.113.10", 80): true},
	}
	want := State{
		Bindings:  map[Binding]bool{{"ns1", ip("203.0.113.10")}: true, {"ns1", ip("203.0.113.9")}: true},
		Listeners: map[Listener]bool{l("n1", "ns1", "203.0.113.10", 80): true, l("n1", "ns1", "203.0.113.10", 443): true, l("n1", "ns1", "203.0.113.9", 80): true},
	}
	got := PlanFor(have, want)
	exp := Plan{
		Close:       []Listener{l("n2", "ns2", "203.0.113.10", 80)},
		DelBindings: []Binding{{"ns2", ip("203.0.113.10")}},
		AddBindings: []Binding{{"ns1", ip("203.0.113.9")}},
		Open:        []Listener{l("n1", "ns1", "203.0.113.9", 80), l("n1", "ns1", "203.0.113.10", 443)},
	}
	if !reflect.DeepEqual(got, exp) {
		t.Fatalf("plan\n got %+v\nwant %+v", got, exp)
	}
	if !PlanFor(want, want).Empty() {
		t.Error("a state diffed with itself must give an empty plan")
	}
	undo := PlanFor(want, State{})
	if len(undo.Close) != 3 || len(undo.DelBindings) != 2 || len(undo.Open)+len(undo.AddBindings) != 0 {
		t.Errorf("tear-down plan %+v", undo)
	}
}

// Scaling a Service down by its annotation must close the dropped node's
// listener and remove its address, and leave the kept node alone.
func TestPlanForScalingByAnnotation(t *testing.T) {
	svc := lbService("web", map[string]string{AnnotationBackends: "node1,node2"}, "203.0.113.10")
	before := Compute([]*corev1.Service{svc}, testNodes)
	svc.Annotations[AnnotationBackends] = "node1"
	after := Compute([]*corev1.Service{svc}, testNodes)
	p := PlanFor(before.State, after.State)
	if len(p.Close) != 1 || p.Close[0].Node != "node2" || len(p.DelBindings) != 1 || p.DelBindings[0].Namespace != "lab-node2" ||
		len(p.Open) != 0 || len(p.AddBindings) != 0 {
		t.Fatalf("plan %+v", p)
	}
	svc.Annotations[AnnotationBackendsReady] = ""
	p = PlanFor(after.State, Compute([]*corev1.Service{svc}, testNodes).State)
	if len(p.Close) != 1 || p.Close[0].Node != "node1" || len(p.DelBindings) != 1 {
		t.Fatalf("readiness plan %+v", p)
	}
}

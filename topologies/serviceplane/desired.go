package serviceplane

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// The annotations that place a Service's backends on lab nodes.
const (
	// AnnotationBackends lists the backend nodes, comma separated: "node1,node2".
	AnnotationBackends = "lab.bgplb.io/backends"
	// AnnotationBackendsReady lists the ready subset; when absent all are ready.
	AnnotationBackendsReady = "lab.bgplb.io/backends-ready"
)

// NodeInfo is what the service plane knows about one lab k8s node.
type NodeInfo struct {
	// Namespace is the node's network namespace (a name under /var/run/netns).
	Namespace string
	// Addresses are the node's lab addresses, used as endpoint addresses.
	Addresses []netip.Addr
}

// Binding is a service IP held on lo of one node's namespace.
type Binding struct {
	Namespace string
	IP        netip.Addr
}

// Listener is a TCP port on which a node answers for a service IP.
type Listener struct {
	Node      string
	Namespace string
	IP        netip.Addr
	Port      int32
}

// State is what the service plane wants (or has) on the nodes.
type State struct {
	Bindings  map[Binding]bool
	Listeners map[Listener]bool
}

// Desired is the full desired state for a set of Services.
type Desired struct {
	State
	// Slices are the EndpointSlices to keep, one per Service and IP family.
	Slices []*discoveryv1.EndpointSlice
	// Findings are annotation or status values that were ignored, each naming
	// the Service, the field and what to do about it.
	Findings []string
}

// backend is one backend node of one Service.
type backend struct {
	node  string
	info  NodeInfo
	ready bool
}

// Compute turns Services into the desired EndpointSlices, bindings and
// listeners. Only LoadBalancer Services with AnnotationBackends take part.
func Compute(services []*corev1.Service, nodes map[string]NodeInfo) Desired {
	d := Desired{State: State{Bindings: map[Binding]bool{}, Listeners: map[Listener]bool{}}}
	sorted := append([]*corev1.Service(nil), services...)
	sort.Slice(sorted, func(i, j int) bool { return key(sorted[i]) < key(sorted[j]) })
	for _, svc := range sorted {
		if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
			continue
		}
		if _, ok := svc.Annotations[AnnotationBackends]; !ok {
			continue
		}
		backends, findings := backendsOf(svc, nodes)
		d.Findings = append(d.Findings, findings...)
		d.Slices = append(d.Slices, EndpointSlices(svc, backends)...)
		ips, findings := ingressIPs(svc)
		d.Findings = append(d.Findings, findings...)
		for _, b := range answering(svc, backends, nodes) {
			for _, ip := range ips {
				d.Bindings[Binding{Namespace: b.info.Namespace, IP: ip}] = true
				for _, p := range svc.Spec.Ports {
					if p.Protocol != "" && p.Protocol != corev1.ProtocolTCP {
						continue
					}
					d.Listeners[Listener{Node: b.node, Namespace: b.info.Namespace, IP: ip, Port: p.Port}] = true
				}
			}
		}
	}
	return d
}

func key(svc *corev1.Service) string { return svc.Namespace + "/" + svc.Name }

// answering are the nodes that take the Service's traffic, as kube-proxy would:
// with externalTrafficPolicy Local only the nodes with a ready backend; with
// Cluster every node while any backend is ready (kube-proxy forwards it there;
// the lab answers where the request entered, so a client sees the node ECMP chose).
func answering(svc *corev1.Service, backends []backend, nodes map[string]NodeInfo) []backend {
	var ready []backend
	for _, b := range backends {
		if b.ready {
			ready = append(ready, b)
		}
	}
	if svc.Spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal || len(ready) == 0 {
		return ready
	}
	names := make([]string, 0, len(nodes))
	for n := range nodes {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]backend, 0, len(names))
	for _, n := range names {
		out = append(out, backend{node: n, info: nodes[n], ready: true})
	}
	return out
}

// backendsOf reads the placement annotations. Unknown nodes are findings,
// not errors: a scenario may name a node the current topology lacks.
func backendsOf(svc *corev1.Service, nodes map[string]NodeInfo) ([]backend, []string) {
	var findings []string
	readySet, readyGiven := map[string]bool{}, false
	if v, ok := svc.Annotations[AnnotationBackendsReady]; ok {
		readyGiven = true
		for _, n := range splitList(v) {
			readySet[n] = true
		}
	}
	var out []backend
	for _, n := range splitList(svc.Annotations[AnnotationBackends]) {
		info, ok := nodes[n]
		if !ok {
			findings = append(findings, fmt.Sprintf("service %s: annotation %s names node %q, which is not a lab k8s node (known: %s): fix the annotation",
				key(svc), AnnotationBackends, n, strings.Join(nodeNames(nodes), ", ")))
			continue
		}
		out = append(out, backend{node: n, info: info, ready: !readyGiven || readySet[n]})
	}
	return out, findings
}

// splitList splits "a, b,,a" into [a b], keeping the first occurrence order.
func splitList(v string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" || seen[f] {
			continue
		}
		seen[f] = true
		out = append(out, f)
	}
	return out
}

func nodeNames(nodes map[string]NodeInfo) []string {
	names := make([]string, 0, len(nodes))
	for n := range nodes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ingressIPs are the Service's load-balancer IPs; hostnames cannot be bound.
func ingressIPs(svc *corev1.Service) ([]netip.Addr, []string) {
	var ips []netip.Addr
	var findings []string
	for i, ing := range svc.Status.LoadBalancer.Ingress {
		if ing.IP == "" {
			continue
		}
		ip, err := netip.ParseAddr(ing.IP)
		if err != nil {
			findings = append(findings, fmt.Sprintf("service %s: status.loadBalancer.ingress[%d].ip %q is not an IP address: the controller must write an IP", key(svc), i, ing.IP))
			continue
		}
		ips = append(ips, ip.Unmap())
	}
	return ips, findings
}

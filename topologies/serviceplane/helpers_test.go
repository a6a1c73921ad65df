package serviceplane

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

var testNodes = map[string]NodeInfo{
	"node1": {Namespace: "lab-node1", Addresses: []netip.Addr{netip.MustParseAddr("192.0.2.11"), netip.MustParseAddr("2001:db8::11")}},
	"node2": {Namespace: "lab-node2", Addresses: []netip.Addr{netip.MustParseAddr("192.0.2.12")}},
	"node3": {Namespace: "lab-node3", Addresses: []netip.Addr{netip.MustParseAddr("192.0.2.13")}},
}

// lbService is a LoadBalancer Service on port 80 (target 8080) and 53/UDP, with
// externalTrafficPolicy Local: only its backend nodes take its traffic (what most
// tests check); clusterService turns it into Cluster.
func lbService(name string, annotations map[string]string, ingress ...string) *corev1.Service {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, UID: types.UID("uid-" + name), Annotations: annotations},
		Spec: corev1.ServiceSpec{
			Type:                  corev1.ServiceTypeLoadBalancer,
			ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal,
			Ports: []corev1.ServicePort{
				{Name: "http", Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromInt32(8080)},
				{Name: "dns", Protocol: corev1.ProtocolUDP, Port: 53, TargetPort: intstr.FromString("dns")},
			},
		},
	}
	for _, ip := range ingress {
		svc.Status.LoadBalancer.Ingress = append(svc.Status.LoadBalancer.Ingress, corev1.LoadBalancerIngress{IP: ip})
	}
	return svc
}

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

func clusterService(svc *corev1.Service) *corev1.Service {
	svc.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
	return svc
}

package k8s

import (
	"log/slog"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/bgplb/bgplb/speaker/routes"
)

// AnnotationPool is the annotation the controller writes with the pool a Service's
// addresses come from (MetalLB's name).
const AnnotationPool = "metallb.io/ip-allocated-from-pool"

// NodeFrom translates this node: labels, and NetworkUnavailable exactly when the
// condition's status is True (MetalLB: False, Unknown or absent are available).
func NodeFrom(n *corev1.Node) routes.Node {
	out := routes.Node{Name: n.Name, Labels: labels.Set(n.Labels)}
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeNetworkUnavailable && c.Status == corev1.ConditionTrue {
			out.NetworkUnavailable = true
		}
	}
	return out
}

// NodeIPv4 returns the node's first IPv4 InternalIP (then ExternalIP), the router ID
// when no BGPPeer sets one.
func NodeIPv4(n *corev1.Node) netip.Addr {
	for _, t := range []corev1.NodeAddressType{corev1.NodeInternalIP, corev1.NodeExternalIP} {
		for _, a := range n.Status.Addresses {
			if a.Type != t {
				continue
			}
			if ip, err := netip.ParseAddr(a.Address); err == nil && ip.Is4() {
				return ip
			}
		}
	}
	return netip.Addr{}
}

// Handles reports whether this speaker announces svc: type LoadBalancer and a
// spec.loadBalancerClass equal to lbClass ("" handles only Services without one),
// as MetalLB's --lb-class.
func Handles(svc *corev1.Service, lbClass string) bool {
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return false
	}
	if svc.Spec.LoadBalancerClass == nil {
		return lbClass == ""
	}
	return *svc.Spec.LoadBalancerClass == lbClass
}

// ServiceFrom translates a Service and the EndpointSlices labelled with its name,
// following speaker/routes' doc. An ingress IP that does not parse drops every IP of
// the Service (MetalLB withdraws it as "invalidIP") and is logged.
func ServiceFrom(svc *corev1.Service, slices []*discoveryv1.EndpointSlice, log *slog.Logger) routes.Service {
	out := routes.Service{
		Key:           svc.Namespace + "/" + svc.Name,
		Pool:          svc.Annotations[AnnotationPool],
		Labels:        svc.Labels,
		TrafficPolicy: routes.TrafficPolicy(svc.Spec.ExternalTrafficPolicy),
	}
	for _, ing := range svc.Status.LoadBalancer.Ingress {
		if ing.IP == "" {
			continue
		}
		ip, err := netip.ParseAddr(ing.IP)
		if err != nil {
			if log != nil {
				log.Warn("service has an unparsable load-balancer IP; not announcing it", "service", out.Key, "ip", ing.IP)
			}
			out.IPs = nil
			break
		}
		out.IPs = append(out.IPs, ip.Unmap())
	}
	for _, s := range slices {
		for _, ep := range s.Endpoints {
			e := routes.Endpoint{
				Ready:   ep.Conditions.Ready == nil || *ep.Conditions.Ready,
				Serving: ep.Conditions.Serving != nil && *ep.Conditions.Serving,
			}
			if ep.NodeName != nil {
				e.Node = *ep.NodeName
			}
			for _, a := range ep.Addresses {
				e.Address = a
				out.Endpoints = append(out.Endpoints, e)
			}
		}
	}
	return out
}

// The transforms below keep the informer caches small at 100,000 Services: only
// the fields ServiceFrom, NodeFrom and the config core read survive.

// trimService keeps name, namespace, UID, labels (BGPAdvertisement serviceSelectors
// match them), the pool annotation, type, class, traffic policy and ingress IPs.
func trimService(obj any) (any, error) {
	svc, ok := obj.(*corev1.Service)
	if !ok {
		return obj, nil
	}
	out := &corev1.Service{ObjectMeta: trimMeta(svc.ObjectMeta)}
	out.Labels = svc.Labels
	if p, ok := svc.Annotations[AnnotationPool]; ok {
		out.Annotations = map[string]string{AnnotationPool: p}
	}
	out.Spec.Type = svc.Spec.Type
	out.Spec.LoadBalancerClass = svc.Spec.LoadBalancerClass
	out.Spec.ExternalTrafficPolicy = svc.Spec.ExternalTrafficPolicy
	for _, ing := range svc.Status.LoadBalancer.Ingress {
		out.Status.LoadBalancer.Ingress = append(out.Status.LoadBalancer.Ingress, corev1.LoadBalancerIngress{IP: ing.IP})
	}
	return out, nil
}

// trimSlice keeps the service-name label and each endpoint's addresses, node and
// ready/serving conditions (ports, hints, zones and target refs go).
func trimSlice(obj any) (any, error) {
	s, ok := obj.(*discoveryv1.EndpointSlice)
	if !ok {
		return obj, nil
	}
	out := &discoveryv1.EndpointSlice{ObjectMeta: trimMeta(s.ObjectMeta), AddressType: s.AddressType}
	if n, ok := s.Labels[discoveryv1.LabelServiceName]; ok {
		out.Labels = map[string]string{discoveryv1.LabelServiceName: n}
	}
	out.Endpoints = make([]discoveryv1.Endpoint, len(s.Endpoints))
	for i, ep := range s.Endpoints {
		out.Endpoints[i] = discoveryv1.Endpoint{Addresses: ep.Addresses, NodeName: ep.NodeName,
			Conditions: discoveryv1.EndpointConditions{Ready: ep.Conditions.Ready, Serving: ep.Conditions.Serving}}
	}
	return out, nil
}

func trimMeta(m metav1.ObjectMeta) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: m.UID, ResourceVersion: m.ResourceVersion}
}

// stripManaged drops managedFields from everything else (a large share of an
// object's size and never read here).
func stripManaged(obj any) (any, error) {
	if o, ok := obj.(metav1.Object); ok {
		o.SetManagedFields(nil)
	}
	return obj, nil
}

package app_test

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
)

// seed writes the Node, the configuration (pool, MD5 peer through a basic-auth
// Secret, advertisement with a community) and the Service with its endpoint.
func seed(t testing.TB, ctx context.Context, c client.Client) {
	t.Helper()
	must(t, c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: nodeName, Labels: map[string]string{"kubernetes.io/hostname": nodeName}}}
	must(t, c.Create(ctx, node))
	node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: speakerIP}}
	must(t, c.Status().Update(ctx, node))
	must(t, c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "md5"},
		Type: corev1.SecretTypeBasicAuth, StringData: map[string]string{"password": labSecret}}))
	must(t, c.Create(ctx, &v1beta1.IPAddressPool{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "vips"},
		Spec: v1beta1.IPAddressPoolSpec{Addresses: []string{"198.18.0.0/24"}}}))
	must(t, c.Create(ctx, &v1beta2.BGPPeer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "router"},
		Spec: v1beta2.BGPPeerSpec{MyASN: speakerASN, ASN: routerASN, Address: routerIP,
			HoldTime: &metav1.Duration{Duration: 9e9}, PasswordSecret: corev1.SecretReference{Name: "md5"}}}))
	must(t, c.Create(ctx, &v1beta1.BGPAdvertisement{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "adv"},
		Spec: v1beta1.BGPAdvertisementSpec{Communities: []string{"64512:100"}}}))
	createService(t, ctx, c)
	must(t, c.Create(ctx, &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Namespace: "default", Name: "web-1", Labels: map[string]string{discoveryv1.LabelServiceName: "web"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints: []discoveryv1.Endpoint{{Addresses: []string{"10.0.0.1"}, NodeName: ptr.To(nodeName),
			Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}}},
	}))
}

// createService creates the ETP Local LoadBalancer Service web with its VIP in
// status, as the controller would have.
func createService(t testing.TB, ctx context.Context, c client.Client) {
	t.Helper()
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal,
			Ports: []corev1.ServicePort{{Port: 80}}}}
	must(t, c.Create(ctx, svc))
	svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: vip}}
	must(t, c.Status().Update(ctx, svc))
}

func setEndpointNode(t testing.TB, ctx context.Context, c client.Client, node string) {
	t.Helper()
	var s discoveryv1.EndpointSlice
	must(t, c.Get(ctx, types.NamespacedName{Namespace: "default", Name: "web-1"}, &s))
	s.Endpoints[0].NodeName = ptr.To(node)
	must(t, c.Update(ctx, &s))
}

func setNodeLabel(t testing.TB, ctx context.Context, c client.Client, key string, value *string) {
	t.Helper()
	var n corev1.Node
	must(t, c.Get(ctx, types.NamespacedName{Name: nodeName}, &n))
	if value == nil {
		delete(n.Labels, key)
	} else {
		n.Labels[key] = *value
	}
	must(t, c.Update(ctx, &n))
}

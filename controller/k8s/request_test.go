package k8s_test

import (
	"errors"
	"net/netip"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/controller/allocator"
	"github.com/bgplb/bgplb/controller/k8s"
)

func svc(mut ...func(*corev1.Service)) *corev1.Service {
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web", Labels: map[string]string{"app": "web"}, Annotations: map[string]string{}},
		Spec: corev1.ServiceSpec{
			Type:       corev1.ServiceTypeLoadBalancer,
			IPFamilies: []corev1.IPFamily{corev1.IPv4Protocol},
			Selector:   map[string]string{"app": "web"},
			Ports:      []corev1.ServicePort{{Protocol: corev1.ProtocolTCP, Port: 80}, {Protocol: corev1.ProtocolUDP, Port: 53}},
		},
	}
	for _, m := range mut {
		m(s)
	}
	return s
}

func ann(k, v string) func(*corev1.Service) {
	return func(s *corev1.Service) { s.Annotations[k] = v }
}

func TestManages(t *testing.T) {
	other, mine := "example.com/other", "example.com/mine"
	cases := []struct {
		name    string
		typ     corev1.ServiceType
		class   *string
		lbClass string
		want    bool
	}{
		{"no class, default controller", corev1.ServiceTypeLoadBalancer, nil, "", true},
		{"class, default controller", corev1.ServiceTypeLoadBalancer, &other, "", false},
		{"no class, classed controller", corev1.ServiceTypeLoadBalancer, nil, mine, false},
		{"matching class", corev1.ServiceTypeLoadBalancer, &mine, mine, true},
		{"other class, classed controller", corev1.ServiceTypeLoadBalancer, &other, mine, false},
		{"ClusterIP", corev1.ServiceTypeClusterIP, nil, "", false},
		{"NodePort", corev1.ServiceTypeNodePort, nil, "", false},
	}
	for _, c := range cases {
		s := svc(func(s *corev1.Service) { s.Spec.Type, s.Spec.LoadBalancerClass = c.typ, c.class })
		if got := k8s.Manages(s, c.lbClass); got != c.want {
			t.Errorf("%s: Manages = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestTranslateAnnotations(t *testing.T) {
	ip := netip.MustParseAddr
	cases := []struct {
		name       string
		svc        *corev1.Service
		ips        []netip.Addr
		pool, key  string
		deprecated int
	}{
		{"nothing asked", svc(), nil, "", "", 0},
		{"loadBalancerIPs", svc(ann("metallb.io/loadBalancerIPs", "192.0.2.1")), []netip.Addr{ip("192.0.2.1")}, "", "", 0},
		{"legacy loadBalancerIPs", svc(ann("metallb.universe.tf/loadBalancerIPs", "192.0.2.1")), []netip.Addr{ip("192.0.2.1")}, "", "", 1},
		{"new wins over legacy", svc(ann("metallb.io/loadBalancerIPs", "192.0.2.1"), ann("metallb.universe.tf/loadBalancerIPs", "192.0.2.9")),
			[]netip.Addr{ip("192.0.2.1")}, "", "", 1},
		{"dual-stack request", svc(ann("metallb.io/loadBalancerIPs", "192.0.2.1, 2001:db8::1")), []netip.Addr{ip("192.0.2.1"), ip("2001:db8::1")}, "", "", 0},
		{"spec.loadBalancerIP", svc(func(s *corev1.Service) { s.Spec.LoadBalancerIP = "198.51.100.7" }), []netip.Addr{ip("198.51.100.7")}, "", "", 0},
		{"address-pool", svc(ann("metallb.io/address-pool", "gold")), nil, "gold", "", 0},
		{"legacy address-pool", svc(ann("metallb.universe.tf/address-pool", "gold")), nil, "gold", "", 1},
		{"allow-shared-ip", svc(ann("metallb.io/allow-shared-ip", "k")), nil, "", "k", 0},
		{"legacy allow-shared-ip", svc(ann("metallb.universe.tf/allow-shared-ip", "k")), nil, "", "k", 1},
		{"all legacy", svc(ann("metallb.universe.tf/allow-shared-ip", "k"), ann("metallb.universe.tf/address-pool", "p")), nil, "p", "k", 2},
	}
	for _, c := range cases {
		req, fs, err := k8s.Translate(c.svc, map[string]string{"team": "a"})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if len(req.RequestedIPs) != len(c.ips) || (len(c.ips) > 0 && req.RequestedIPs[0] != c.ips[0]) {
			t.Errorf("%s: RequestedIPs = %v, want %v", c.name, req.RequestedIPs, c.ips)
		}
		if req.RequestedPool != c.pool || req.SharingKey != c.key {
			t.Errorf("%s: pool %q key %q, want %q %q", c.name, req.RequestedPool, req.SharingKey, c.pool, c.key)
		}
		if len(fs) != c.deprecated {
			t.Errorf("%s: %d deprecation findings, want %d: %v", c.name, len(fs), c.deprecated, fs)
		}
		if req.Key != "ns/web" || req.Namespace != "ns" || req.NamespaceLabels["team"] != "a" || req.ServiceLabels["app"] != "web" {
			t.Errorf("%s: identity fields wrong: %+v", c.name, req)
		}
	}
}

func TestTranslateRefusesMalformed(t *testing.T) {
	bad := map[string]*corev1.Service{
		"annotation and spec": svc(ann("metallb.io/loadBalancerIPs", "192.0.2.1"), func(s *corev1.Service) { s.Spec.LoadBalancerIP = "192.0.2.2" }),
		"not an address":      svc(ann("metallb.io/loadBalancerIPs", "192.0.2.300")),
		"legacy not an addr":  svc(ann("metallb.universe.tf/loadBalancerIPs", "nope")),
		"unknown family":      svc(func(s *corev1.Service) { s.Spec.IPFamilies = []corev1.IPFamily{"IPv5"} }),
	}
	for name, s := range bad {
		_, _, err := k8s.Translate(s, nil)
		if !errors.Is(err, allocator.ErrInvalidRequest) {
			t.Errorf("%s: err = %v, want ErrInvalidRequest", name, err)
		}
		if err != nil && allocator.EventReason(err) != k8s.ReasonLoadBalancerFailed {
			t.Errorf("%s: reason %s, want LoadBalancerFailed", name, allocator.EventReason(err))
		}
	}
}

func TestTranslateFamiliesPortsBackends(t *testing.T) {
	req := func(s *corev1.Service) allocator.Request {
		r, _, err := k8s.Translate(s, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	prefer, require := corev1.IPFamilyPolicyPreferDualStack, corev1.IPFamilyPolicyRequireDualStack
	cases := []struct {
		name   string
		mut    func(*corev1.Service)
		family allocator.Family
		policy allocator.FamilyPolicy
	}{
		{"v4 single", func(*corev1.Service) {}, allocator.IPv4, allocator.SingleStack},
		{"v6 single", func(s *corev1.Service) { s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv6Protocol} }, allocator.IPv6, allocator.SingleStack},
		{"prefer in a single-stack cluster", func(s *corev1.Service) { s.Spec.IPFamilyPolicy = &prefer }, allocator.IPv4, allocator.SingleStack},
		{"prefer dual", func(s *corev1.Service) {
			s.Spec.IPFamilyPolicy = &prefer
			s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv6Protocol, corev1.IPv4Protocol}
		}, allocator.IPv6, allocator.PreferDualStack},
		{"require dual", func(s *corev1.Service) {
			s.Spec.IPFamilyPolicy = &require
			s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv4Protocol, corev1.IPv6Protocol}
		}, allocator.IPv4, allocator.RequireDualStack},
		{"undefaulted, from cluster IP", func(s *corev1.Service) {
			s.Spec.IPFamilies, s.Spec.ClusterIP = nil, "2001:db8::5"
		}, allocator.IPv6, allocator.SingleStack},
	}
	for _, c := range cases {
		r := req(svc(c.mut))
		if r.Family != c.family || r.Policy != c.policy {
			t.Errorf("%s: %v/%v, want %v/%v", c.name, r.Family, r.Policy, c.family, c.policy)
		}
	}
	r := req(svc())
	if len(r.Ports) != 2 || r.Ports[0] != (allocator.Port{Proto: "TCP", Port: 80}) || r.Ports[1] != (allocator.Port{Proto: "UDP", Port: 53}) {
		t.Errorf("ports = %v", r.Ports)
	}
	if r.Backends != "" {
		t.Errorf("Cluster policy: backends %q, want empty", r.Backends)
	}
	local := req(svc(func(s *corev1.Service) { s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal }))
	if local.Backends == "" || local.Backends != allocator.BackendKey(true, map[string]string{"app": "web"}) {
		t.Errorf("Local policy: backends %q", local.Backends)
	}
}

func TestIngressIPs(t *testing.T) {
	s := svc(func(s *corev1.Service) {
		s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "192.0.2.1"}, {Hostname: "lb.example"}, {IP: "junk"}, {IP: "2001:db8::1"}, {IP: "192.0.2.1"}}
	})
	got := k8s.IngressIPs(s)
	want := []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("IngressIPs = %v, want %v", got, want)
	}
}

package allocator

import (
	"errors"
	"net/netip"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/config"
)

// poolOpt changes one IPAddressPool of a test configuration.
type poolOpt func(*v1beta1.IPAddressPool)

func pool(name string, addrs []string, opts ...poolOpt) v1beta1.IPAddressPool {
	p := v1beta1.IPAddressPool{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: config.DefaultNamespace},
		Spec:       v1beta1.IPAddressPoolSpec{Addresses: addrs},
	}
	for _, o := range opts {
		o(&p)
	}
	return p
}

func manual(p *v1beta1.IPAddressPool) { f := false; p.Spec.AutoAssign = &f }

func avoidBuggy(p *v1beta1.IPAddressPool) { p.Spec.AvoidBuggyIPs = true }

func allocation() *v1beta1.ServiceAllocation { return &v1beta1.ServiceAllocation{} }

func priority(n int) poolOpt {
	return func(p *v1beta1.IPAddressPool) {
		if p.Spec.AllocateTo == nil {
			p.Spec.AllocateTo = allocation()
		}
		p.Spec.AllocateTo.Priority = n
	}
}

func namespaces(ns ...string) poolOpt {
	return func(p *v1beta1.IPAddressPool) {
		if p.Spec.AllocateTo == nil {
			p.Spec.AllocateTo = allocation()
		}
		p.Spec.AllocateTo.Namespaces = ns
	}
}

func nsSelector(kv map[string]string) poolOpt {
	return func(p *v1beta1.IPAddressPool) {
		if p.Spec.AllocateTo == nil {
			p.Spec.AllocateTo = allocation()
		}
		p.Spec.AllocateTo.NamespaceSelectors = append(p.Spec.AllocateTo.NamespaceSelectors, metav1.LabelSelector{MatchLabels: kv})
	}
}

func svcSelector(kv map[string]string) poolOpt {
	return func(p *v1beta1.IPAddressPool) {
		if p.Spec.AllocateTo == nil {
			p.Spec.AllocateTo = allocation()
		}
		p.Spec.AllocateTo.ServiceSelectors = append(p.Spec.AllocateTo.ServiceSelectors, metav1.LabelSelector{MatchLabels: kv})
	}
}

// cfg runs the real config core on the pools; the test fails on any error finding.
func cfg(t testing.TB, pools ...v1beta1.IPAddressPool) *config.Config {
	t.Helper()
	c, fs := config.For(config.Resources{Pools: pools}, config.Options{})
	if c == nil {
		t.Fatalf("config.For: %v", fs)
	}
	return c
}

// newAlloc returns an allocator on the pools.
func newAlloc(t testing.TB, pools ...v1beta1.IPAddressPool) *Allocator {
	t.Helper()
	a := New()
	if ch := a.SetPools(cfg(t, pools...)); len(ch) != 0 {
		t.Fatalf("SetPools on an empty allocator reported %v", ch)
	}
	return a
}

// reqOpt changes a test request.
type reqOpt func(*Request)

// req builds a request for "ns/name" (default namespace "default"), single-stack IPv4.
func req(key string, opts ...reqOpt) Request {
	ns, _, _ := cutKey(key)
	r := Request{Key: key, Namespace: ns, Ports: []Port{{"TCP", 80}}}
	for _, o := range opts {
		o(&r)
	}
	return r
}

func cutKey(k string) (string, string, bool) {
	for i := range k {
		if k[i] == '/' {
			return k[:i], k[i+1:], true
		}
	}
	return "default", k, false
}

func ips(s ...string) reqOpt {
	return func(r *Request) { r.RequestedIPs = addrs(s...) }
}
func inPool(name string) reqOpt    { return func(r *Request) { r.RequestedPool = name } }
func share(key string) reqOpt      { return func(r *Request) { r.SharingKey = key } }
func backends(b string) reqOpt     { return func(r *Request) { r.Backends = b } }
func v6(r *Request)                { r.Family = IPv6 }
func policy(p FamilyPolicy) reqOpt { return func(r *Request) { r.Policy = p } }
func ports(ps ...Port) reqOpt      { return func(r *Request) { r.Ports = ps } }
func nsLabels(kv map[string]string) reqOpt {
	return func(r *Request) { r.NamespaceLabels = labels.Set(kv) }
}
func svcLabels(kv map[string]string) reqOpt {
	return func(r *Request) { r.ServiceLabels = labels.Set(kv) }
}

func addrs(s ...string) []netip.Addr {
	out := make([]netip.Addr, len(s))
	for i, x := range s {
		out[i] = netip.MustParseAddr(x)
	}
	return out
}

// want checks got against the expected addresses (nil = an error of kind wantErr).
func check(t *testing.T, got Allocation, err error, wantIPs []string, wantErr error) {
	t.Helper()
	if wantErr != nil {
		if !errors.Is(err, wantErr) {
			t.Fatalf("got %v, %v; want error %v", got, err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if !equalAddrs(got.IPs, addrs(wantIPs...)) {
		t.Fatalf("got %v from %s, want %v", got.IPs, got.Pool, wantIPs)
	}
}

func equalAddrs(a, b []netip.Addr) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

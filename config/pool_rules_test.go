package config

import (
	"net/netip"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/bgplb/bgplb/api/v1beta1"
)

func TestPoolRules(t *testing.T) {
	addrs := func(a ...string) func(*Resources) {
		return func(r *Resources) { r.Pools[0].Spec.Addresses = a }
	}
	alloc := func(a v1beta1.ServiceAllocation) func(*Resources) {
		return func(r *Resources) { r.Pools[0].Spec.AllocateTo = &a }
	}
	sel := func(op metav1.LabelSelectorOperator, vals ...string) metav1.LabelSelector {
		return metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "team", Operator: op, Values: vals}}}
	}
	const pa = "IPAddressPool/pool-a"
	runRules(t, []ruleCase{
		{name: "cidr ok"},
		{name: "range ok", mut: addrs("198.51.100.10-198.51.100.20")},
		{name: "range with spaces ok", mut: addrs("198.51.100.10 - 198.51.100.20")},
		{name: "v4 and v6 mixed ok", mut: addrs("198.51.100.0/24", "2001:db8::/120", "2001:db8:1::1-2001:db8:1::ff")},
		{name: "bad cidr", mut: addrs("198.51.100.0/33"), want: []string{E("pool-address-invalid", pa, "spec.addresses[0]")}},
		{name: "not an address", mut: addrs("198.51.100.0/24", "pool"), want: []string{E("pool-address-invalid", pa, "spec.addresses[1]")}},
		{name: "range reversed", mut: addrs("198.51.100.20-198.51.100.10"), want: []string{E("pool-address-invalid", pa, "spec.addresses[0]")}},
		{name: "range mixed family (MetalLB: no address)", mut: addrs("198.51.100.1-2001:db8::1"), want: []string{W("pool-range-mixed", pa, "spec.addresses[0]")}},
		{name: "IPv4-mapped entry overlaps an IPv4 entry", mut: addrs("198.51.100.0/24", "::ffff:198.51.100.0/120"),
			want: []string{E("pool-overlap", pa, "spec.addresses[1]")}},
		{name: "range mixed family, start after end", mut: addrs("198.51.100.1-::1"), want: []string{E("pool-address-invalid", pa, "spec.addresses[0]")}},
		{name: "host bits", mut: addrs("198.51.100.7/24"), want: []string{W("pool-address-host-bits", pa, "spec.addresses[0]")}},
		{name: "empty", mut: addrs(), want: []string{E("pool-empty", pa, "spec.addresses")}},
		{name: "overlap within pool", mut: addrs("198.51.100.0/24", "198.51.100.128/25"), want: []string{E("pool-overlap", pa, "spec.addresses[1]")}},
		{name: "range overlaps cidr", mut: addrs("198.51.100.0/28", "198.51.100.15-198.51.100.20"), want: []string{E("pool-overlap", pa, "spec.addresses[1]")}},
		{name: "adjacent ok", mut: addrs("198.51.100.0/25", "198.51.100.128/25")},
		{name: "overlap across pools", mut: func(r *Resources) {
			r.Pools = append(r.Pools, pool("pool-b", "198.51.100.64/26"))
		}, want: []string{E("pool-overlap", "IPAddressPool/pool-b", "spec.addresses[0]")}},
		{name: "disjoint pools ok", mut: func(r *Resources) { r.Pools = append(r.Pools, pool("pool-b", "203.0.113.0/24")) }},
		{name: "duplicate name", mut: func(r *Resources) { r.Pools = append(r.Pools, pool("pool-a", "203.0.113.0/24")) },
			want: []string{E("duplicate-name", pa, "metadata.name")}},
		{name: "no name", mut: func(r *Resources) { r.Pools = append(r.Pools, pool("", "203.0.113.0/24")) },
			want: []string{E("name-missing", "IPAddressPool/", "metadata.name")}},
		{name: "other namespace ignored", mut: func(r *Resources) {
			p := pool("pool-b", "198.51.100.0/24") // would overlap if it were read
			p.Namespace = "default"
			r.Pools = append(r.Pools, p)
		}, want: []string{W("namespace-foreign", "IPAddressPool/pool-b", "metadata.namespace")}},
		{name: "allocation ok", mut: alloc(v1beta1.ServiceAllocation{Priority: 5, Namespaces: []string{"a", "b"},
			NamespaceSelectors: []metav1.LabelSelector{sel(metav1.LabelSelectorOpIn, "x", "y")},
			ServiceSelectors:   []metav1.LabelSelector{sel(metav1.LabelSelectorOpExists), sel(metav1.LabelSelectorOpNotIn, "z")}})},
		{name: "allocation duplicate namespace", mut: alloc(v1beta1.ServiceAllocation{Namespaces: []string{"a", "a"}}),
			want: []string{E("duplicate-entry", pa, "spec.serviceAllocation.namespaces[1]")}},
		{name: "allocation bad operator", mut: alloc(v1beta1.ServiceAllocation{NamespaceSelectors: []metav1.LabelSelector{sel("Near", "x")}}),
			want: []string{E("selector-invalid", pa, "spec.serviceAllocation.namespaceSelectors[0]")}},
		{name: "allocation In without values", mut: alloc(v1beta1.ServiceAllocation{ServiceSelectors: []metav1.LabelSelector{sel(metav1.LabelSelectorOpIn)}}),
			want: []string{E("selector-invalid", pa, "spec.serviceAllocation.serviceSelectors[0]")}},
		{name: "allocation duplicate selector", mut: alloc(v1beta1.ServiceAllocation{ServiceSelectors: []metav1.LabelSelector{
			sel(metav1.LabelSelectorOpIn, "x", "y"), sel(metav1.LabelSelectorOpIn, "y", "x")}}),
			want: []string{E("selector-duplicate", pa, "spec.serviceAllocation.serviceSelectors[1]")}},
		{name: "allocation duplicate value", mut: alloc(v1beta1.ServiceAllocation{ServiceSelectors: []metav1.LabelSelector{sel(metav1.LabelSelectorOpIn, "x", "x")}}),
			want: []string{E("selector-duplicate", pa, "spec.serviceAllocation.serviceSelectors[0].matchExpressions[0].values[1]")}},
		{name: "unadvertised pool", mut: func(r *Resources) {
			r.Pools = append(r.Pools, pool("pool-b", "203.0.113.0/24"))
			r.BGPAdvertisements[0].Spec.IPAddressPools = []string{"pool-a"}
		}, want: []string{W("pool-unadvertised", "IPAddressPool/pool-b", "")}},
	})
}

func TestPoolResolution(t *testing.T) {
	r := base()
	r.Pools[0].Spec.Addresses = []string{"198.51.100.10-198.51.100.20", "2001:db8::/126"}
	r.Pools[0].Spec.AvoidBuggyIPs = true
	r.Pools[0].Spec.AutoAssign = ptr(false)
	r.Pools = append(r.Pools, pool("pool-b", "198.51.100.255/32"))
	r.Pools[1].Spec.AvoidBuggyIPs = true
	r.Pools[1].Spec.AllocateTo = &v1beta1.ServiceAllocation{
		Priority: 3, Namespaces: []string{"web", "api"},
		NamespaceSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"tier": "front"}}},
		ServiceSelectors:   []metav1.LabelSelector{{MatchLabels: map[string]string{"expose": "yes"}}},
	}
	r.Namespaces = []corev1.Namespace{{ObjectMeta: metav1.ObjectMeta{Name: "shop", Labels: map[string]string{"tier": "front"}}}}
	cfg, fs := For(r, Options{})
	if cfg == nil {
		t.Fatalf("unexpected errors:\n%s", dump(fs))
	}
	a := cfg.Pool("pool-a")
	want := []netip.Prefix{
		netip.MustParsePrefix("198.51.100.10/31"), netip.MustParsePrefix("198.51.100.12/30"),
		netip.MustParsePrefix("198.51.100.16/30"), netip.MustParsePrefix("198.51.100.20/32"),
		netip.MustParsePrefix("2001:db8::/126"),
	}
	if !slices.Equal(a.Prefixes, want) {
		t.Errorf("prefixes = %v, want %v", a.Prefixes, want)
	}
	if a.AutoAssign || !a.AvoidBuggyIPs || a.Allocation != nil {
		t.Errorf("pool-a flags: %+v", a)
	}
	for addr, in := range map[string]bool{"198.51.100.9": false, "198.51.100.10": true, "198.51.100.20": true, "198.51.100.21": false, "2001:db8::3": true} {
		if got := a.Contains(netip.MustParseAddr(addr)); got != in {
			t.Errorf("Contains(%s) = %v, want %v", addr, got, in)
		}
	}
	b := cfg.Pool("pool-b")
	if b.Assignable(netip.MustParseAddr("198.51.100.255")) {
		t.Error("avoidBuggyIPs pool hands out .255")
	}
	if !b.AutoAssign || b.Allocation.Priority != 3 || !slices.Equal(b.Allocation.Namespaces, []string{"api", "web"}) {
		t.Errorf("pool-b allocation: %+v", b.Allocation)
	}
	expose := labels.Set{"expose": "yes"}
	for _, c := range []struct {
		ns       string
		nsLabels labels.Set
		svc      labels.Set
		want     bool
	}{
		{"web", nil, expose, true},
		{"shop", labels.Set{"tier": "front"}, expose, true},
		{"other", nil, expose, false},
		{"web", nil, labels.Set{"expose": "no"}, false},
	} {
		if got := b.AllowsService(c.ns, c.nsLabels, c.svc); got != c.want {
			t.Errorf("AllowsService(%s, %v, %v) = %v, want %v", c.ns, c.nsLabels, c.svc, got, c.want)
		}
	}
	if got := cfg.PoolFor(netip.MustParseAddr("198.51.100.255")); got != b {
		t.Errorf("PoolFor = %v", got)
	}
	if names := []string{cfg.Pools[0].Name, cfg.Pools[1].Name}; !slices.IsSorted(names) {
		t.Errorf("pools not sorted: %v", names)
	}
}

func TestSummarizeCoversExactly(t *testing.T) {
	for _, c := range []struct{ from, to string }{
		{"192.0.2.0", "192.0.2.255"}, {"192.0.2.1", "192.0.2.254"}, {"0.0.0.0", "255.255.255.255"},
		{"192.0.2.7", "192.0.2.7"}, {"2001:db8::1", "2001:db8::1:0"}, {"::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
	} {
		from, to := netip.MustParseAddr(c.from), netip.MustParseAddr(c.to)
		pfxs := summarize(from, to)
		next := from
		for _, p := range pfxs {
			if p.Addr() != next || p != p.Masked() {
				t.Fatalf("%s-%s: %v is not contiguous/aligned at %s", c.from, c.to, pfxs, next)
			}
			next = lastAddr(p).Next()
		}
		if last := lastAddr(pfxs[len(pfxs)-1]); last != to {
			t.Errorf("%s-%s: ends at %s", c.from, c.to, last)
		}
	}
}

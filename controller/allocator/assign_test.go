package allocator

import (
	"testing"

	"github.com/bgplb/bgplb/api/v1beta1"
)

// TestAssignRules covers requested addresses (Assign through Ensure), each rule both
// ways: allowed, then refused.
func TestAssignRules(t *testing.T) {
	web := map[string]string{"app": "web"}
	cases := []struct {
		name    string
		pools   []v1beta1.IPAddressPool
		before  []Request // Ensured first, each must succeed
		req     Request
		want    []string
		wantErr error
	}{
		{name: "requested IP in an autoAssign pool",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24"})},
			req:   req("default/s", ips("198.51.100.7")), want: []string{"198.51.100.7"}},
		{name: "requested IP honoured in an autoAssign=false pool",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24"}, manual)},
			req:   req("default/s", ips("198.51.100.7")), want: []string{"198.51.100.7"}},
		{name: "requested IP in no pool is refused",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24"})},
			req:   req("default/s", ips("203.0.113.7")), wantErr: ErrNotInPool},
		{name: "buggy .0 allowed without avoidBuggyIPs",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24"})},
			req:   req("default/s", ips("198.51.100.0")), want: []string{"198.51.100.0"}},
		{name: "buggy .255 refused with avoidBuggyIPs",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24"}, avoidBuggy)},
			req:   req("default/s", ips("198.51.100.255")), wantErr: ErrNotInPool},
		{name: "namespace listed in serviceAllocation",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24"}, manual, namespaces("prod"))},
			req:   req("prod/s", ips("198.51.100.7")), want: []string{"198.51.100.7"}},
		{name: "namespace not listed in serviceAllocation, even for a requested IP",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24"}, manual, namespaces("prod"))},
			req:   req("dev/s", ips("198.51.100.7")), wantErr: ErrNotAllowed},
		{name: "namespace selected by label",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24"}, nsSelector(map[string]string{"team": "x"}))},
			req:   req("dev/s", ips("198.51.100.7"), nsLabels(map[string]string{"team": "x"})), want: []string{"198.51.100.7"}},
		{name: "namespace label not selected",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24"}, nsSelector(map[string]string{"team": "x"}))},
			req:   req("dev/s", ips("198.51.100.7"), nsLabels(map[string]string{"team": "y"})), wantErr: ErrNotAllowed},
		{name: "service selected by label",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24"}, svcSelector(web))},
			req:   req("dev/s", ips("198.51.100.7"), svcLabels(web)), want: []string{"198.51.100.7"}},
		{name: "service label not selected",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24"}, svcSelector(web))},
			req:   req("dev/s", ips("198.51.100.7")), wantErr: ErrNotAllowed},
		{name: "requested IP in the requested pool",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24"}), pool("b", []string{"203.0.113.0/24"})},
			req:   req("default/s", ips("203.0.113.9"), inPool("b")), want: []string{"203.0.113.9"}},
		{name: "requested IP outside the requested pool",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24"}), pool("b", []string{"203.0.113.0/24"})},
			req:   req("default/s", ips("203.0.113.9"), inPool("a")), wantErr: ErrPoolMismatch},
		{name: "dual-stack requested IPs from one pool",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24", "2001:db8::/64"})},
			req:   req("default/s", ips("2001:db8::5", "198.51.100.5"), policy(RequireDualStack)), want: []string{"198.51.100.5", "2001:db8::5"}},
		{name: "dual-stack requested IPs from two pools",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24"}), pool("b", []string{"2001:db8::/64"})},
			req:   req("default/s", ips("198.51.100.5", "2001:db8::5"), policy(RequireDualStack)), wantErr: ErrNotInPool},
		{name: "single-stack IPv6 service asking for an IPv6 address",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"2001:db8::/64"})},
			req:   req("default/s", ips("2001:db8::5"), v6), want: []string{"2001:db8::5"}},
		{name: "single-stack IPv4 service asking for an IPv6 address",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"2001:db8::/64"})},
			req:   req("default/s", ips("2001:db8::5")), wantErr: ErrFamily},
		{name: "RequireDualStack with one requested address",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24", "2001:db8::/64"})},
			req:   req("default/s", ips("198.51.100.5"), policy(RequireDualStack)), wantErr: ErrFamily},
		{name: "two addresses of one family",
			pools: []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24"})},
			req:   req("default/s", ips("198.51.100.5", "198.51.100.6"), policy(PreferDualStack)), wantErr: ErrFamily},
		{name: "requested IP free",
			pools:  []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24"})},
			before: []Request{req("default/other", ips("198.51.100.6"))},
			req:    req("default/s", ips("198.51.100.5")), want: []string{"198.51.100.5"}},
		{name: "requested IP held by a service that does not share",
			pools:  []v1beta1.IPAddressPool{pool("a", []string{"198.51.100.0/24"})},
			before: []Request{req("default/other", ips("198.51.100.5"))},
			req:    req("default/s", ips("198.51.100.5")), wantErr: ErrInUse},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newAlloc(t, c.pools...)
			for _, b := range c.before {
				if _, err := a.Ensure(b); err != nil {
					t.Fatalf("setup %s: %v", b.Key, err)
				}
			}
			res, err := a.Ensure(c.req)
			check(t, res.Allocation, err, c.want, c.wantErr)
			if err != nil {
				if _, held := a.Get(c.req.Key); held {
					t.Fatalf("a refused request left %s holding addresses", c.req.Key)
				}
			}
		})
	}
}

// TestAssignAtomic: a refused Assign keeps what the key held; a successful one
// replaces it and frees the old address.
func TestAssignAtomic(t *testing.T) {
	a := newAlloc(t, pool("a", []string{"198.51.100.0/24"}))
	s := req("default/s")
	if _, err := a.Assign(s, addrs("198.51.100.1")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Assign(s, addrs("203.0.113.1")); err == nil {
		t.Fatal("assigned an address in no pool")
	}
	if got, _ := a.Get("default/s"); !equalAddrs(got.IPs, addrs("198.51.100.1")) {
		t.Fatalf("failed Assign changed the allocation to %v", got.IPs)
	}
	if _, err := a.Assign(s, addrs("198.51.100.2")); err != nil {
		t.Fatal(err)
	}
	c, _ := a.PoolCounters("a")
	if c.AssignedIPv4 != 1 {
		t.Fatalf("replacing an address left %d assigned, want 1", c.AssignedIPv4)
	}
	got, err := a.Allocate(req("default/t"))
	check(t, got, err, []string{"198.51.100.0"}, nil)
	got, err = a.Allocate(req("default/u"))
	check(t, got, err, []string{"198.51.100.1"}, nil) // the replaced address is free again
}

// TestMessages pins the wording users see in AllocationFailed events.
func TestMessages(t *testing.T) {
	a := newAlloc(t, pool("full", []string{"198.18.0.5/32"}), pool("prod", []string{"198.51.100.0/24"}, namespaces("prod")))
	if _, err := a.Ensure(req("ns/other", ips("198.18.0.5"), share("k"))); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		req  Request
		pool string
		want string
	}{
		{req("ns/s", ips("198.18.0.5"), share("k")), "",
			"IP 198.18.0.5 is already in use by ns/other (not shareable: ports clash on TCP/80)"},
		{req("ns/s", ips("198.18.0.5")), "",
			"IP 198.18.0.5 is already in use by ns/other (not shareable: ns/s does not allow sharing)"},
		{req("ns/s"), "full", "no available IPs in pool full for ns/s (IPv4)"},
		{req("ns/s"), "prod", "pool prod does not allow service ns/s: namespace not selected"},
		{req("ns/s"), "nope", `unknown pool "nope" requested by ns/s`},
	}
	for _, c := range cases {
		var err error
		if c.pool != "" {
			_, err = a.AllocateFromPool(c.req, c.pool)
		} else {
			_, err = a.Ensure(c.req)
		}
		if err == nil || err.Error() != c.want {
			t.Errorf("got %v\nwant %s", err, c.want)
		}
		if EventReason(err) != "AllocationFailed" {
			t.Errorf("reason %s for %v", EventReason(err), err)
		}
	}
}

package allocator

import (
	"testing"

	"github.com/bgplb/bgplb/api/v1beta1"
)

type pools = []v1beta1.IPAddressPool

// TestAllocateOrder covers pool choice for Allocate and AllocateFromPool, both ways.
func TestAllocateOrder(t *testing.T) {
	web := map[string]string{"app": "web"}
	cases := []struct {
		name    string
		pools   pools
		before  []Request
		req     Request
		pool    string // AllocateFromPool when set
		want    []string
		wantErr error
	}{
		{name: "generic pools in name order",
			pools: pools{pool("b", []string{"203.0.113.0/24"}), pool("a", []string{"198.51.100.0/24"})},
			req:   req("default/s"), want: []string{"198.51.100.0"}},
		{name: "autoAssign=false pool skipped by Allocate",
			pools: pools{pool("a", []string{"198.51.100.0/24"}, manual), pool("b", []string{"203.0.113.0/24"})},
			req:   req("default/s"), want: []string{"203.0.113.0"}},
		{name: "only autoAssign=false pools: Allocate fails",
			pools: pools{pool("a", []string{"198.51.100.0/24"}, manual)},
			req:   req("default/s"), wantErr: ErrNoAvailableIPs},
		{name: "autoAssign=false pool used by name",
			pools: pools{pool("a", []string{"198.51.100.0/24"}, manual)},
			req:   req("default/s"), pool: "a", want: []string{"198.51.100.0"}},
		{name: "requested pool through Ensure",
			pools: pools{pool("a", []string{"198.51.100.0/24"}), pool("b", []string{"203.0.113.0/24"}, manual)},
			req:   req("default/s", inPool("b")), want: []string{"203.0.113.0"}},
		{name: "unknown pool",
			pools: pools{pool("a", []string{"198.51.100.0/24"})},
			req:   req("default/s"), pool: "zzz", wantErr: ErrUnknownPool},
		{name: "pool by name still checks serviceAllocation",
			pools: pools{pool("a", []string{"198.51.100.0/24"}, manual, svcSelector(web))},
			req:   req("default/s"), pool: "a", wantErr: ErrNotAllowed},
		{name: "pool by name with a matching service selector",
			pools: pools{pool("a", []string{"198.51.100.0/24"}, manual, svcSelector(web))},
			req:   req("default/s", svcLabels(web)), pool: "a", want: []string{"198.51.100.0"}},
		{name: "pinned pool before generic pools",
			pools: pools{pool("a", []string{"198.51.100.0/24"}), pool("z", []string{"203.0.113.0/24"}, namespaces("prod"))},
			req:   req("prod/s"), want: []string{"203.0.113.0"}},
		{name: "pinned pool that does not select the service is not used",
			pools: pools{pool("a", []string{"198.51.100.0/24"}), pool("z", []string{"203.0.113.0/24"}, namespaces("prod"))},
			req:   req("dev/s"), want: []string{"198.51.100.0"}},
		{name: "lower priority number first",
			pools: pools{pool("p1", []string{"198.51.100.0/24"}, namespaces("prod"), priority(20)), pool("p2", []string{"203.0.113.0/24"}, namespaces("prod"), priority(10))},
			req:   req("prod/s"), want: []string{"203.0.113.0"}},
		{name: "priority 0 after prioritised pools",
			pools: pools{pool("p1", []string{"198.51.100.0/24"}, namespaces("prod")), pool("p2", []string{"203.0.113.0/24"}, namespaces("prod"), priority(50))},
			req:   req("prod/s"), want: []string{"203.0.113.0"}},
		{name: "equal priority: name order",
			pools: pools{pool("p2", []string{"198.51.100.0/24"}, namespaces("prod"), priority(5)), pool("p1", []string{"203.0.113.0/24"}, namespaces("prod"), priority(5))},
			req:   req("prod/s"), want: []string{"203.0.113.0"}},
		{name: "full pinned pool falls back to generic",
			pools:  pools{pool("a", []string{"198.51.100.0/24"}), pool("z", []string{"203.0.113.1/32"}, namespaces("prod"))},
			before: []Request{req("prod/first")},
			req:    req("prod/s"), want: []string{"198.51.100.0"}},
		{name: "pinned autoAssign=false pool is not auto-used",
			pools: pools{pool("a", []string{"198.51.100.0/24"}), pool("z", []string{"203.0.113.0/24"}, manual, namespaces("prod"))},
			req:   req("prod/s"), want: []string{"198.51.100.0"}},
		{name: "avoidBuggyIPs skips .0",
			pools: pools{pool("a", []string{"198.51.100.0/24"}, avoidBuggy)},
			req:   req("default/s"), want: []string{"198.51.100.1"}},
		{name: "avoidBuggyIPs skips .255 and the next .0",
			pools:  pools{pool("a", []string{"198.51.100.254-198.51.101.1"}, avoidBuggy)},
			before: []Request{req("default/first")},
			req:    req("default/s"), want: []string{"198.51.101.1"}},
		{name: "prefixes in the order the pool lists them",
			pools: pools{pool("a", []string{"203.0.113.0/24", "198.51.100.0/24"})},
			req:   req("default/s"), want: []string{"203.0.113.0"}},
		{name: "pool full",
			pools:  pools{pool("a", []string{"198.51.100.1/32"})},
			before: []Request{req("default/first")},
			req:    req("default/s"), pool: "a", wantErr: ErrNoAvailableIPs},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newAlloc(t, c.pools...)
			for _, b := range c.before {
				if _, err := a.Ensure(b); err != nil {
					t.Fatalf("setup %s: %v", b.Key, err)
				}
			}
			var got Allocation
			var err error
			if c.pool != "" {
				got, err = a.AllocateFromPool(c.req, c.pool)
			} else {
				var res Result
				res, err = a.Ensure(c.req)
				got = res.Allocation
			}
			check(t, got, err, c.want, c.wantErr)
		})
	}
}

// TestDualStack covers the family policies.
func TestDualStack(t *testing.T) {
	dual := pool("dual", []string{"198.51.100.0/24", "2001:db8:1::/64"})
	only4 := pool("a4", []string{"203.0.113.0/24"})
	only6 := pool("a6", []string{"2001:db8:6::/64"})
	cases := []struct {
		name    string
		pools   pools
		req     Request
		want    []string
		wantErr error
	}{
		{"single-stack IPv6", pools{only4, only6}, req("default/s", v6), []string{"2001:db8:6::"}, nil},
		{"single-stack IPv4 skips an IPv6-only pool", pools{only6, pool("b4", []string{"203.0.113.0/24"})}, req("default/s"), []string{"203.0.113.0"}, nil},
		{"single-stack IPv6 with no IPv6 pool", pools{only4}, req("default/s", v6), nil, ErrNoAvailableIPs},
		{"PreferDualStack takes both from one pool", pools{dual}, req("default/s", policy(PreferDualStack)), []string{"198.51.100.0", "2001:db8:1::"}, nil},
		{"PreferDualStack with IPv6 primary orders IPv6 first", pools{dual}, req("default/s", v6, policy(PreferDualStack)), []string{"2001:db8:1::", "198.51.100.0"}, nil},
		{"PreferDualStack prefers a later pool with both families", pools{only4, dual}, req("default/s", policy(PreferDualStack)), []string{"198.51.100.0", "2001:db8:1::"}, nil},
		{"PreferDualStack without a dual pool takes the primary family", pools{only6, only4}, req("default/s", policy(PreferDualStack)), []string{"203.0.113.0"}, nil},
		{"PreferDualStack falls back to the other family", pools{only6}, req("default/s", policy(PreferDualStack)), []string{"2001:db8:6::"}, nil},
		{"RequireDualStack from one pool", pools{only4, only6, dual}, req("default/s", policy(RequireDualStack)), []string{"198.51.100.0", "2001:db8:1::"}, nil},
		{"RequireDualStack never mixes two pools", pools{only4, only6}, req("default/s", policy(RequireDualStack)), nil, ErrNoAvailableIPs},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newAlloc(t, c.pools...)
			res, err := a.Ensure(c.req)
			check(t, res.Allocation, err, c.want, c.wantErr)
		})
	}
}

// TestPreferDualStackAddsFamily: a PreferDualStack Service that got one family gets
// the other from the same pool once the pool has it, keeping its first address.
func TestPreferDualStackAddsFamily(t *testing.T) {
	a := newAlloc(t, pool("p", []string{"198.51.100.0/24"}))
	r := req("default/s", policy(PreferDualStack))
	res, err := a.Ensure(r)
	check(t, res.Allocation, err, []string{"198.51.100.0"}, nil)
	if ch := a.SetPools(cfg(t, pool("p", []string{"198.51.100.0/24", "2001:db8::/64"}))); len(ch) != 0 {
		t.Fatalf("growing a pool changed %v", ch)
	}
	res, err = a.Ensure(r)
	check(t, res.Allocation, err, []string{"198.51.100.0", "2001:db8::"}, nil)
	if !res.Changed || res.Cleared != nil {
		t.Fatalf("result %+v: want Changed and nothing cleared", res)
	}
}

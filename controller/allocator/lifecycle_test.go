package allocator

import (
	"errors"
	"math"
	"net/netip"
	"testing"
)

// TestEnsureIdempotentAndChanges: re-Ensure keeps the address; a changed request
// releases the old one and says so.
func TestEnsureIdempotentAndChanges(t *testing.T) {
	a := newAlloc(t, pool("a", []string{"198.51.100.0/24"}), pool("b", []string{"203.0.113.0/24"}, manual))
	r := req("default/s")
	first, err := a.Ensure(r)
	check(t, first.Allocation, err, []string{"198.51.100.0"}, nil)
	if !first.Changed {
		t.Fatal("first Ensure not reported as a change")
	}
	for range 2 {
		again, err := a.Ensure(r)
		check(t, again.Allocation, err, []string{"198.51.100.0"}, nil)
		if again.Changed || again.Cleared != nil {
			t.Fatalf("idempotent Ensure reported %+v", again)
		}
	}
	r.RequestedIPs = addrs("198.51.100.9")
	moved, err := a.Ensure(r)
	check(t, moved.Allocation, err, []string{"198.51.100.9"}, nil)
	if !moved.Changed || !errors.Is(moved.ClearReason, ErrRequestChanged) || len(moved.Cleared) != 1 {
		t.Fatalf("changed request: %+v", moved)
	}
	r.RequestedIPs = nil
	r.RequestedPool = "b"
	moved, err = a.Ensure(r)
	check(t, moved.Allocation, err, []string{"203.0.113.0"}, nil)
	if c, _ := a.PoolCounters("a"); c.AssignedIPv4 != 0 {
		t.Fatalf("old pool still counts %d assigned", c.AssignedIPv4)
	}
	// A refused change leaves the Service without an address (MetalLB clears).
	r.RequestedPool = "nope"
	res, err := a.Ensure(r)
	if !errors.Is(err, ErrUnknownPool) || res.Cleared == nil {
		t.Fatalf("got %+v, %v", res, err)
	}
	if _, held := a.Get(r.Key); held {
		t.Fatal("still holds an address after a refused change")
	}
}

// TestReleaseReuse: released addresses come back lowest first; Release of an
// unknown key is a no-op.
func TestReleaseReuse(t *testing.T) {
	a := newAlloc(t, pool("a", []string{"198.51.100.0/29"}))
	for i := range 8 {
		if _, err := a.Allocate(req("default/s" + string(rune('0'+i)))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Allocate(req("default/full")); !errors.Is(err, ErrNoAvailableIPs) {
		t.Fatalf("allocated from a full pool: %v", err)
	}
	if a.Release("default/nobody") {
		t.Fatal("released an unknown key")
	}
	a.Release("default/s5")
	a.Release("default/s2")
	got, err := a.Allocate(req("default/x"))
	check(t, got, err, []string{"198.51.100.2"}, nil)
	// An explicit Assign of a released address takes it out of the free space.
	if _, err := a.Ensure(req("default/y", ips("198.51.100.5"))); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Allocate(req("default/z")); !errors.Is(err, ErrNoAvailableIPs) {
		t.Fatalf("handed out an address twice: %v", err)
	}
}

// TestSetPools: a config change keeps what still fits, reports the rest.
func TestSetPools(t *testing.T) {
	a := newAlloc(t,
		pool("a", []string{"198.51.100.0/24"}),
		pool("b", []string{"203.0.113.0/24"}),
		pool("prod", []string{"192.0.2.0/24"}, namespaces("prod")))
	must := func(r Request) {
		if _, err := a.Ensure(r); err != nil {
			t.Fatal(err)
		}
	}
	must(req("default/low", ips("198.51.100.10")))
	must(req("default/high", ips("198.51.100.200")))
	must(req("default/inb", ips("203.0.113.5")))
	must(req("prod/p", ips("192.0.2.5")))
	changes := a.SetPools(cfg(t,
		pool("a", []string{"198.51.100.0/25"}),                        // shrunk: .200 falls out
		pool("renamed", []string{"203.0.113.0/24"}),                   // b renamed
		pool("prod", []string{"192.0.2.0/24"}, namespaces("staging")), // no longer selects prod
	))
	got := map[string]Change{}
	for _, c := range changes {
		got[c.Key] = c
	}
	if len(changes) != 3 {
		t.Fatalf("changes %+v, want 3", changes)
	}
	if c := got["default/high"]; !errors.Is(c.Reason, ErrNotInPool) || c.NewPool != "" || c.OldPool != "a" {
		t.Errorf("shrunk pool: %+v", c)
	}
	if c := got["default/inb"]; c.Reason != nil || c.NewPool != "renamed" {
		t.Errorf("renamed pool: %+v", c)
	}
	if c := got["prod/p"]; !errors.Is(c.Reason, ErrNotAllowed) {
		t.Errorf("selector change: %+v", c)
	}
	if al, _ := a.Get("default/low"); al.Pool != "a" || al.IPs[0] != netip.MustParseAddr("198.51.100.10") {
		t.Errorf("still-valid allocation changed: %+v", al)
	}
	if _, held := a.Get("default/high"); held {
		t.Error("evicted service still holds its address")
	}
	if c, _ := a.PoolCounters("renamed"); c.AssignedIPv4 != 1 {
		t.Errorf("renamed pool counts %d", c.AssignedIPv4)
	}
	// Deleting every pool releases everything.
	if ch := a.SetPools(nil); len(ch) != 2 || len(a.Keys()) != 0 {
		t.Fatalf("removing all pools: %+v, keys %v", ch, a.Keys())
	}
	// Same config twice: nothing changes.
	b := newAlloc(t, pool("a", []string{"198.51.100.0/24"}))
	if _, err := b.Allocate(req("default/s")); err != nil {
		t.Fatal(err)
	}
	if ch := b.SetPools(cfg(t, pool("a", []string{"198.51.100.0/24"}))); len(ch) != 0 {
		t.Fatalf("same config reported %v", ch)
	}
	got2, err := b.Allocate(req("default/t"))
	check(t, got2, err, []string{"198.51.100.1"}, nil)
}

// TestCounters: capacities as MetalLB counts them.
func TestCounters(t *testing.T) {
	a := newAlloc(t,
		pool("buggy", []string{"198.51.100.0/23"}, avoidBuggy),
		pool("range", []string{"203.0.113.250-203.0.113.255", "2001:db8:1::1-2001:db8:1::4"}, avoidBuggy),
		pool("huge", []string{"2001:db8::/64", "192.0.2.0/30"}),
	)
	want := map[string]PoolCounters{
		"buggy": {Pool: "buggy", AvailableIPv4: 512 - 4},
		"range": {Pool: "range", AvailableIPv4: 5, AvailableIPv6: 4},
		"huge":  {Pool: "huge", AvailableIPv4: 4, AvailableIPv6: math.MaxInt64},
	}
	for _, c := range a.Counters() {
		if c != want[c.Pool] {
			t.Errorf("got %+v, want %+v", c, want[c.Pool])
		}
	}
	if _, err := a.AllocateFromPool(req("default/s", policy(RequireDualStack)), "huge"); err != nil {
		t.Fatal(err)
	}
	c, _ := a.PoolCounters("huge")
	if c.AssignedIPv4 != 1 || c.AssignedIPv6 != 1 || c.AvailableIPv4 != 3 || c.AvailableIPv6 != math.MaxInt64 || c.InUse() != 2 || c.Total() != math.MaxInt64 {
		t.Fatalf("after one dual allocation: %+v", c)
	}
}

func TestCapacity(t *testing.T) {
	cases := []struct {
		pfx   string
		buggy bool
		want  int64
	}{
		{"198.51.100.0/24", false, 256},
		{"198.51.100.0/24", true, 254},
		{"198.51.100.0/16", true, 65536 - 512},
		{"198.51.100.0/25", true, 127},
		{"198.51.100.128/25", true, 127},
		{"198.51.100.64/26", true, 64},
		{"198.51.100.0/32", true, 0},
		{"198.51.100.1/32", true, 1},
		{"2001:db8::/120", true, 256},
		{"2001:db8::/64", false, math.MaxInt64},
		{"2001:db8::/66", false, math.MaxInt64/2 + 1},
	}
	for _, c := range cases {
		if got := capacity(netip.MustParsePrefix(c.pfx), c.buggy); got != c.want {
			t.Errorf("capacity(%s, %v) = %d, want %d", c.pfx, c.buggy, got, c.want)
		}
	}
}

// TestHugeIPv6 allocates from a /64 and a /48: no memory proportional to the pool.
func TestHugeIPv6(t *testing.T) {
	a := newAlloc(t, pool("v6", []string{"2001:db8::/48"}))
	for i := range 1000 {
		got, err := a.Allocate(req("default/s"+itoa(i), v6))
		if err != nil {
			t.Fatal(err)
		}
		if want := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 14: byte(i >> 8), 15: byte(i)}); got.IPs[0] != want {
			t.Fatalf("allocation %d got %v want %v", i, got.IPs[0], want)
		}
	}
	// A requested address deep in the prefix is tracked and released like any other.
	deep := req("default/deep", v6, ips("2001:db8:0:ffff:ffff:ffff:ffff:ffff"))
	if _, err := a.Ensure(deep); err != nil {
		t.Fatal(err)
	}
	a.Release(deep.Key)
	if c, _ := a.PoolCounters("v6"); c.AssignedIPv6 != 1000 {
		t.Fatalf("assigned %d", c.AssignedIPv6)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestParseHelpers(t *testing.T) {
	if got, err := ParseRequestedIPs("198.51.100.1, 2001:db8::1", ""); err != nil || len(got) != 2 {
		t.Errorf("annotation: %v %v", got, err)
	}
	if got, err := ParseRequestedIPs("", "::ffff:198.51.100.1"); err != nil || got[0] != netip.MustParseAddr("198.51.100.1") {
		t.Errorf("spec: %v %v", got, err)
	}
	if got, err := ParseRequestedIPs("", ""); err != nil || got != nil {
		t.Errorf("none: %v %v", got, err)
	}
	for _, bad := range [][2]string{{"198.51.100.1", "198.51.100.2"}, {"198.51.100.x", ""}, {"", "fe80::1%eth0"}} {
		if _, err := ParseRequestedIPs(bad[0], bad[1]); !errors.Is(err, ErrInvalidRequest) || EventReason(err) != "LoadBalancerFailed" {
			t.Errorf("ParseRequestedIPs(%q, %q) = %v", bad[0], bad[1], err)
		}
	}
	if BackendKey(false, map[string]string{"a": "b"}) != "" || BackendKey(true, nil) == "" ||
		BackendKey(true, map[string]string{"a": "b", "c": "d"}) != BackendKey(true, map[string]string{"c": "d", "a": "b"}) {
		t.Error("BackendKey")
	}
	if f, err := FamilyFromString("IPv6"); err != nil || f != IPv6 {
		t.Error("FamilyFromString")
	}
	if _, err := FamilyFromString("IPv5"); err == nil {
		t.Error("FamilyFromString accepted IPv5")
	}
	if p, err := PolicyFromString(""); err != nil || p != SingleStack {
		t.Error("PolicyFromString empty")
	}
	if p, err := PolicyFromString("RequireDualStack"); err != nil || p != RequireDualStack {
		t.Error("PolicyFromString")
	}
	if _, err := a().Ensure(Request{}); !errors.Is(err, ErrInvalidRequest) {
		t.Error("a request without a key was accepted")
	}
}

func a() *Allocator { return New() }

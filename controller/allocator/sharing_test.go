package allocator

import (
	"testing"
)

// TestSharing covers allow-shared-ip, both ways: the second Service asks for the
// address the first holds.
func TestSharing(t *testing.T) {
	sel := BackendKey(true, map[string]string{"app": "dns"})
	other := BackendKey(true, map[string]string{"app": "web"})
	cases := []struct {
		name    string
		first   Request
		second  Request
		wantErr error
	}{
		{"same key, TCP and UDP on one port", req("ns/tcp", share("k"), ports(Port{"TCP", 53})), req("ns/udp", share("k"), ports(Port{"UDP", 53})), nil},
		{"same key, same port and protocol", req("ns/a", share("k")), req("ns/b", share("k")), ErrInUse},
		{"different keys", req("ns/a", share("k1"), ports(Port{"TCP", 1})), req("ns/b", share("k2"), ports(Port{"TCP", 2})), ErrInUse},
		{"holder does not share", req("ns/a", ports(Port{"TCP", 1})), req("ns/b", share("k"), ports(Port{"TCP", 2})), ErrInUse},
		{"newcomer does not share", req("ns/a", share("k"), ports(Port{"TCP", 1})), req("ns/b", ports(Port{"TCP", 2})), ErrInUse},
		{"Local services with the same selector", req("ns/a", share("k"), backends(sel), ports(Port{"TCP", 1})), req("ns/b", share("k"), backends(sel), ports(Port{"TCP", 2})), nil},
		{"Local services with different selectors", req("ns/a", share("k"), backends(sel), ports(Port{"TCP", 1})), req("ns/b", share("k"), backends(other), ports(Port{"TCP", 2})), ErrInUse},
		{"Local and Cluster services", req("ns/a", share("k"), backends(sel), ports(Port{"TCP", 1})), req("ns/b", share("k"), ports(Port{"TCP", 2})), ErrInUse},
		{"Cluster services with different selectors", req("ns/a", share("k"), ports(Port{"TCP", 1})), req("ns/b", share("k"), ports(Port{"TCP", 2})), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newAlloc(t, pool("p", []string{"198.51.100.0/24"}))
			c.first.RequestedIPs = addrs("198.51.100.10")
			if _, err := a.Ensure(c.first); err != nil {
				t.Fatal(err)
			}
			c.second.RequestedIPs = addrs("198.51.100.10")
			res, err := a.Ensure(c.second)
			want := []string{"198.51.100.10"}
			check(t, res.Allocation, err, want, c.wantErr)
			// A third Service like the second but with no requested IP: its port
			// clashes with the second's where they share, and sharing is refused
			// otherwise, so Allocate must give it a new address either way.
			c.second.Key += "-auto"
			c.second.RequestedIPs = nil
			got, err := a.Allocate(c.second)
			if err != nil {
				t.Fatal(err)
			}
			if got.IPs[0] == addrs("198.51.100.10")[0] {
				t.Fatalf("Allocate joined %v although it may not share it", got.IPs)
			}
			if c2, _ := a.PoolCounters("p"); c2.AssignedIPv4 != 2 {
				t.Fatalf("assigned %d, want 2 (a shared address counts once)", c2.AssignedIPv4)
			}
		})
	}
}

// TestSharingAllocateJoins: Allocate with a sharing key joins the lowest compatible
// address already held under that key, rather than taking a new one.
func TestSharingAllocateJoins(t *testing.T) {
	a := newAlloc(t, pool("p", []string{"198.51.100.0/24"}))
	mk := func(key string, p int32) Request { return req(key, share("dns"), ports(Port{"UDP", p})) }
	first, err := a.Allocate(mk("ns/a", 53))
	check(t, first, err, []string{"198.51.100.0"}, nil)
	if _, err := a.Allocate(req("ns/plain")); err != nil {
		t.Fatal(err)
	}
	got, err := a.Allocate(mk("ns/b", 54))
	check(t, got, err, []string{"198.51.100.0"}, nil)
	got, err = a.Allocate(mk("ns/c", 53)) // clashes with ns/a: a new address
	check(t, got, err, []string{"198.51.100.2"}, nil)
	// Releasing one sharer keeps the address for the other.
	a.Release("ns/a")
	c, _ := a.PoolCounters("p")
	if c.AssignedIPv4 != 3 {
		t.Fatalf("assigned %d after releasing one sharer, want 3", c.AssignedIPv4)
	}
	got, err = a.Allocate(req("ns/d"))
	check(t, got, err, []string{"198.51.100.3"}, nil)
}

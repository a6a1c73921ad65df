package allocator

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/bgplb/bgplb/config"
)

// harness drives an Allocator with operations decoded from a byte stream and checks
// the invariants after each one against a brute-force model of the pools.
type harness struct {
	t    testing.TB
	a    *Allocator
	cfgs [2]*config.Config
	cur  int
	next func() byte
}

var (
	propKeys  = []string{"default/a", "default/b", "default/c", "default/d", "prod/e", "prod/f", "prod/g", "dev/h"}
	propShare = []string{"", "", "k1", "k2"}
	propPorts = [][]Port{{{"TCP", 80}}, {{"UDP", 53}}, {{"TCP", 80}, {"TCP", 443}}}
	// Candidate requested addresses: in pools, buggy ones, outside every pool.
	propIPs = addrs("198.51.100.0", "198.51.100.3", "198.51.100.15", "203.0.113.255", "203.0.114.0",
		"203.0.114.2", "192.0.2.1", "192.0.2.6", "2001:db8::3", "2001:db8:1::1", "198.18.0.1", "2001:db8:9::1")
)

func newHarness(t testing.TB, next func() byte) *harness {
	full := cfg(t,
		pool("a", []string{"198.51.100.0/28"}, avoidBuggy),
		pool("b", []string{"203.0.113.250-203.0.114.5"}, avoidBuggy, manual),
		pool("c", []string{"192.0.2.0/29", "2001:db8::/125"}, namespaces("prod"), priority(1)),
		pool("d", []string{"2001:db8:1::/126"}),
	)
	shrunk := cfg(t,
		pool("a", []string{"198.51.100.0/29"}, avoidBuggy),
		pool("b2", []string{"203.0.113.250-203.0.114.5"}, manual),
		pool("c", []string{"192.0.2.0/29", "2001:db8::/125"}, namespaces("dev"), priority(1)),
	)
	h := &harness{t: t, a: New(), cfgs: [2]*config.Config{full, shrunk}, next: next}
	h.a.SetPools(full)
	return h
}

func (h *harness) request() Request {
	pick := func(n int) int { return int(h.next()) % n }
	r := req(propKeys[pick(len(propKeys))])
	r.Family = Family(pick(2))
	r.Policy = FamilyPolicy(pick(3))
	r.SharingKey = propShare[pick(len(propShare))]
	r.Ports = propPorts[pick(len(propPorts))]
	r.Backends = []string{"", "local:app=x"}[pick(2)]
	if pick(3) == 0 {
		r.RequestedIPs = []netip.Addr{propIPs[pick(len(propIPs))]}
		if pick(2) == 0 {
			r.RequestedIPs = append(r.RequestedIPs, propIPs[pick(len(propIPs))])
		}
	} else if pick(4) == 0 {
		r.RequestedPool = []string{"a", "b", "b2", "c", "d", "x"}[pick(6)]
	}
	return r
}

// step runs one operation and checks every invariant.
func (h *harness) step() {
	var (
		r      = h.request()
		got    Allocation
		err    error
		lowest bool // a fresh single-stack allocation without sharing: must be the lowest free address
		before = h.inUse()
	)
	_, held := h.a.Get(r.Key)
	switch h.next() % 8 {
	case 0, 1:
		var res Result
		res, err = h.a.Ensure(r)
		got = res.Allocation
	case 2:
		r.RequestedIPs, r.RequestedPool = nil, ""
		got, err = h.a.Allocate(r)
		lowest = !held && r.Policy == SingleStack && r.SharingKey == ""
	case 3:
		r.RequestedIPs = nil
		pool := []string{"a", "b", "c", "d"}[h.next()%4]
		r.RequestedPool = ""
		got, err = h.a.AllocateFromPool(r, pool)
		lowest = !held && r.Policy == SingleStack && r.SharingKey == ""
	case 4:
		if r.RequestedIPs != nil {
			got, err = h.a.Assign(r, r.RequestedIPs)
		}
	case 5, 6:
		h.a.Release(r.Key)
		if _, ok := h.a.Get(r.Key); ok {
			h.t.Fatalf("%s still holds addresses after Release", r.Key)
		}
	case 7:
		h.cur = 1 - h.cur
		h.a.SetPools(h.cfgs[h.cur])
	}
	if err == nil && got.Pool != "" {
		if cur, ok := h.a.Get(r.Key); !ok || cur.Pool != got.Pool || !equalAddrs(cur.IPs, got.IPs) {
			h.t.Fatalf("returned %+v but holds %+v", got, cur)
		}
		if err := r.familiesFit(got.IPs); err != nil {
			h.t.Fatalf("%+v: %v", r, err)
		}
		if lowest {
			if want := h.lowestFree(got.Pool, familyOf(got.IPs[0]), before); want != got.IPs[0] {
				h.t.Fatalf("%s got %v from %s, but the lowest free address was %v", r.Key, got.IPs[0], got.Pool, want)
			}
		}
	}
	h.check()
}

func (h *harness) inUse() map[netip.Addr]bool {
	m := map[netip.Addr]bool{}
	for _, k := range h.a.Keys() {
		al, _ := h.a.Get(k)
		for _, ip := range al.IPs {
			m[ip] = true
		}
	}
	return m
}

// lowestFree is the naive model: scan the pool's prefixes from the start.
func (h *harness) lowestFree(pool string, f Family, used map[netip.Addr]bool) netip.Addr {
	p := h.cfgs[h.cur].Pool(pool)
	for _, pfx := range p.Prefixes {
		if familyOf(pfx.Addr()) != f {
			continue
		}
		for ip := pfx.Addr(); pfx.Contains(ip); ip = ip.Next() {
			if p.Assignable(ip) && !used[ip] {
				return ip
			}
		}
	}
	return netip.Addr{}
}

// check verifies: no address held by two keys that may not share; every address
// assignable in its pool (so never a buggy one where avoided); counters equal to a
// recount.
func (h *harness) check() {
	c := h.cfgs[h.cur]
	holders := map[netip.Addr][]*alloc{}
	for _, k := range h.a.Keys() {
		al := h.a.allocs[k]
		p := c.Pool(al.pool)
		for _, ip := range al.ips {
			if p == nil || !p.Assignable(ip) {
				h.t.Fatalf("%s holds %v outside pool %s", k, ip, al.pool)
			}
			holders[ip] = append(holders[ip], al)
		}
	}
	for ip, hs := range holders {
		for i, x := range hs {
			for _, y := range hs[i+1:] {
				ok := x.req.SharingKey != "" && x.req.SharingKey == y.req.SharingKey && x.req.Backends == y.req.Backends &&
					!slices.ContainsFunc(x.req.Ports, func(p Port) bool { return slices.Contains(y.req.Ports, p) })
				if !ok {
					h.t.Fatalf("%v handed to %s and %s, which may not share it", ip, x.req.Key, y.req.Key)
				}
			}
		}
	}
	counters := h.a.Counters()
	if len(counters) != len(c.Pools) {
		h.t.Fatalf("%d counters for %d pools", len(counters), len(c.Pools))
	}
	for i, p := range c.Pools {
		var used, total [2]int64
		for ip, hs := range holders {
			if hs[0].pool == p.Name {
				used[familyOf(ip)]++
			}
		}
		for _, pfx := range p.Prefixes {
			for ip := pfx.Addr(); pfx.Contains(ip); ip = ip.Next() {
				if p.Assignable(ip) {
					total[familyOf(ip)]++
				}
			}
		}
		want := PoolCounters{Pool: p.Name, AssignedIPv4: used[IPv4], AssignedIPv6: used[IPv6],
			AvailableIPv4: total[IPv4] - used[IPv4], AvailableIPv6: total[IPv6] - used[IPv6]}
		if counters[i] != want {
			h.t.Fatalf("counters %+v, recount %+v", counters[i], want)
		}
	}
}

// TestPropertyRandomOps runs random operation sequences.
func TestPropertyRandomOps(t *testing.T) {
	seeds, steps := 300, 400
	if testing.Short() {
		seeds = 60
	}
	for seed := range seeds {
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		h := newHarness(t, func() byte { return byte(rng.UintN(256)) })
		for range steps {
			h.step()
		}
	}
}

// FuzzAllocator decodes operations from the fuzzer's bytes (go test -fuzz
// FuzzAllocator ./controller/allocator/); its seeds run as a unit test.
func FuzzAllocator(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte("allocate everything then shrink the pools and share some addresses on the way"))
	f.Fuzz(func(t *testing.T, data []byte) {
		i := 0
		h := newHarness(t, func() byte {
			if i >= len(data) {
				return 0
			}
			i++
			return data[i-1]
		})
		for i < len(data) {
			h.step()
		}
	})
}

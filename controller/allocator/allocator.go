package allocator

import (
	"maps"
	"net/netip"
	"slices"
	"sync"

	"github.com/bgplb/bgplb/config"
)

// Allocator tracks the pools of the current Config and which Service holds which
// addresses. Create it with New and give it pools with SetPools.
type Allocator struct {
	mu     sync.Mutex
	order  []*poolState          // by name, as the Config lists pools
	pools  map[string]*poolState // by name
	allocs map[string]*alloc     // by request key
	ips    map[netip.Addr]*ipUse // every address in use
	// shared indexes the addresses held under each sharing key, so that a Service
	// with a key finds the addresses it may join without scanning the pool.
	shared map[string]map[netip.Addr]int
}

// alloc is what one Service holds: its last request, a pool and one address per family.
type alloc struct {
	req  Request
	pool string
	ips  []netip.Addr
}

// ipUse is one address in use: its pool and the Services on it (more than one only
// when they share).
type ipUse struct {
	pool  string
	users map[string]*alloc
}

// Allocation is the result of an assignment: the pool and the addresses, the
// request's primary family first.
type Allocation struct {
	Pool string
	IPs  []netip.Addr
}

// New returns an Allocator with no pools.
func New() *Allocator {
	return &Allocator{
		pools:  map[string]*poolState{},
		allocs: map[string]*alloc{},
		ips:    map[netip.Addr]*ipUse{},
		shared: map[string]map[netip.Addr]int{},
	}
}

// Change reports a Service whose allocation SetPools changed.
type Change struct {
	Key string
	// IPs are the addresses the Service held.
	IPs []netip.Addr
	// OldPool is the pool they were in; NewPool the pool they are in now, or "" when
	// the allocation was released (the Service needs a new address).
	OldPool, NewPool string
	// Reason says why the allocation was released (nil when only the pool's name
	// changed: update the ip-allocated-from-pool annotation).
	Reason error
}

// SetPools installs the pools of cfg (nil means none). Allocations that still fit
// (every address assignable in one pool, serviceAllocation still selecting the
// Service, the requested pool still the one holding them) are kept untouched; the
// others are released and returned, sorted by key, so the controller can allocate
// again and say why in an event. Services whose addresses moved to a pool of
// another name are returned too, with a nil Reason.
func (a *Allocator) SetPools(cfg *config.Config) []Change {
	a.mu.Lock()
	defer a.mu.Unlock()
	var pools []*config.Pool
	if cfg != nil {
		pools = cfg.Pools
	}
	var changes []Change
	for _, key := range slices.Sorted(maps.Keys(a.allocs)) {
		al := a.allocs[key]
		p, err := fitPool(pools, &al.req, al.ips)
		switch {
		case err != nil:
			changes = append(changes, Change{Key: key, IPs: slices.Clone(al.ips), OldPool: al.pool, Reason: err})
			a.drop(key, false)
		case p.Name != al.pool:
			changes = append(changes, Change{Key: key, IPs: slices.Clone(al.ips), OldPool: al.pool, NewPool: p.Name})
			al.pool = p.Name
			for _, ip := range al.ips {
				a.ips[ip].pool = p.Name
			}
		}
	}
	// Fresh free space: the cursors start over and step past what is in use, so no
	// per-address state is carried from the old pools.
	a.order, a.pools = nil, map[string]*poolState{}
	for _, p := range pools {
		ps := newPoolState(p)
		a.order = append(a.order, ps)
		a.pools[p.Name] = ps
	}
	for ip, use := range a.ips {
		a.pools[use.pool].used[familyOf(ip)]++
	}
	return changes
}

// fitPool returns the pool of pools in which ips may be held for r: all of them
// assignable in that one pool, the pool selecting the Service and being the
// requested one if r names one.
func fitPool(pools []*config.Pool, r *Request, ips []netip.Addr) (*config.Pool, error) {
	var p *config.Pool
	for _, ip := range ips {
		i := slices.IndexFunc(pools, func(p *config.Pool) bool { return p.Assignable(ip) })
		if i < 0 {
			return nil, errorf(ErrNotInPool, "IP %s is not in any pool that may hand it out", ip)
		}
		if p != nil && p != pools[i] {
			return nil, errorf(ErrNotInPool, "IPs %v are in two pools, %s and %s; a Service's addresses must come from one pool", ips, p.Name, pools[i].Name)
		}
		p = pools[i]
	}
	if r.RequestedPool != "" && r.RequestedPool != p.Name {
		return nil, errorf(ErrPoolMismatch, "IPs %v are in pool %s, not in the requested pool %s", ips, p.Name, r.RequestedPool)
	}
	if err := refusal(p, r); err != nil {
		return nil, err
	}
	return p, nil
}

// Release frees the addresses held for key (MetalLB's Unassign) and reports whether
// it held any. Releasing an unknown key is a no-op.
func (a *Allocator) Release(key string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.drop(key, true)
}

// Get returns what key holds.
func (a *Allocator) Get(key string) (Allocation, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	al, ok := a.allocs[key]
	if !ok {
		return Allocation{}, false
	}
	return Allocation{Pool: al.pool, IPs: slices.Clone(al.ips)}, true
}

// Keys returns every key holding addresses, sorted.
func (a *Allocator) Keys() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Sorted(maps.Keys(a.allocs))
}

// Counters returns the counters of every pool, in name order.
func (a *Allocator) Counters() []PoolCounters {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]PoolCounters, len(a.order))
	for i, ps := range a.order {
		out[i] = ps.counters()
	}
	return out
}

// PoolCounters returns the counters of the named pool.
func (a *Allocator) PoolCounters(name string) (PoolCounters, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ps, ok := a.pools[name]
	if !ok {
		return PoolCounters{}, false
	}
	return ps.counters(), true
}

func (a *Allocator) inUse(ip netip.Addr) bool { _, ok := a.ips[ip]; return ok }

// commit records that r holds ips from pool, replacing what r.Key held. The caller
// has checked that this is allowed.
func (a *Allocator) commit(r *Request, pool string, ips []netip.Addr) Allocation {
	ips = r.ordered(ips)
	if old, ok := a.allocs[r.Key]; ok && old.pool == pool && slices.Equal(old.ips, ips) {
		// Same addresses: refresh the request (ports, sharing key, labels) in place.
		a.unindex(old)
		old.req = cloneRequest(r)
		a.index(old)
		return Allocation{Pool: pool, IPs: slices.Clone(ips)}
	}
	a.drop(r.Key, true)
	al := &alloc{req: cloneRequest(r), pool: pool, ips: ips}
	a.allocs[r.Key] = al
	for _, ip := range ips {
		use := a.ips[ip]
		if use == nil {
			use = &ipUse{pool: pool, users: map[string]*alloc{}}
			a.ips[ip] = use
			a.pools[pool].used[familyOf(ip)]++
		}
		use.users[r.Key] = al
	}
	a.index(al)
	return Allocation{Pool: pool, IPs: slices.Clone(ips)}
}

// drop forgets what key holds; toBlocks returns freed addresses to their pool's free
// space (SetPools rebuilds that space itself).
func (a *Allocator) drop(key string, toBlocks bool) bool {
	al, ok := a.allocs[key]
	if !ok {
		return false
	}
	delete(a.allocs, key)
	a.unindex(al)
	for _, ip := range al.ips {
		use := a.ips[ip]
		delete(use.users, key)
		if len(use.users) > 0 {
			continue
		}
		delete(a.ips, ip)
		if ps := a.pools[use.pool]; ps != nil {
			ps.used[familyOf(ip)]--
			if toBlocks {
				ps.release(ip)
			}
		}
	}
	return true
}

func (a *Allocator) index(al *alloc) {
	k := al.req.SharingKey
	if k == "" {
		return
	}
	if a.shared[k] == nil {
		a.shared[k] = map[netip.Addr]int{}
	}
	for _, ip := range al.ips {
		a.shared[k][ip]++
	}
}

func (a *Allocator) unindex(al *alloc) {
	k := al.req.SharingKey
	if k == "" {
		return
	}
	for _, ip := range al.ips {
		if a.shared[k][ip]--; a.shared[k][ip] == 0 {
			delete(a.shared[k], ip)
		}
	}
	if len(a.shared[k]) == 0 {
		delete(a.shared, k)
	}
}

func cloneRequest(r *Request) Request {
	c := *r
	c.RequestedIPs = slices.Clone(r.RequestedIPs)
	c.Ports = slices.Clone(r.Ports)
	c.NamespaceLabels = maps.Clone(r.NamespaceLabels)
	c.ServiceLabels = maps.Clone(r.ServiceLabels)
	return c
}

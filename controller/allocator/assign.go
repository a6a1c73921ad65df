package allocator

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"

	"github.com/bgplb/bgplb/config"
)

// Assign gives r exactly ips, which may be in an autoAssign=false pool. They must
// fit the request's families, all be assignable in one pool, that pool must allow
// the Service (serviceAllocation) and be r.RequestedPool if set, and each address
// must be free or shareable with its holders. Assigning what r.Key already holds is
// idempotent (it refreshes ports and sharing key); assigning other addresses
// replaces them only on success: on error nothing changes.
//
// The controller calls Assign directly to restore addresses from Service status
// after a restart; Ensure calls it for requested addresses.
func (a *Allocator) Assign(r Request, ips []netip.Addr) (Allocation, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := r.validate(); err != nil {
		return Allocation{}, err
	}
	return a.assign(&r, ips)
}

func (a *Allocator) assign(r *Request, ips []netip.Addr) (Allocation, error) {
	if err := r.familiesFit(ips); err != nil {
		return Allocation{}, err
	}
	p, err := fitPool(a.configPools(), r, ips)
	if err != nil {
		return Allocation{}, err
	}
	for _, ip := range ips {
		if err := a.shareable(ip, r); err != nil {
			return Allocation{}, err
		}
	}
	return a.commit(r, p.Name, ips), nil
}

func (a *Allocator) configPools() []*config.Pool {
	out := make([]*config.Pool, len(a.order))
	for i, ps := range a.order {
		out[i] = ps.cfg
	}
	return out
}

// shareable reports whether r may hold ip next to its current holders, by MetalLB's
// rule: every other holder and r have the same non-empty sharing key and the same
// backend key, and no protocol+port is used by both. The holders are checked in key
// order so the message is deterministic.
func (a *Allocator) shareable(ip netip.Addr, r *Request) error {
	use := a.ips[ip]
	if use == nil {
		return nil
	}
	for _, key := range slices.Sorted(maps.Keys(use.users)) {
		if key == r.Key {
			continue
		}
		o := &use.users[key].req
		why := ""
		switch {
		case o.SharingKey == "":
			why = key + " does not allow sharing"
		case r.SharingKey == "":
			why = r.Key + " does not allow sharing"
		case o.SharingKey != r.SharingKey:
			why = fmt.Sprintf("sharing key %q differs from %q", r.SharingKey, o.SharingKey)
		case o.Backends != r.Backends:
			why = fmt.Sprintf("backends differ (%s vs %s)", backendText(r.Backends), backendText(o.Backends))
		default:
			if i := slices.IndexFunc(r.Ports, func(p Port) bool { return slices.Contains(o.Ports, p) }); i >= 0 {
				why = "ports clash on " + r.Ports[i].String()
			}
		}
		if why != "" {
			return errorf(ErrInUse, "IP %s is already in use by %s (not shareable: %s)", ip, key, why)
		}
	}
	return nil
}

func backendText(b string) string {
	if b == "" {
		return "externalTrafficPolicy Cluster"
	}
	return b
}

// Result is what Ensure did.
type Result struct {
	Allocation
	// Changed is true when the Service holds other addresses than before the call
	// (MetalLB emits IPAllocated).
	Changed bool
	// Cleared are the addresses the Service held before and lost because they no
	// longer fit its request or the configuration; ClearReason says why (MetalLB's
	// ClearAssignment event).
	Cleared     []netip.Addr
	ClearReason error
}

// Ensure converges one Service, as MetalLB's controller does: keep what r.Key holds
// if it still fits r (same requested addresses or pool, right families, pool still
// selecting it, still shareable), adding the missing family for PreferDualStack
// when the same pool has one free; otherwise release it and assign the requested
// addresses, or allocate from the requested pool, or from any pool.
func (a *Allocator) Ensure(r Request) (Result, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := r.validate(); err != nil {
		return Result{}, err
	}
	var res Result
	if cur, ok := a.allocs[r.Key]; ok {
		why := stale(cur, &r)
		if why == nil {
			got, err := a.assign(&r, cur.ips)
			if err == nil {
				res.Allocation = got
				res.Changed = a.addFamily(&r, &res.Allocation)
				return res, nil
			}
			why = err
		}
		res.Cleared, res.ClearReason = slices.Clone(cur.ips), why
		a.drop(r.Key, true)
	}
	var err error
	switch {
	case len(r.RequestedIPs) > 0:
		res.Allocation, err = a.assign(&r, r.RequestedIPs)
	case r.RequestedPool != "":
		res.Allocation, err = a.allocateFromPool(&r, r.RequestedPool)
	default:
		res.Allocation, err = a.allocate(&r)
	}
	res.Changed = err == nil
	return res, err
}

// stale says why cur no longer answers r's request, or nil.
func stale(cur *alloc, r *Request) error {
	if len(r.RequestedIPs) > 0 && !sameSet(cur.ips, r.RequestedIPs) {
		return errorf(ErrRequestChanged, "%s requests %v instead of %v", r.Key, r.RequestedIPs, cur.ips)
	}
	if r.RequestedPool != "" && r.RequestedPool != cur.pool {
		return errorf(ErrRequestChanged, "%s requests pool %s instead of %s", r.Key, r.RequestedPool, cur.pool)
	}
	return r.familiesFit(cur.ips)
}

// addFamily gives a PreferDualStack Service holding one address the other family
// from the same pool when one is free (MetalLB's additional-family assignment).
// Requested addresses are left as the user wrote them.
func (a *Allocator) addFamily(r *Request, got *Allocation) bool {
	if r.Policy != PreferDualStack || len(got.IPs) != 1 || len(r.RequestedIPs) > 0 {
		return false
	}
	ps := a.pools[got.Pool]
	ip, ok := a.candidate(ps, familyOf(got.IPs[0]).other(), r)
	if !ok {
		return false
	}
	*got = a.commit(r, got.Pool, []netip.Addr{got.IPs[0], ip})
	return true
}

func sameSet(a, b []netip.Addr) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(x netip.Addr) bool { return !slices.Contains(b, x) })
}

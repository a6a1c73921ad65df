package allocator

import (
	"net/netip"
	"slices"
	"strings"
)

// Allocate gives r addresses from the first pool that can serve it: first the
// autoAssign pools whose serviceAllocation selects the Service, by priority (lower
// first, 0 = none last) then name; then the autoAssign pools without a
// serviceAllocation, by name. autoAssign=false pools are used only by name
// (AllocateFromPool) or address (Assign). If r.Key already holds addresses that fit
// r, they are kept (idempotent); if they do not, they are released first.
//
// Within a pool, the lowest free address of the right family is taken, prefixes in
// the order the pool lists them; a Service with a sharing key first joins the lowest
// address already held under that key that it may share.
//
// A pool with a serviceAllocation that restricts nothing (only a priority) counts as
// selecting every Service. MetalLB never auto-assigns from such a pool; here it is
// tried by its priority, which is what its author asked for.
func (a *Allocator) Allocate(r Request) (Allocation, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := r.validate(); err != nil {
		return Allocation{}, err
	}
	if got, ok := a.keep(&r, ""); ok {
		return got, nil
	}
	return a.allocate(&r)
}

// AllocateFromPool gives r addresses from the named pool, autoAssign or not, if its
// serviceAllocation allows the Service. Held addresses are kept or released as in
// Allocate.
func (a *Allocator) AllocateFromPool(r Request, pool string) (Allocation, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := r.validate(); err != nil {
		return Allocation{}, err
	}
	if got, ok := a.keep(&r, pool); ok {
		return got, nil
	}
	return a.allocateFromPool(&r, pool)
}

// keep re-assigns what r.Key holds when it still fits r (and is in pool, if set);
// otherwise it releases it.
func (a *Allocator) keep(r *Request, pool string) (Allocation, bool) {
	cur, ok := a.allocs[r.Key]
	if !ok {
		return Allocation{}, false
	}
	if stale(cur, r) == nil && (pool == "" || pool == cur.pool) {
		if got, err := a.assign(r, cur.ips); err == nil {
			return got, true
		}
	}
	a.drop(r.Key, true)
	return Allocation{}, false
}

func (a *Allocator) allocate(r *Request) (Allocation, error) {
	var pinned, generic []*poolState
	for _, ps := range a.order {
		switch {
		case !ps.cfg.AutoAssign:
		case ps.cfg.Allocation == nil:
			generic = append(generic, ps)
		case refusal(ps.cfg, r) == nil:
			pinned = append(pinned, ps)
		}
	}
	priorityOrder(pinned)
	if got, ok := a.pick(r, pinned); ok {
		return got, nil
	}
	if got, ok := a.pick(r, generic); ok {
		return got, nil
	}
	if len(pinned)+len(generic) == 0 {
		return Allocation{}, errorf(ErrNoAvailableIPs, "no available IPs for %s: no autoAssign pool allows it", r.Key)
	}
	var names []string
	for _, ps := range append(pinned, generic...) {
		names = append(names, ps.cfg.Name)
	}
	return Allocation{}, errorf(ErrNoAvailableIPs, "no available IPs for %s (%s) in pools %s", r.Key, want(r), strings.Join(names, ", "))
}

func (a *Allocator) allocateFromPool(r *Request, name string) (Allocation, error) {
	ps := a.pools[name]
	if ps == nil {
		return Allocation{}, errorf(ErrUnknownPool, "unknown pool %q requested by %s", name, r.Key)
	}
	if err := refusal(ps.cfg, r); err != nil {
		return Allocation{}, err
	}
	if got, ok := a.pick(r, []*poolState{ps}); ok {
		return got, nil
	}
	return Allocation{}, errorf(ErrNoAvailableIPs, "no available IPs in pool %s for %s (%s)", name, r.Key, want(r))
}

// want words the families a request needs, for messages.
func want(r *Request) string {
	switch r.Policy {
	case RequireDualStack:
		return "IPv4 and IPv6"
	case PreferDualStack:
		return "IPv4 or IPv6"
	}
	return r.Family.String()
}

// pick takes addresses for r from the first of pools that can give them, by the
// family policy: SingleStack one address of r.Family; RequireDualStack one of each
// family from the same pool; PreferDualStack both from the first pool that has both,
// else one address of the primary family from the first pool that has one, else one
// of the other family (MetalLB's order).
func (a *Allocator) pick(r *Request, pools []*poolState) (Allocation, bool) {
	primary, secondary := r.Family, r.Family.other()
	var onlyPrimary, onlySecondary *poolState
	var ipPrimary, ipSecondary netip.Addr
	for _, ps := range pools {
		p, okP := a.candidate(ps, primary, r)
		if r.Policy == SingleStack {
			if okP {
				return a.commit(r, ps.cfg.Name, []netip.Addr{p}), true
			}
			continue
		}
		s, okS := a.candidate(ps, secondary, r)
		if okP && okS {
			return a.commit(r, ps.cfg.Name, []netip.Addr{p, s}), true
		}
		if okP && onlyPrimary == nil {
			onlyPrimary, ipPrimary = ps, p
		}
		if okS && onlySecondary == nil {
			onlySecondary, ipSecondary = ps, s
		}
	}
	if r.Policy != PreferDualStack {
		return Allocation{}, false
	}
	if onlyPrimary != nil {
		return a.commit(r, onlyPrimary.cfg.Name, []netip.Addr{ipPrimary}), true
	}
	if onlySecondary != nil {
		return a.commit(r, onlySecondary.cfg.Name, []netip.Addr{ipSecondary}), true
	}
	return Allocation{}, false
}

// candidate returns the address of family f that r would get from ps, without taking
// it: the lowest address r may join under its sharing key, else the lowest free one.
func (a *Allocator) candidate(ps *poolState, f Family, r *Request) (netip.Addr, bool) {
	if r.SharingKey != "" && len(a.shared[r.SharingKey]) > 0 {
		var mine []netip.Addr
		for ip := range a.shared[r.SharingKey] {
			if familyOf(ip) == f && a.ips[ip].pool == ps.cfg.Name {
				mine = append(mine, ip)
			}
		}
		slices.SortFunc(mine, netip.Addr.Compare)
		for _, ip := range mine {
			if a.shareable(ip, r) == nil {
				return ip, true
			}
		}
	}
	for _, b := range ps.blocks[f] {
		if ip, ok := b.peek(a.inUse); ok {
			return ip, true
		}
	}
	return netip.Addr{}, false
}

package allocator

import (
	"cmp"
	"math"
	"net/netip"
	"slices"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/bgplb/bgplb/config"
)

// poolState is one configured pool with its free space and counters.
type poolState struct {
	cfg    *config.Pool
	blocks [2][]*block // by Family, in the order the pool lists its prefixes
	cap    [2]int64    // assignable addresses by Family
	used   [2]int64    // addresses in use by Family (a shared address counts once)
}

func newPoolState(p *config.Pool) *poolState {
	ps := &poolState{cfg: p}
	for _, pfx := range p.Prefixes {
		f := familyOf(pfx.Addr())
		ps.blocks[f] = append(ps.blocks[f], newBlock(pfx, p.AvoidBuggyIPs))
		ps.cap[f] = addSat(ps.cap[f], capacity(pfx, p.AvoidBuggyIPs))
	}
	return ps
}

// release returns addr, which nobody uses any more, to its block.
func (ps *poolState) release(addr netip.Addr) {
	f := familyOf(addr)
	for i, pfx := range ps.familyPrefixes(f) {
		if pfx.Contains(addr) {
			ps.blocks[f][i].release(addr)
			return
		}
	}
}

func (ps *poolState) familyPrefixes(f Family) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range ps.cfg.Prefixes {
		if familyOf(p.Addr()) == f {
			out = append(out, p)
		}
	}
	return out
}

// PoolCounters are one pool's address counts, for its status and for the
// metallb_allocator_addresses_total / _in_use_total metrics. Available IPv6 is
// capped at math.MaxInt64 for huge prefixes, as in MetalLB.
type PoolCounters struct {
	Pool          string
	AssignedIPv4  int64
	AssignedIPv6  int64
	AvailableIPv4 int64
	AvailableIPv6 int64
}

// Total returns the pool's capacity over both families (saturating).
func (c PoolCounters) Total() int64 {
	return addSat(addSat(c.AssignedIPv4, c.AvailableIPv4), addSat(c.AssignedIPv6, c.AvailableIPv6))
}

// InUse returns the addresses in use over both families.
func (c PoolCounters) InUse() int64 { return c.AssignedIPv4 + c.AssignedIPv6 }

func (ps *poolState) counters() PoolCounters {
	avail := func(f Family) int64 {
		if ps.cap[f] == math.MaxInt64 {
			return math.MaxInt64
		}
		return ps.cap[f] - ps.used[f]
	}
	return PoolCounters{
		Pool:          ps.cfg.Name,
		AssignedIPv4:  ps.used[IPv4],
		AssignedIPv6:  ps.used[IPv6],
		AvailableIPv4: avail(IPv4),
		AvailableIPv6: avail(IPv6),
	}
}

// priorityOrder sorts pinned pools as MetalLB does: pools with a priority first,
// lowest number first; then pools without one (priority 0); ties by name, which the
// stable sort keeps from the Config's name order.
func priorityOrder(pools []*poolState) {
	slices.SortStableFunc(pools, func(a, b *poolState) int {
		pa, pb := a.cfg.Allocation.Priority, b.cfg.Allocation.Priority
		return cmp.Or(cmp.Compare(b2i(pa == 0), b2i(pb == 0)), cmp.Compare(pa, pb))
	})
}

// refusal explains why p does not allow the request's Service, or returns nil when it
// does. config.Pool.AllowsService decides; the rest only words the reason.
func refusal(p *config.Pool, r *Request) error {
	if p.AllowsService(r.Namespace, r.NamespaceLabels, r.ServiceLabels) {
		return nil
	}
	why := "service labels not selected"
	if a := p.Allocation; len(a.Namespaces) > 0 || len(a.NamespaceSelectors) > 0 {
		named := slices.Contains(a.Namespaces, r.Namespace)
		selected := slices.ContainsFunc(a.NamespaceSelectors, func(s labels.Selector) bool { return s.Matches(r.NamespaceLabels) })
		if !named && !selected {
			why = "namespace not selected"
		}
	}
	return errorf(ErrNotAllowed, "pool %s does not allow service %s: %s", p.Name, r.Key, why)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

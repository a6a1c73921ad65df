package model

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// assignAddresses gives routers loopbacks, every segment a subnet per family and every end
// an address, keeping what the user fixed and never handing out a fixed range again.
func (r *resolver) assignAddresses() {
	reserved := r.fixedPrefixes()
	for _, fam := range r.families() {
		fi := 0
		if fam == 6 {
			fi = 1
		}
		// A loopback pool's first address is its network address: skip it, so router IDs
		// do not end in .0.
		loopReserved := slices.Clone(reserved)
		for _, q := range r.pools["loopback"][fi] {
			loopReserved = append(loopReserved, netip.PrefixFrom(q.Addr(), hostBits(fam)))
		}
		loop := newAllocator(r.pools["loopback"][fi], loopReserved)
		p2p := newAllocator(r.pools["p2p"][fi], reserved)
		lan := newAllocator(r.pools["lan"][fi], reserved)
		for i := range r.lab.Nodes {
			n := &r.lab.Nodes[i]
			if n.Role != RoleRouter || slices.ContainsFunc(n.Loopbacks, func(p netip.Prefix) bool { return famIndex(p.Addr()) == fi }) {
				continue
			}
			p, ok := loop.take(hostBits(fam))
			if !ok {
				r.f.add("pools", "loopback", fmt.Sprintf("IPv%d loopback pool exhausted at node %s", fam, n.Name), "add a prefix to pools.loopback")
				continue
			}
			n.Loopbacks = append(n.Loopbacks, p)
		}
		for _, s := range r.segs {
			r.addressSegment(s, fi, p2p, lan)
		}
	}
	for i := range r.lab.Nodes {
		n := &r.lab.Nodes[i]
		slices.SortStableFunc(n.Loopbacks, func(a, b netip.Prefix) int { return famIndex(a.Addr()) - famIndex(b.Addr()) })
		if len(n.Loopbacks) > 0 && n.Loopbacks[0].Addr().Is4() && n.Role == RoleRouter {
			n.RouterID = n.Loopbacks[0].Addr()
		}
	}
	r.fillLinks()
	for i := range r.lab.Nodes {
		n := &r.lab.Nodes[i]
		if n.RouterID.IsValid() || n.Role != RoleK8sNode {
			continue
		}
		for _, ifc := range n.Interfaces {
			if len(ifc.Addresses) > 0 && ifc.Addresses[0].Addr().Is4() {
				n.RouterID = ifc.Addresses[0].Addr()
				break
			}
		}
	}
}

func hostBits(fam int) int {
	if fam == 6 {
		return 128
	}
	return 32
}

// fixedPrefixes are the ranges the user fixed, which automatic assignment must avoid.
func (r *resolver) fixedPrefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, n := range r.t.Nodes {
		out = append(out, n.Loopback...)
	}
	for _, l := range r.t.Links {
		for _, p := range l.Prefix {
			out = append(out, p.Masked())
		}
		for _, e := range l.Endpoints {
			for _, a := range e.Address {
				out = append(out, a.Masked())
			}
		}
	}
	return out
}

// subnetBits is the prefix length a segment of n ends needs in a family: /31 and /127 for
// veth pairs, /64 for IPv6 LANs, and for IPv4 LANs the longest of /26../16 that fits.
func subnetBits(kind LinkKind, fam, n int) int {
	switch {
	case kind == LinkVeth && fam == 4:
		return 31
	case kind == LinkVeth:
		return 127
	case fam == 6:
		return 64
	}
	bits := 26
	for bits > 16 && (1<<(32-bits))-2 < n {
		bits--
	}
	return bits
}

func (r *resolver) addressSegment(s *segment, fi int, p2p, lan *allocator) {
	fam := 4 + 2*fi
	var prefix netip.Prefix
	for _, p := range s.fixed {
		if famIndex(p.Addr()) == fi {
			prefix = p.Masked()
		}
	}
	for _, e := range s.ends {
		for _, a := range e.addrs {
			if famIndex(a.Addr()) == fi && !prefix.IsValid() {
				prefix = a.Masked()
			}
		}
	}
	if !prefix.IsValid() {
		alloc, pool := lan, "lan"
		if s.kind == LinkVeth {
			alloc, pool = p2p, "p2p"
		}
		p, ok := alloc.take(subnetBits(s.kind, fam, len(s.ends)))
		if !ok {
			r.f.add(s.obj, "prefix", fmt.Sprintf("IPv%d %s pool exhausted", fam, pool), "add a prefix to pools."+pool+" or fix the link's prefix")
			return
		}
		prefix = p
	}
	s.prefixes[fi] = prefix
	taken := map[netip.Addr]bool{}
	for i := range s.ends {
		e := &s.ends[i]
		for _, a := range e.addrs {
			if famIndex(a.Addr()) != fi {
				continue
			}
			if !prefix.Contains(a.Addr()) || a.Bits() != prefix.Bits() {
				r.f.add(e.field, "address", fmt.Sprintf("%s is not in the link's subnet %s", a, prefix), "use an address of "+prefix.String()+" or leave it out")
			}
			e.out[fi] = netip.PrefixFrom(a.Addr(), prefix.Bits())
			taken[a.Addr()] = true
		}
	}
	next := hostRange(prefix)
	for i := range s.ends {
		e := &s.ends[i]
		if e.out[fi].IsValid() {
			continue
		}
		a, ok := next(taken)
		if !ok {
			r.f.add(s.obj, "prefix", fmt.Sprintf("subnet %s has no address left for %s", prefix, e.node), "use a larger prefix")
			return
		}
		taken[a] = true
		e.out[fi] = netip.PrefixFrom(a, prefix.Bits())
	}
}

// hostRange returns a function yielding the usable host addresses of p in order, skipping
// taken ones: every address of a /31 or /127, else from .1 up to (not including) the
// IPv4 broadcast address.
func hostRange(p netip.Prefix) func(taken map[netip.Addr]bool) (netip.Addr, bool) {
	a := p.Addr()
	whole := p.Bits() >= a.BitLen()-1
	if !whole {
		a = a.Next()
	}
	return func(taken map[netip.Addr]bool) (netip.Addr, bool) {
		for ; a.IsValid() && p.Contains(a); a = a.Next() {
			if taken[a] {
				continue
			}
			if !whole && a.Is4() {
				if last, ok := blockAfter(p); ok && last.Prev() == a {
					return netip.Addr{}, false
				}
			}
			out := a
			a = a.Next()
			return out, true
		}
		return netip.Addr{}, false
	}
}

// checkAddresses reports addresses outside the documentation ranges and addresses used twice.
func (r *resolver) checkAddresses() {
	owner := map[netip.Addr]string{}
	check := func(who string, p netip.Prefix) {
		if !inDocRanges(p) {
			r.f.add(who, "address", fmt.Sprintf("%s is outside the documentation ranges", p), "use 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 198.18.0.0/15 or 2001:db8::/32")
		}
		for _, v := range r.lab.VIPs {
			if v.Overlaps(p) {
				r.f.add(who, "address", fmt.Sprintf("%s overlaps the VIP range %s", p, v), "keep node addresses out of pools.vip")
			}
		}
		if prev, dup := owner[p.Addr()]; dup {
			r.f.add(who, "address", fmt.Sprintf("%s is also used by %s", p.Addr(), prev), "give each interface its own address")
			return
		}
		owner[p.Addr()] = who
	}
	for _, n := range r.lab.Nodes {
		for _, p := range n.Loopbacks {
			check("node "+n.Name+" lo", p)
		}
		for _, ifc := range n.Interfaces {
			for _, p := range ifc.Addresses {
				check("node "+n.Name+" "+ifc.Name, p)
			}
		}
	}
	for i, a := range r.lab.Links {
		for j, b := range r.lab.Links[i+1:] {
			for _, p := range a.Prefixes {
				for _, q := range b.Prefixes {
					if p.Overlaps(q) {
						r.f.add("link "+b.Name, "prefix", fmt.Sprintf("%s overlaps %s of link %s", q, p, a.Name), "give each link its own subnet")
					}
				}
			}
			_ = j
		}
	}
}

// routersOn returns the routers attached to the given link, with their addresses.
func (r *resolver) routersOn(link LabLink) []LinkEnd {
	var out []LinkEnd
	for _, e := range link.Ends {
		if r.lab.Nodes[r.index[e.Node]].Role == RoleRouter {
			out = append(out, e)
		}
	}
	return out
}

func joinNames(ends []LinkEnd) string {
	var names []string
	for _, e := range ends {
		names = append(names, e.Node)
	}
	return strings.Join(names, ", ")
}

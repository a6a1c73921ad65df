package model

import (
	"encoding/binary"
	"net/netip"
)

// docRanges are the only ranges a lab may use (RFC 5737, RFC 2544, RFC 3849).
var docRanges = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// inDocRanges reports whether p lies wholly inside one documentation range.
func inDocRanges(p netip.Prefix) bool {
	for _, d := range docRanges {
		if d.Bits() <= p.Bits() && d.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// Built-in pools, used when a pool names no prefix of a family.
var defaultPools = map[string][2][]netip.Prefix{ // [v4, v6]
	"loopback": {mustPrefixes("192.0.2.0/25"), mustPrefixes("2001:db8:0:ff::/64")},
	"p2p":      {mustPrefixes("198.51.100.0/24"), mustPrefixes("2001:db8:0:100::/56")},
	"lan":      {mustPrefixes("203.0.113.0/24", "192.0.2.128/25"), mustPrefixes("2001:db8:1::/48")},
	"vip":      {mustPrefixes("198.18.0.0/24"), mustPrefixes("2001:db8:ff::/120")},
}

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// u128 is an address as a 128-bit number (IPv4 in the low 32 bits), for block arithmetic.
type u128 struct{ hi, lo uint64 }

func toU128(a netip.Addr) u128 {
	b := a.As16()
	if a.Is4() {
		return u128{0, uint64(binary.BigEndian.Uint32(b[12:]))}
	}
	return u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

func fromU128(v u128, is4 bool) netip.Addr {
	if is4 {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(v.lo))
		return netip.AddrFrom4(b)
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], v.hi)
	binary.BigEndian.PutUint64(b[8:], v.lo)
	return netip.AddrFrom16(b)
}

func (v u128) add(w u128) u128 {
	lo := v.lo + w.lo
	carry := uint64(0)
	if lo < v.lo {
		carry = 1
	}
	return u128{v.hi + w.hi + carry, lo}
}

// pow2 returns 2^n for n <= 127.
func pow2(n int) u128 {
	if n >= 64 {
		return u128{1 << (n - 64), 0}
	}
	return u128{0, 1 << n}
}

// addrAdd returns a+n, and false when it overflows the family.
func addrAdd(a netip.Addr, n uint64) (netip.Addr, bool) {
	v := toU128(a).add(u128{0, n})
	if a.Is4() && v.lo > 0xffffffff {
		return netip.Addr{}, false
	}
	if !a.Is4() && v.hi < toU128(a).hi {
		return netip.Addr{}, false
	}
	return fromU128(v, a.Is4()), true
}

// blockAfter returns the first address after prefix p, false past the end of the family.
func blockAfter(p netip.Prefix) (netip.Addr, bool) {
	p = p.Masked()
	a := p.Addr()
	v := toU128(a).add(pow2(a.BitLen() - p.Bits()))
	if a.Is4() && v.lo > 0xffffffff || !a.Is4() && v.hi < toU128(a).hi {
		return netip.Addr{}, false
	}
	return fromU128(v, a.Is4()), true
}

// allocator hands out aligned blocks from a family's pools in order, skipping blocks that
// overlap reserved (user-fixed) prefixes. Sequential hand-out keeps the plan deterministic.
type allocator struct {
	pools    []netip.Prefix
	reserved []netip.Prefix
	pool     int
	cursor   netip.Addr
}

func newAllocator(pools, reserved []netip.Prefix) *allocator {
	a := &allocator{pools: pools, reserved: reserved}
	if len(pools) > 0 {
		a.cursor = pools[0].Masked().Addr()
	}
	return a
}

// take returns the next free block of length bits, false when the pools are exhausted.
func (a *allocator) take(bits int) (netip.Prefix, bool) {
	for a.pool < len(a.pools) {
		pool := a.pools[a.pool]
		if bits < pool.Bits() { // the block is larger than this pool
			a.nextPool()
			continue
		}
		cand := netip.PrefixFrom(a.cursor, bits).Masked()
		if cand.Addr() != a.cursor { // not aligned: skip to the next aligned block
			next, ok := blockAfter(cand)
			if !ok || !pool.Contains(next) {
				a.nextPool()
			} else {
				a.cursor = next
			}
			continue
		}
		// The cursor is aligned and inside the pool, and bits >= pool.Bits(), so the
		// whole candidate is inside the pool.
		if next, ok := blockAfter(cand); ok && pool.Contains(next) {
			a.cursor = next
		} else {
			a.nextPool()
		}
		if a.overlapsReserved(cand) {
			continue
		}
		return cand, true
	}
	return netip.Prefix{}, false
}

func (a *allocator) nextPool() {
	a.pool++
	if a.pool < len(a.pools) {
		a.cursor = a.pools[a.pool].Masked().Addr()
	}
}

func (a *allocator) overlapsReserved(p netip.Prefix) bool {
	for _, r := range a.reserved {
		if r.Overlaps(p) {
			return true
		}
	}
	return false
}

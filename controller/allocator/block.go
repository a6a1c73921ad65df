package allocator

import (
	"container/heap"
	"math"
	"net/netip"
)

// block is the free space of one prefix of a pool. It finds the lowest free address
// (the address MetalLB's scan from the start of the prefix would find) without
// scanning: a cursor marks the first address never looked at, and a min-heap holds
// the addresses below the cursor that were handed out and released since. Invariant:
// every free, non-buggy address below the cursor is in the heap. So the lowest free
// address is the top of the heap if there is one, else the first address at or
// after the cursor that is not in use.
//
// Cost: each address is stepped over by the cursor at most once between two
// SetPools, and each release is one heap push, so allocating a whole pool address
// by address is O(n log n) at worst, and memory is proportional to the addresses in
// use or released, never to the size of the prefix (an IPv6 /64 costs nothing).
type block struct {
	last       netip.Addr
	next       netip.Addr // the cursor
	done       bool       // the cursor has passed last
	avoidBuggy bool
	freed      addrHeap
	queued     map[netip.Addr]struct{} // what freed holds, so a release is queued once
}

func newBlock(p netip.Prefix, avoidBuggy bool) *block {
	p = p.Masked()
	return &block{last: lastAddr(p), next: p.Addr(), avoidBuggy: avoidBuggy, queued: map[netip.Addr]struct{}{}}
}

// peek returns the lowest address of the block that is neither in use nor buggy,
// without taking it: the caller marks it used, and the next peek steps past it.
func (b *block) peek(inUse func(netip.Addr) bool) (netip.Addr, bool) {
	for len(b.freed) > 0 {
		top := b.freed[0]
		if !inUse(top) {
			return top, true
		}
		// Taken again by an explicit Assign since its release: drop it here; a
		// later release queues it again.
		heap.Pop(&b.freed)
		delete(b.queued, top)
	}
	for !b.done && (inUse(b.next) || (b.avoidBuggy && buggy(b.next))) {
		if b.next == b.last {
			b.done = true
		} else {
			b.next = b.next.Next()
		}
	}
	if b.done {
		return netip.Addr{}, false
	}
	return b.next, true
}

// release records that addr, inside the block, is no longer in use.
func (b *block) release(addr netip.Addr) {
	if !b.done && !addr.Less(b.next) {
		return // the cursor has not reached it: it will find it free
	}
	if _, ok := b.queued[addr]; ok {
		return
	}
	b.queued[addr] = struct{}{}
	heap.Push(&b.freed, addr)
}

// buggy reports an IPv4 address ending in .0 or .255, which some CPE firmwares
// drop as smurf attacks (avoidBuggyIPs).
func buggy(a netip.Addr) bool {
	if !a.Is4() {
		return false
	}
	last := a.As4()[3]
	return last == 0 || last == 255
}

// capacity is the number of addresses of p the allocator may hand out, saturating
// at math.MaxInt64 for huge IPv6 prefixes (as MetalLB reports them).
func capacity(p netip.Prefix, avoidBuggy bool) int64 {
	host := p.Addr().BitLen() - p.Bits()
	if host >= 63 {
		return math.MaxInt64
	}
	n := int64(1) << host
	if avoidBuggy && p.Addr().Is4() {
		first, last := p.Masked().Addr(), lastAddr(p)
		switch {
		case p.Bits() <= 24:
			n -= 2 << (24 - p.Bits()) // a .0 and a .255 in every /24
		case first == last:
			if buggy(first) {
				n--
			}
		default: // inside one /24: only the ends can be .0 or .255
			if buggy(first) {
				n--
			}
			if buggy(last) {
				n--
			}
		}
	}
	return n
}

func addSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// lastAddr returns the highest address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	p = p.Masked()
	if p.Addr().Is4() {
		b := p.Addr().As4()
		for i := p.Bits(); i < 32; i++ {
			b[i/8] |= 0x80 >> (i % 8)
		}
		return netip.AddrFrom4(b)
	}
	b := p.Addr().As16()
	for i := p.Bits(); i < 128; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	return netip.AddrFrom16(b)
}

// addrHeap is a min-heap of addresses for container/heap.
type addrHeap []netip.Addr

func (h addrHeap) Len() int           { return len(h) }
func (h addrHeap) Less(i, j int) bool { return h[i].Less(h[j]) }
func (h addrHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *addrHeap) Push(x any)        { *h = append(*h, x.(netip.Addr)) }
func (h *addrHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

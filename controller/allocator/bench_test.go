package allocator

import (
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/bgplb/bgplb/config"
)

// slash16 is the pool of the benchmark: every address of 198.18.0.0/16 but the
// first and last, 65,534 addresses (summarized by the config core to 30 prefixes).
const slash16 = "198.18.0.1-198.18.255.254"

const window = 1000

// naiveWindow is smaller: the naive last allocations cost ~30 ms each.
const naiveWindow = 100

// BenchmarkAllocateSlash16 allocates every address of a /16 one by one and compares
// the cost of the first 1,000 allocations with the last 1,000: a ratio near 1 shows
// the cost does not grow with occupancy. The baseline, measured in the same run, is a
// naive allocator that rescans the pool from its start for every allocation.
func BenchmarkAllocateSlash16(b *testing.B) {
	c := cfg(b, pool("big", []string{slash16}))
	reqs := make([]Request, 65534)
	for i := range reqs {
		reqs[i] = Request{Key: "default/svc-" + itoa(i), Namespace: "default", Ports: []Port{{"TCP", 80}}}
	}
	// Each window keeps its fastest run: the machine is shared, and contention or a
	// GC pause only ever adds time, so the minimum is the allocator's own cost.
	first, last := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	var all time.Duration
	runs := 0
	for b.Loop() {
		a := New()
		a.SetPools(c)
		start := time.Now()
		var firstEnd, lastStart time.Time
		for i := range reqs {
			if i == len(reqs)-window {
				lastStart = time.Now()
			}
			if _, err := a.Allocate(reqs[i]); err != nil {
				b.Fatalf("allocation %d: %v", i, err)
			}
			if i == window-1 {
				firstEnd = time.Now()
			}
		}
		end := time.Now()
		first = min(first, firstEnd.Sub(start))
		last = min(last, end.Sub(lastStart))
		all += end.Sub(start)
		runs++
		if _, err := a.Allocate(Request{Key: "default/one-more"}); err == nil {
			b.Fatal("a full /16 handed out a 65,535th address")
		}
	}
	f, l := float64(first.Nanoseconds())/window, float64(last.Nanoseconds())/window
	mean := float64(all.Nanoseconds()) / float64(len(reqs)*runs)

	nf, nl := naiveWindows(c.Pool("big"))
	b.ReportMetric(f, "ns/alloc-first1k")
	b.ReportMetric(l, "ns/alloc-last1k")
	b.ReportMetric(l/f, "last/first")
	b.ReportMetric(mean, "ns/alloc-all")
	b.ReportMetric(nf, "naive-ns/alloc-first100")
	b.ReportMetric(nl, "naive-ns/alloc-last100")
	b.ReportMetric(nl/nf, "naive-last/first")
	b.Logf("allocator: %d addresses, first 1k %.0f ns/alloc, last 1k %.0f ns/alloc (best of %d runs), ratio %.2f; whole /16 %.0f ns/alloc mean",
		len(reqs), f, l, runs, l/f, mean)
	b.Logf("naive rescan baseline: first 100 %.0f ns/alloc, last 100 %.0f ns/alloc, ratio %.1f", nf, nl, nl/nf)
}

// naive is the baseline the brief warns against: every allocation scans the pool
// from its first address.
type naive struct {
	pool *config.Pool
	used map[netip.Addr]bool
}

func (n *naive) allocate() (netip.Addr, bool) {
	for _, pfx := range n.pool.Prefixes {
		for ip := pfx.Addr(); pfx.Contains(ip); ip = ip.Next() {
			if n.pool.Assignable(ip) && !n.used[ip] {
				n.used[ip] = true
				return ip, true
			}
		}
	}
	return netip.Addr{}, false
}

// naiveWindows times the naive allocator's first 100 allocations from an empty
// pool, and its last 100 with the rest of the pool already taken (filled directly,
// as running the quadratic loop to get there would take minutes).
func naiveWindows(p *config.Pool) (first, last float64) {
	n := &naive{pool: p, used: map[netip.Addr]bool{}}
	start := time.Now()
	for range naiveWindow {
		n.allocate()
	}
	first = float64(time.Since(start).Nanoseconds()) / naiveWindow

	n = &naive{pool: p, used: map[netip.Addr]bool{}}
	total := 0
	for _, pfx := range p.Prefixes {
		for ip := pfx.Addr(); pfx.Contains(ip); ip = ip.Next() {
			total++
		}
	}
	filled := 0
	for _, pfx := range p.Prefixes {
		for ip := pfx.Addr(); pfx.Contains(ip) && filled < total-naiveWindow; ip = ip.Next() {
			n.used[ip] = true
			filled++
		}
	}
	start = time.Now()
	for range naiveWindow {
		if _, ok := n.allocate(); !ok {
			panic("naive baseline ran out of addresses")
		}
	}
	last = float64(time.Since(start).Nanoseconds()) / naiveWindow
	return first, last
}

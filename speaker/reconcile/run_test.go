package reconcile

import (
	"context"
	"fmt"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bgplb/bgplb/speaker/routes"
)

// TestBurstIsCoalesced: 10,000 Service events arriving as fast as an informer can
// deliver them become a handful of reconciles and the last one sees them all.
func TestBurstIsCoalesced(t *testing.T) {
	const n = 10_000
	r := newCounting()
	src := &source{snap: baseSnapshot()}
	src.snap.Services = nil
	var passes atomic.Int64
	l := newLoop(t, r, src, func(o *Options) {
		o.Interval = 100 * time.Millisecond
		o.Observer = func(Report) { passes.Add(1) }
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	waitFor(t, 2*time.Second, "first pass", func() bool { return passes.Load() == 1 })
	start := time.Now()
	for i := range n {
		svc := service(fmt.Sprintf("ns/svc-%d", i), netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)}).String())
		src.set(func(s *Snapshot) { s.Services = append(s.Services, svc) })
		l.Trigger()
	}
	waitFor(t, 10*time.Second, "all routes", func() bool { return len(r.Routes("router-a")) == n })
	took := time.Since(start)
	got := passes.Load() - 1
	t.Logf("%d events → %d reconciles, %d SetRoutes calls, all routes in %v", n, got, r.calls.Load()-2, took)
	if got > n/100 {
		t.Fatalf("%d events caused %d reconciles: not coalesced", n, got)
	}
	time.Sleep(250 * time.Millisecond)
	if after := passes.Load() - 1; after != got && after != got+1 {
		t.Fatalf("loop kept reconciling after the burst: %d → %d", got, after)
	}
}

// TestSingleChangeIsNotDelayed: a change after an idle moment is applied at once,
// not after the coalescing interval (set huge here so that waiting for it shows).
func TestSingleChangeIsNotDelayed(t *testing.T) {
	r := newCounting()
	src := &source{snap: baseSnapshot()}
	var passes atomic.Int64
	l := newLoop(t, r, src, func(o *Options) {
		o.Interval = time.Minute
		o.Observer = func(Report) { passes.Add(1) }
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, 5*time.Second, "first pass", func() bool { return passes.Load() == 1 })
	for i := range 3 { // each change right after the previous pass
		src.set(func(s *Snapshot) {
			s.Services = append(s.Services, service(fmt.Sprintf("ns/new-%d", i), fmt.Sprintf("198.51.100.%d", 10+i)))
		})
		l.Trigger()
		want := int64(i + 2)
		waitFor(t, 20*time.Second, fmt.Sprintf("change %d applied without waiting for the 1 min interval", i), func() bool { return passes.Load() == want })
	}
}

func TestRunRetriesAfterFailure(t *testing.T) {
	r := newCounting()
	var fails atomic.Int64
	fails.Store(2)
	r.Fail = func(op, _ string) error {
		if op == "SetRoutes" && fails.Add(-1) >= 0 {
			return fmt.Errorf("transient")
		}
		return nil
	}
	l := newLoop(t, r, &source{snap: baseSnapshot()}, func(o *Options) {
		o.Interval, o.RetryAfter = 10*time.Millisecond, 30*time.Millisecond
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, 2*time.Second, "routes after retries", func() bool { return len(r.Routes("router-a")) == 1 })
}

func TestRunKeepsRoutesWhileSourceFails(t *testing.T) {
	r := newCounting()
	src := &source{snap: baseSnapshot()}
	l := newLoop(t, r, src, func(o *Options) { o.Interval, o.RetryAfter = 5*time.Millisecond, 10*time.Millisecond })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, 2*time.Second, "routes", func() bool { return len(r.Routes("router-a")) == 1 })
	src.set(func(s *Snapshot) { *s = Snapshot{} })
	src.mu.Lock()
	src.err = fmt.Errorf("watch failed")
	src.mu.Unlock()
	reads := src.reads.Load()
	for range 20 {
		l.Trigger()
		time.Sleep(5 * time.Millisecond)
	}
	waitFor(t, 2*time.Second, "retries", func() bool { return src.reads.Load() > reads+3 })
	if len(r.Routes("router-a")) != 1 || len(r.Peers()) != 1 {
		t.Fatalf("routes changed while the API was unreachable: %v", r.Routes("router-a"))
	}
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var _ = routes.TrafficLocal

package reconcile

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/bgplb/bgplb/speaker/router"
	"github.com/bgplb/bgplb/speaker/routes"
)

// BenchmarkReconcile100k isolates the loop's own cost (config.For, Desired, Diff,
// translation; the router fake only stores what it is given) for 100,000 Services
// arriving at once, and a steady pass afterwards (one Service changed).
func BenchmarkReconcile100k(b *testing.B) {
	const n = 100_000
	svcs := make([]routes.Service, n)
	for i := range svcs {
		svcs[i] = service(fmt.Sprintf("ns/svc-%d", i), netip.AddrFrom4([4]byte{198, 18 + byte(i>>16), byte(i >> 8), byte(i)}).String())
	}
	for range b.N {
		src := &source{snap: baseSnapshot()}
		src.snap.Services = nil
		l := newLoop(b, router.NewFake(), src)
		if _, err := l.Reconcile(context.Background()); err != nil {
			b.Fatal(err)
		}
		src.set(func(s *Snapshot) { s.Services = svcs })
		start := time.Now()
		if _, err := l.Reconcile(context.Background()); err != nil {
			b.Fatal(err)
		}
		burst := time.Since(start)
		src.set(func(s *Snapshot) { s.Services = append(svcs[:n-1:n-1], service("ns/new", "198.19.255.254")) })
		start = time.Now()
		if _, err := l.Reconcile(context.Background()); err != nil {
			b.Fatal(err)
		}
		steady := time.Since(start)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(burst.Seconds(), "s-burst")
		b.ReportMetric(steady.Seconds(), "s-steady")
		b.ReportMetric(float64(ms.HeapInuse>>20), "MiB-heap")
	}
}

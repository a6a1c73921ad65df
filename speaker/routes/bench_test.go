package routes

import (
	"net/netip"
	"runtime"
	"testing"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
)

// benchConfig: one pool in 198.18.0.0/15, an iBGP and an eBGP peer, an advertisement
// with communities to both and one with more communities to the iBGP peer only, so
// every iBGP route merges two contributions (a community union).
func benchConfig(b *testing.B) *config.Config {
	return mustConfig(b, config.Resources{
		Pools: []v1beta1.IPAddressPool{pool("bench", "198.18.0.0/15")},
		Peers: []v1beta2.BGPPeer{peer("ibgp", 64512, 64512, "192.0.2.1"), peer("ebgp", 64512, 64600, "192.0.2.2")},
		BGPAdvertisements: []v1beta1.BGPAdvertisement{
			adv("all", v1beta1.BGPAdvertisementSpec{LocalPref: 200, Communities: []string{"64512:1", "large:64512:1:1"}}),
			adv("pref", v1beta1.BGPAdvertisementSpec{Peers: []string{"ibgp"}, LocalPref: 200, Communities: []string{"64512:2"}}),
		},
	})
}

// benchServices: n /32 services, half Local (with a local endpoint), half Cluster.
func benchServices(n int) []Service {
	base := netip.MustParseAddr("198.18.0.0").As4()
	out := make([]Service, n)
	for i := range out {
		a := base
		a[1] += byte(i >> 16)
		a[2], a[3] = byte(i>>8), byte(i)
		s := Service{Key: "ns/svc", IPs: []netip.Addr{netip.AddrFrom4(a)}, TrafficPolicy: TrafficCluster,
			Endpoints: []Endpoint{{Node: myNode, Address: "10.0.1.1", Ready: true}, {Node: "node-2", Address: "10.0.2.1", Ready: true}}}
		if i%2 == 0 {
			s.TrafficPolicy = TrafficLocal
		}
		out[i] = s
	}
	return out
}

type measured struct{ nsPerOp, allocsPerOp float64 }

// measure runs op in a b.Loop and records ns/op and allocs/op of the final run.
func measure(b *testing.B, into *measured, op func()) {
	b.ReportAllocs()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for b.Loop() {
		op()
	}
	runtime.ReadMemStats(&m1)
	into.nsPerOp = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	into.allocsPerOp = float64(m1.Mallocs-m0.Mallocs) / float64(b.N)
}

// scaling runs one sub-benchmark per size and prints each size against the first
// (the baseline) so linear growth shows as ratio ≈ size ratio.
func scaling(b *testing.B, sizes []int, setup func(b *testing.B, n int) func()) {
	res := make([]measured, len(sizes))
	for i, n := range sizes {
		b.Run(sizeName(n), func(b *testing.B) { measure(b, &res[i], setup(b, n)) })
	}
	for i := 1; i < len(sizes); i++ {
		b.Logf("%s vs %s: time x%.1f, allocs x%.1f for x%.0f the services (%.0f ns and %.1f allocs per service)",
			sizeName(sizes[i]), sizeName(sizes[0]), res[i].nsPerOp/res[0].nsPerOp, res[i].allocsPerOp/res[0].allocsPerOp,
			float64(sizes[i])/float64(sizes[0]), res[i].nsPerOp/float64(sizes[i]), res[i].allocsPerOp/float64(sizes[i]))
	}
}

func sizeName(n int) string {
	if n%1000 == 0 {
		return itoa(uint32(n/1000)) + "k"
	}
	return itoa(uint32(n))
}

func BenchmarkDesired100k(b *testing.B) {
	cfg := benchConfig(b)
	scaling(b, []int{10_000, 100_000}, func(b *testing.B, n int) func() {
		svcs := benchServices(n)
		return func() {
			res := Desired(cfg, baseNode(), svcs, Options{})
			if len(res.State.Peers["ibgp"].Routes) != n {
				b.Fatalf("%d routes", len(res.State.Peers["ibgp"].Routes))
			}
		}
	})
}

// BenchmarkDiff100k: running and desired differ in 1% of the routes (withdrawn,
// re-attributed and new, in equal parts), the steady state of a busy cluster.
func BenchmarkDiff100k(b *testing.B) {
	cfg := benchConfig(b)
	scaling(b, []int{10_000, 100_000}, func(b *testing.B, n int) func() {
		desired := Desired(cfg, baseNode(), benchServices(n), Options{}).State
		running := desired.Clone()
		changed, extra := 0, benchServices(n + n/100)[n:]
		for _, p := range running.Peers {
			i := 0
			for pfx, a := range p.Routes {
				switch i % 300 {
				case 0:
					delete(p.Routes, pfx)
				case 1:
					a.LocalPref++
					p.Routes[pfx] = a
				case 2:
					p.Routes[netipPrefix(extra[changed%len(extra)].IPs[0])] = a
				}
				if i%300 < 3 {
					changed++
				}
				i++
			}
		}
		return func() {
			p := Diff(running, desired)
			if p.Empty() || changed == 0 {
				b.Fatal("empty plan")
			}
		}
	})
}

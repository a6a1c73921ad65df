package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	api "github.com/osrg/gobgp/v3/api"
	"github.com/osrg/gobgp/v3/pkg/server"
	"google.golang.org/protobuf/types/known/anypb"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/speaker/gobgp"
	"github.com/bgplb/bgplb/speaker/reconcile"
	"github.com/bgplb/bgplb/speaker/routes"
	"github.com/bgplb/bgplb/testing/nsrig"
)

// BenchmarkSpeakerConvergence: N LoadBalancer Services (/32s in 198.18.0.0/15)
// handed to the speaker's reconcile core at once (a snapshot, no apiserver, so the
// speaker alone is measured: config.For, routes.Desired, Diff, the GoBGP adapter),
// timed until FRR counts all N, against a baseline in the same run where a bare
// embedded GoBGP (an AddPath loop, nothing else) injects the same N prefixes into
// the same FRR. Sizes: BGPLB_BENCH_SIZES (default 1000,10000,100000). Target:
// <= 1.3x at 10,000 and no worse than linear to 100,000. (The baseline is the one
// place outside speaker/gobgp that touches GoBGP's API: it IS bare GoBGP.)
func BenchmarkSpeakerConvergence(b *testing.B) {
	needLab(b)
	frr := startFRR(b, fmt.Sprintf(`
router bgp %d
 bgp router-id %s
 no bgp ebgp-requires-policy
 timers bgp 3 9
 neighbor %s remote-as %d
`, routerASN, routerIP, speakerIP, speakerASN))
	sizes := []int{1000, 10_000, 100_000}
	if s := os.Getenv("BGPLB_BENCH_SIZES"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				b.Fatalf("BGPLB_BENCH_SIZES: %v", err)
			}
			sizes = append(sizes, n)
		}
	}
	b.ResetTimer()
	for range b.N {
		var first float64
		for _, n := range sizes {
			base := baseline(b, frr, n)
			sp, heap, rss := speakerConverge(b, frr, n)
			ratio := sp.Seconds() / base.Seconds()
			perK := sp.Seconds() / float64(n) * 1000
			if first == 0 {
				first = perK
			}
			fmt.Printf("speaker-convergence N=%d: speaker %.3fs baseline %.3fs ratio %.2fx (%.3f s per 1k, %.2fx the per-1k cost at N=%d) heap %d MiB rss %d MiB\n",
				n, sp.Seconds(), base.Seconds(), ratio, perK, perK/first, sizes[0], heap>>20, rss>>20)
			b.ReportMetric(ratio, fmt.Sprintf("ratio@%d", n))
			b.ReportMetric(sp.Seconds(), fmt.Sprintf("s@%d", n))
			b.ReportMetric(float64(rss>>20), fmt.Sprintf("MiB-RSS@%d", n))
		}
	}
}

func services(n int) []routes.Service {
	out := make([]routes.Service, n)
	eps := []routes.Endpoint{{Node: nodeName, Address: "10.0.0.1", Ready: true}}
	for i := range out {
		ip := netip.AddrFrom4([4]byte{198, 18 + byte(i>>16), byte(i >> 8), byte(i)})
		out[i] = routes.Service{Key: fmt.Sprintf("bench/svc-%d", i), IPs: []netip.Addr{ip}, TrafficPolicy: routes.TrafficCluster, Endpoints: eps}
	}
	return out
}

func benchSnapshot(svcs []routes.Service) reconcile.Snapshot {
	meta := func(name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Namespace: config.DefaultNamespace, Name: name}
	}
	return reconcile.Snapshot{
		Resources: config.Resources{
			Pools: []v1beta1.IPAddressPool{{ObjectMeta: meta("bench"), Spec: v1beta1.IPAddressPoolSpec{Addresses: []string{"198.18.0.0/15"}}}},
			Peers: []v1beta2.BGPPeer{{ObjectMeta: meta("router"), Spec: v1beta2.BGPPeerSpec{MyASN: speakerASN, ASN: routerASN,
				Address: routerIP, HoldTime: &metav1.Duration{Duration: 9 * time.Second}, ConnectTime: &metav1.Duration{Duration: time.Second}}}},
			BGPAdvertisements: []v1beta1.BGPAdvertisement{{ObjectMeta: meta("bench")}},
			Secrets:           []corev1.Secret{},
		},
		Node:     routes.Node{Name: nodeName, Labels: labels.Set{"kubernetes.io/hostname": nodeName}},
		Services: svcs,
	}
}

// speakerConverge opens the session with no Service, then hands the loop a snapshot
// with n Services and times until FRR has them all. It returns the time, and the
// heap in use and the process RSS once converged.
func speakerConverge(b *testing.B, frr string, n int) (time.Duration, uint64, uint64) {
	ctx := context.Background()
	r, err := gobgp.New(ctx, gobgp.Config{ASN: speakerASN, RouterID: netip.MustParseAddr(speakerIP), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	snap := benchSnapshot(nil)
	loop, err := reconcile.New(reconcile.Options{Router: r, Source: reconcile.SourceFunc(func() (reconcile.Snapshot, error) { return snap, nil })})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := loop.Reconcile(ctx); err != nil {
		b.Fatal(err)
	}
	nsrig.WaitFor(b, 30*time.Second, "speaker session up", func() bool { return frrReceived(b, frr) == 0 })
	snap = benchSnapshot(services(n))
	runtime.GC()
	start := time.Now()
	if _, err := loop.Reconcile(ctx); err != nil {
		b.Fatal(err)
	}
	applied := time.Since(start)
	d := pollReceived(b, frr, n, start)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss := vmRSS()
	fmt.Printf("  speaker N=%d: reconcile (config, desired, diff, SetRoutes) %s, all in FRR after %s\n", n, applied.Round(time.Millisecond), d.Round(time.Millisecond))
	if err := loop.Shutdown(ctx); err != nil {
		b.Fatal(err)
	}
	nsrig.WaitFor(b, time.Minute, "FRR drops the speaker session", func() bool { return frrReceived(b, frr) == -1 })
	return d, ms.HeapInuse, rss
}

// baseline injects n prefixes with a bare embedded GoBGP: AddPath in a loop.
func baseline(b *testing.B, frr string, n int) time.Duration {
	ctx := context.Background()
	s := server.NewBgpServer()
	go s.Serve()
	defer s.Stop()
	if err := s.StartBgp(ctx, &api.StartBgpRequest{Global: &api.Global{Asn: speakerASN, RouterId: speakerIP, ListenPort: -1}}); err != nil {
		b.Fatal(err)
	}
	err := s.AddPeer(ctx, &api.AddPeerRequest{Peer: &api.Peer{
		Conf:   &api.PeerConf{NeighborAddress: routerIP, PeerAsn: routerASN},
		Timers: &api.Timers{Config: &api.TimersConfig{ConnectRetry: 1, HoldTime: 9, KeepaliveInterval: 3}},
	}})
	if err != nil {
		b.Fatal(err)
	}
	nsrig.WaitFor(b, 30*time.Second, "baseline session up", func() bool { return frrReceived(b, frr) == 0 })
	origin, _ := anypb.New(&api.OriginAttribute{Origin: 0})
	nh, _ := anypb.New(&api.NextHopAttribute{NextHop: speakerIP})
	fam := &api.Family{Afi: api.Family_AFI_IP, Safi: api.Family_SAFI_UNICAST}
	start := time.Now()
	for _, svc := range services(n) {
		nlri, _ := anypb.New(&api.IPAddressPrefix{Prefix: svc.IPs[0].String(), PrefixLen: 32})
		if _, err := s.AddPath(ctx, &api.AddPathRequest{Path: &api.Path{Family: fam, Nlri: nlri, Pattrs: []*anypb.Any{origin, nh}}}); err != nil {
			b.Fatal(err)
		}
	}
	d := pollReceived(b, frr, n, start)
	fmt.Printf("  baseline N=%d: all in FRR after %s\n", n, d.Round(time.Millisecond))
	if err := s.DeletePeer(ctx, &api.DeletePeerRequest{Address: routerIP}); err != nil {
		b.Fatal(err)
	}
	nsrig.WaitFor(b, time.Minute, "FRR drops the baseline session", func() bool { return frrReceived(b, frr) == -1 })
	return d
}

// pollReceived polls FRR every 20 ms until it counts n prefixes; the time is from start.
func pollReceived(b testing.TB, frr string, n int, start time.Time) time.Duration {
	deadline := start.Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		if frrReceived(b, frr) == n {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.Fatalf("FRR never counted %d prefixes", n)
	return 0
}

// vmRSS reads this process's resident set size.
func vmRSS() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

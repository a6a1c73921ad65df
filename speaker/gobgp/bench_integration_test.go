package gobgp

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"syscall"
	"testing"
	"time"

	api "github.com/osrg/gobgp/v3/api"
	"github.com/osrg/gobgp/v3/pkg/server"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/bgplb/bgplb/speaker/router"
	"github.com/bgplb/bgplb/testing/nsrig"
)

// BenchmarkAnnounce10k: 10,000 /32s in 198.18.0.0/15 through the adapter into FRR
// over a veth, timed from the call until FRR counts all of them, against a bare
// embedded GoBGP (an AddPath loop, no adapter logic) into the same FRR in the same
// run. Target: adapter <= 1.3x baseline.
func BenchmarkAnnounce10k(b *testing.B)  { benchAnnounce(b, 10_000) }
func BenchmarkAnnounce100k(b *testing.B) { benchAnnounce(b, 100_000) }

func benchAnnounce(b *testing.B, n int) {
	if !inChild() {
		nsrig.Need(b, frrLib, "/usr/lib/frr/bgpd", "vtysh")
		l := newLab(b)
		sp := l.Netns("sp")
		r1 := l.frr("r1", `
router bgp 65001
 bgp router-id 192.0.2.2
 no bgp ebgp-requires-policy
 timers bgp 3 9
 neighbor 192.0.2.1 remote-as 65000
`)
		l.Veth(sp, r1, "sp-r1", "r1-sp", []string{"192.0.2.1/30"}, []string{"192.0.2.2/30"})
		l.runChild(sp)
		return
	}
	inst := childLab(b).Routers["r1"]
	prefixes := benchPrefixes(n)
	// The machine is shared: alternate the two, three rounds, and compare medians.
	// Wall time swings with the other tenants; CPU seconds of this process (the
	// speaker side only: FRR is another process) are the steadier comparison.
	var bases, ourss, baseCPU, oursCPU []time.Duration
	for range 3 {
		c := cpuTime()
		bases = append(bases, baselineAnnounce(b, inst, prefixes))
		baseCPU = append(baseCPU, cpuTime()-c)
		c = cpuTime()
		ourss = append(ourss, adapterAnnounce(b, inst, prefixes))
		oursCPU = append(oursCPU, cpuTime()-c)
	}
	base, ours := median(bases), median(ourss)
	fmt.Printf("speaker-side CPU per round (median): bare GoBGP %s, adapter %s, ratio %.2fx\n",
		median(baseCPU).Round(time.Millisecond), median(oursCPU).Round(time.Millisecond), median(oursCPU).Seconds()/median(baseCPU).Seconds())
	ratio := ours.Seconds() / base.Seconds()
	b.ReportMetric(base.Seconds(), "baseline-s")
	b.ReportMetric(ours.Seconds(), "adapter-s")
	b.ReportMetric(ratio, "ratio")
	fmt.Printf("announce %d prefixes into FRR (median of 3): bare GoBGP %s, adapter %s, ratio %.2fx (target <= 1.3x)\n",
		n, base.Round(time.Millisecond), ours.Round(time.Millisecond), ratio)
}

// cpuTime is this process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func benchPrefixes(n int) []netip.Prefix {
	out := make([]netip.Prefix, n)
	base := netip.MustParseAddr("198.18.0.0").As4()
	for i := range n {
		v := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(i+1)
		out[i] = netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), 32)
	}
	return out
}

// frrReceived is FRR's pfxRcd from 192.0.2.1 (-1 when the session is not up).
func frrReceived(b testing.TB, inst string) int {
	m := vtysh(b, inst, "show bgp ipv4 unicast summary json")
	if v4, ok := m["ipv4Unicast"].(map[string]any); ok { // older FRR wraps it
		m = v4
	}
	peers, _ := m["peers"].(map[string]any)
	p, _ := peers["192.0.2.1"].(map[string]any)
	if st, _ := p["state"].(string); st != "Established" {
		return -1
	}
	n, _ := p["pfxRcd"].(float64)
	return int(n)
}

func waitReceived(b testing.TB, inst string, n int, d time.Duration) {
	nsrig.WaitFor(b, d, fmt.Sprintf("FRR counts %d prefixes", n), func() bool { return frrReceived(b, inst) == n })
}

// pollReceived polls fast (every 20 ms) so the measurement's resolution is fine.
func pollReceived(b testing.TB, inst string, n int, start time.Time) time.Duration {
	deadline := start.Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		if frrReceived(b, inst) == n {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.Fatalf("FRR never counted %d prefixes", n)
	return 0
}

// baselineAnnounce is what any embedded GoBGP user writes: AddPath per prefix
// with protobuf attributes into the global table.
func baselineAnnounce(b *testing.B, inst string, prefixes []netip.Prefix) time.Duration {
	ctx := context.Background()
	s := server.NewBgpServer(server.LoggerOption(newLogBridge(discard())))
	go s.Serve()
	defer s.Stop()
	if err := s.StartBgp(ctx, &api.StartBgpRequest{Global: &api.Global{Asn: 65000, RouterId: "192.0.2.1", ListenPort: -1}}); err != nil {
		b.Fatal(err)
	}
	err := s.AddPeer(ctx, &api.AddPeerRequest{Peer: &api.Peer{
		Conf:   &api.PeerConf{NeighborAddress: "192.0.2.2", PeerAsn: 65001},
		Timers: &api.Timers{Config: &api.TimersConfig{ConnectRetry: 1, HoldTime: 9, KeepaliveInterval: 3}},
	}})
	if err != nil {
		b.Fatal(err)
	}
	waitReceived(b, inst, 0, 30*time.Second)
	origin, _ := anypb.New(&api.OriginAttribute{Origin: 0})
	nh, _ := anypb.New(&api.NextHopAttribute{NextHop: "192.0.2.1"})
	start := time.Now()
	for _, p := range prefixes {
		nlri, _ := anypb.New(&api.IPAddressPrefix{Prefix: p.Addr().String(), PrefixLen: uint32(p.Bits())})
		_, err := s.AddPath(ctx, &api.AddPathRequest{Path: &api.Path{
			Family: &api.Family{Afi: api.Family_AFI_IP, Safi: api.Family_SAFI_UNICAST},
			Nlri:   nlri, Pattrs: []*anypb.Any{origin, nh},
		}})
		if err != nil {
			b.Fatal(err)
		}
	}
	loop := time.Since(start)
	d := pollReceived(b, inst, len(prefixes), start)
	fmt.Printf("baseline: AddPath loop %s, all in FRR after %s\n", loop.Round(time.Millisecond), d.Round(time.Millisecond))
	if err := s.DeletePeer(ctx, &api.DeletePeerRequest{Address: "192.0.2.2"}); err != nil {
		b.Fatal(err)
	}
	nsrig.WaitFor(b, time.Minute, "FRR drops the baseline session", func() bool { return frrReceived(b, inst) == -1 })
	return d
}

func adapterAnnounce(b *testing.B, inst string, prefixes []netip.Prefix) time.Duration {
	ctx := context.Background()
	s, err := New(ctx, Config{ASN: 65000, RouterID: addr("192.0.2.1"), Logger: discard()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(ctx, false)
	if err := s.SetPeers(ctx, []router.Peer{{Name: "r1", Address: addr("192.0.2.2"), ASN: 65001, HoldTime: 9 * time.Second, ConnectTime: time.Second}}); err != nil {
		b.Fatal(err)
	}
	if err := s.SetRoutes(ctx, "r1", nil); err != nil {
		b.Fatal(err)
	}
	waitReceived(b, inst, 0, 30*time.Second)
	routes := make([]router.Route, len(prefixes))
	for i, p := range prefixes {
		routes[i] = router.Route{Prefix: p}
	}
	start := time.Now()
	if err := s.SetRoutes(ctx, "r1", routes); err != nil {
		b.Fatal(err)
	}
	loop := time.Since(start)
	d := pollReceived(b, inst, len(prefixes), start)
	fmt.Printf("adapter: SetRoutes %s, all in FRR after %s\n", loop.Round(time.Millisecond), d.Round(time.Millisecond))
	return d
}

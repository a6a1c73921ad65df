package frr

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/bgplb/bgplb/topologies/kind"
)

func captured(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "probe", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

var (
	bird  = netip.MustParseAddr("203.0.113.2")
	gobgp = netip.MustParseAddr("203.0.113.3")
	vips  = []netip.Prefix{netip.MustParsePrefix("198.18.0.0/15")}
)

func TestParseSummary(t *testing.T) {
	ss, err := ParseSummary(captured(t, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 3 {
		t.Fatalf("%d sessions, want 3: %+v", len(ss), ss)
	}
	up := ss[0]
	if up.Neighbor != bird || up.RemoteAS != 64513 || up.LocalAS != 64512 || up.Family != "ipv4" ||
		!up.Established() || up.PrefixesReceived != 2 || up.Uptime < time.Second {
		t.Errorf("bird session: %+v", up)
	}
	down := ss[2]
	if down.Neighbor.String() != "203.0.113.4" || down.State != kind.StateActive || down.Uptime != 0 || down.PrefixesReceived != 0 {
		t.Errorf("silent neighbor: %+v", down)
	}
}

func TestParseTableECMP(t *testing.T) {
	rs, err := ParseTable(captured(t, "rib.json"))
	if err != nil {
		t.Fatal(err)
	}
	var prefixes []string
	for _, r := range rs {
		prefixes = append(prefixes, r.Prefix.String())
	}
	if want := []string{"198.18.0.10/32", "198.18.0.11/32", "198.18.0.12/32", "198.18.0.100/32"}; !slices.Equal(prefixes, want) {
		t.Fatalf("prefixes %v, want %v", prefixes, want)
	}
	if nh := rs[0].NextHops(); !slices.Equal(nh, []netip.Addr{bird, gobgp}) {
		t.Errorf("198.18.0.10/32 ECMP next hops %v, want bird and gobgp", nh)
	}
	if lp := rs[0].Paths[0].LocalPref; lp == nil || *lp != 200 {
		t.Errorf("LOCAL_PREF from the community route-map: %v, want 200", lp)
	}
	if local := rs[3]; len(local.NextHops()) != 0 || !local.Paths[0].Best {
		t.Errorf("locally originated route should be best with no next hop: %+v", local)
	}
}

func TestParsePrefixCommunities(t *testing.T) {
	r, ok, err := ParsePrefix(captured(t, "prefix-ecmp.json"))
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if len(r.Paths) != 2 {
		t.Fatalf("%d paths, want 2", len(r.Paths))
	}
	for _, p := range r.Paths {
		if !slices.Equal(p.Communities, []string{"64512:1100"}) || !slices.Equal(p.LargeCommunities, []string{"64512:1:1"}) ||
			!slices.Equal(p.ASPath, []uint32{64513}) || p.LocalPref == nil || *p.LocalPref != 200 {
			t.Errorf("path %+v", p)
		}
	}
	if bests := boolCount(r.Paths, func(p kind.Path) bool { return p.Best }); bests != 1 {
		t.Errorf("%d best paths, want 1", bests)
	}
	if nh := r.NextHops(); !slices.Equal(nh, []netip.Addr{bird, gobgp}) {
		t.Errorf("next hops %v", nh)
	}

	local, ok, err := ParsePrefix(captured(t, "prefix-local.json"))
	if err != nil || !ok || !slices.Equal(local.Paths[0].Communities, []string{"64512:9999"}) {
		t.Errorf("local route %+v %v %v", local, ok, err)
	}
	if _, ok, err := ParsePrefix(captured(t, "prefix-absent.json")); ok || err != nil {
		t.Errorf("absent prefix: ok=%v err=%v", ok, err)
	}
}

func TestParseBFD(t *testing.T) {
	ps, err := ParseBFD(captured(t, "bfd.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Peer != bird || ps[0].State != kind.BFDUp || ps[0].Interface != "eth1" ||
		ps[0].TransmitInterval != 300*time.Millisecond || ps[0].DetectMultiplier != 3 {
		t.Fatalf("%+v", ps)
	}
	if ps[1].State != kind.BFDDown || ps[1].Local.IsValid() {
		t.Errorf("silent peer %+v", ps[1])
	}
}

func TestParsersRejectGarbage(t *testing.T) {
	for name, f := range map[string]func([]byte) error{
		"summary": func(b []byte) error { _, err := ParseSummary(b); return err },
		"table":   func(b []byte) error { _, err := ParseTable(b); return err },
		"prefix":  func(b []byte) error { _, _, err := ParsePrefix(b); return err },
		"bfd":     func(b []byte) error { _, err := ParseBFD(b); return err },
	} {
		if err := f([]byte("% Unknown command: show bgp")); err == nil {
			t.Errorf("%s: vtysh error text parsed without error", name)
		}
	}
}

// TestProbeRoutesAsksPerPrefix drives the executor with the captured outputs, keyed by
// the exact vtysh command it must send.
func TestProbeRoutesAsksPerPrefix(t *testing.T) {
	files := map[string]string{
		"show bgp ipv4 unicast json":                 "rib.json",
		"show bgp ipv4 unicast 198.18.0.10/32 json":  "prefix-ecmp.json",
		"show bgp ipv4 unicast 198.18.0.11/32 json":  "prefix-absent.json",
		"show bgp ipv4 unicast 198.18.0.12/32 json":  "prefix-absent.json",
		"show bgp ipv4 unicast 198.18.0.100/32 json": "prefix-local.json",
	}
	var asked []string
	p := NewProbe(func(_ context.Context, argv []string) ([]byte, error) {
		if len(argv) != 3 || argv[0] != "vtysh" || argv[1] != "-c" {
			return nil, fmt.Errorf("unexpected argv %q", argv)
		}
		asked = append(asked, argv[2])
		f, ok := files[argv[2]]
		if !ok {
			return nil, fmt.Errorf("unexpected command %q", argv[2])
		}
		return captured(t, f), nil
	})
	rs, err := p.Routes(context.Background(), vips)
	if err != nil {
		t.Fatal(err)
	}
	if len(asked) != 5 || len(rs) != 4 {
		t.Fatalf("asked %q, got %d routes", asked, len(rs))
	}
	if !slices.Equal(rs[0].Paths[0].Communities, []string{"64512:1100"}) {
		t.Errorf("detail not merged: %+v", rs[0])
	}
	only, err := p.Routes(context.Background(), []netip.Prefix{netip.MustParsePrefix("198.18.0.100/32")})
	if err != nil || len(only) != 1 {
		t.Errorf("filtering by range: %+v %v", only, err)
	}
}

func boolCount(ps []kind.Path, f func(kind.Path) bool) int {
	n := 0
	for _, p := range ps {
		if f(p) {
			n++
		}
	}
	return n
}

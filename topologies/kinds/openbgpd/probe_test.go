package openbgpd

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bgplb/bgplb/topologies/kind"
)

// The captures are real bgpctl 7.7 output (Debian's openbgpd) from a lab of OpenBGPD,
// gobgpd and a second OpenBGPD in namespaces.
func captured(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "probe", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseNeighbors(t *testing.T) {
	ss, err := ParseNeighbors(captured(t, "neighbor-all.json"))
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]kind.Session{}
	for _, s := range ss {
		by[s.Neighbor.String()] = s
	}
	if s := by["192.0.2.2"]; !s.Established() || s.RemoteAS != 64513 || s.Name != "b-v4" || s.PrefixesReceived < 1 || s.Uptime == 0 {
		t.Errorf("established session: %+v", s)
	}
	for addr, state := range map[string]string{"192.0.2.99": kind.StateConnect, "192.0.2.98": kind.StateIdle, "198.51.100.200": kind.StateActive} {
		if s := by[addr]; s.State != state || s.Uptime != 0 {
			t.Errorf("%s: %+v, want %s", addr, s, state)
		}
	}
	if len(ss) != 6 || !by["2001:db8:ab::2"].Established() {
		t.Errorf("%d sessions, want 6 with the IPv6 one up", len(ss))
	}
	sum, err := ParseNeighbors(captured(t, "summary.json"))
	if err != nil || len(sum) == 0 || sum[0].PrefixesReceived != -1 {
		t.Errorf("summary: %+v, %v (want sessions with unknown prefix counts)", sum, err)
	}
	if _, err := ParseNeighbors([]byte("bgpctl: connect: /x: No such file")); err == nil {
		t.Error("garbage parsed")
	}
}

func TestParseRIB(t *testing.T) {
	within := []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24")}
	rs, err := ParseRIB(captured(t, "rib-ecmp-detail.json"), within)
	if err != nil || len(rs) != 1 {
		t.Fatalf("routes %+v, %v", rs, err)
	}
	r := rs[0]
	if r.Prefix.String() != "198.51.100.10/32" || len(r.Paths) != 2 || len(r.NextHops()) != 2 {
		t.Fatalf("ECMP route: %+v", r)
	}
	best := r.Paths[0]
	if !best.Best || *best.LocalPref != 200 || best.Communities[0] != "64513:100" || best.ASPath[0] != 64513 || best.Origin != "igp" {
		t.Errorf("best path: %+v", best)
	}
	if other := r.Paths[1]; !other.Multipath || other.LargeCommunities[0] != "64514:1:1" {
		t.Errorf("ECMP path: %+v", other)
	}
	all, err := ParseRIB(captured(t, "rib-detail.json"), append(within, netip.MustParsePrefix("2001:db8::/32")))
	if err != nil {
		t.Fatal(err)
	}
	var local *kind.Path
	for _, r := range all {
		if r.Prefix.String() == "198.51.100.128/25" {
			local = &r.Paths[0]
		}
	}
	if local == nil || local.Peer.IsValid() || len(all) < 3 {
		t.Errorf("locally originated route: %+v in %d routes", local, len(all))
	}
}

func TestProbeAsksBgpctl(t *testing.T) {
	var got []string
	p := NewProbe(func(_ context.Context, argv []string) ([]byte, error) {
		got = append(got, strings.Join(argv, " "))
		if argv[3] == "neighbor" {
			return captured(t, "neighbor-down.json"), nil
		}
		return captured(t, "rib-detail.json"), nil
	})
	if _, err := p.Sessions(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Routes(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "; ") != "bgpctl -j show neighbor; bgpctl -j show rib detail" {
		t.Errorf("commands: %v", got)
	}
}

package gobgp

import (
	"context"
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

func TestParseNeighbors(t *testing.T) {
	// The capture's session came up at Unix 1795683399 (timers.state.uptime).
	now := time.Unix(1795683399+42, 0)
	ss, err := ParseNeighbors(captured(t, "neighbors.json"), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 {
		t.Fatalf("%+v", ss)
	}
	up, down := ss[0], ss[1]
	if up.Neighbor.String() != "203.0.113.1" || up.RemoteAS != 64512 || up.LocalAS != 64513 || !up.Established() ||
		up.PrefixesReceived != 1 {
		t.Errorf("frr neighbor %+v", up)
	}
	if up.Uptime != 42*time.Second {
		t.Errorf("uptime %v", up.Uptime)
	}
	if down.Neighbor.String() != "203.0.113.8" || down.State != kind.StateActive || down.Uptime != 0 {
		t.Errorf("silent neighbor %+v", down)
	}
}

func TestParseRIB(t *testing.T) {
	rs, err := ParseRIB(captured(t, "rib.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 {
		t.Fatalf("%+v", rs)
	}
	own := rs[0] // 198.18.0.10/32, originated here: no next hop
	if own.Prefix.String() != "198.18.0.10/32" || len(own.NextHops()) != 0 || own.Paths[0].Origin != "igp" ||
		!slices.Equal(own.Paths[0].Communities, []string{"64512:1100"}) || !slices.Equal(own.Paths[0].LargeCommunities, []string{"64512:1:1"}) {
		t.Errorf("own route %+v", own)
	}
	learned := rs[2] // 198.18.0.100/32 from FRR
	p := learned.Paths[0]
	if learned.Prefix.String() != "198.18.0.100/32" || !p.Best || p.Peer.String() != "203.0.113.1" ||
		!slices.Equal(learned.NextHops(), []netip.Addr{netip.MustParseAddr("203.0.113.1")}) ||
		!slices.Equal(p.ASPath, []uint32{64512}) || !slices.Equal(p.Communities, []string{"64512:9999"}) ||
		!slices.Equal(p.LargeCommunities, []string{"64512:1:2"}) {
		t.Errorf("learned route %+v", learned)
	}
}

func TestParsersRejectGarbage(t *testing.T) {
	if _, err := ParseNeighbors([]byte("rpc error: connection refused"), time.Now()); err == nil {
		t.Error("neighbors")
	}
	if _, err := ParseRIB([]byte("rpc error")); err == nil {
		t.Error("rib")
	}
}

func TestProbeAsksPerFamily(t *testing.T) {
	var asked [][]string
	p := NewProbe(func(_ context.Context, argv []string) ([]byte, error) {
		asked = append(asked, argv)
		return captured(t, "rib.json"), nil
	}, time.Now)
	rs, err := p.Routes(context.Background(), []netip.Prefix{netip.MustParsePrefix("198.18.0.96/28")})
	if err != nil || len(rs) != 1 {
		t.Fatalf("%+v %v", rs, err)
	}
	if len(asked) != 1 || !slices.Equal(asked[0], []string{"gobgp", "global", "rib", "-j", "-a", "ipv4"}) {
		t.Errorf("asked %q", asked)
	}
	if bfd, err := p.BFD(context.Background()); bfd != nil || err != nil {
		t.Errorf("gobgpd has no BFD: %v %v", bfd, err)
	}
}

package bird

import (
	"context"
	"errors"
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

var frr = netip.MustParseAddr("203.0.113.1")

func TestParseProtocols(t *testing.T) {
	ss, err := ParseProtocols(captured(t, "protocols.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 {
		t.Fatalf("%d BGP sessions, want 2 (device, static and bfd protocols are not sessions): %+v", len(ss), ss)
	}
	up, down := ss[0], ss[1]
	if up.Name != "r1" || up.Neighbor != frr || up.RemoteAS != 64512 || up.LocalAS != 64513 || !up.Established() || up.PrefixesReceived != 1 {
		t.Errorf("r1: %+v", up)
	}
	if down.Name != "down1" || down.State != kind.StateConnect || down.Established() || down.PrefixesReceived != -1 {
		t.Errorf("down1: %+v", down)
	}
}

func TestParseRoutes(t *testing.T) {
	rs, err := ParseRoutes(captured(t, "routes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		got = append(got, r.Prefix.String())
	}
	if want := []string{"198.18.0.10/32", "198.18.0.11/32", "198.18.0.100/32"}; !slices.Equal(got, want) {
		t.Fatalf("prefixes %v, want %v", got, want)
	}
	learned := rs[2]
	p := learned.Paths[0]
	if len(learned.Paths) != 1 || !p.Best || !slices.Equal(p.NextHops, []netip.Addr{frr}) || p.LocalPref == nil || *p.LocalPref != 100 ||
		!slices.Equal(p.ASPath, []uint32{64512}) || !slices.Equal(p.Communities, []string{"64512:9999"}) ||
		!slices.Equal(p.LargeCommunities, []string{"64512:1:2"}) || p.Origin != "igp" {
		t.Errorf("learned route %+v", learned)
	}
	static := rs[0].Paths[0]
	if len(static.NextHops) != 0 || !slices.Equal(static.Communities, []string{"64512:1100"}) || !slices.Equal(static.LargeCommunities, []string{"64512:1:1"}) {
		t.Errorf("static blackhole route %+v", static)
	}
}

// TestParseRoutesSecondPathAndECMP covers shapes the capture does not have, written the
// way BIRD 2.0 prints them: a second path for a prefix and an ECMP route.
func TestParseRoutesSecondPathAndECMP(t *testing.T) {
	text := "Table master4:\n" +
		"198.18.0.1/32        unicast [n1 09:00:00.000] * (100) [AS64513i]\n" +
		"\tvia 203.0.113.11 on eth1 weight 1\n" +
		"\tvia 203.0.113.12 on eth1 weight 1\n" +
		"\tBGP.local_pref: 200\n" +
		"                     unicast [r4 09:00:01.000 from 192.0.2.4] (100) [AS64513?]\n" +
		"\tvia 198.51.100.3 on eth3\n" +
		"\tBGP.local_pref: 100\n"
	rs, err := ParseRoutes([]byte(text))
	if err != nil || len(rs) != 1 || len(rs[0].Paths) != 2 {
		t.Fatalf("%+v %v", rs, err)
	}
	if nh := rs[0].NextHops(); len(nh) != 2 {
		t.Errorf("ECMP next hops of the primary path: %v", nh)
	}
	second := rs[0].Paths[1]
	if second.Best || second.Peer.String() != "192.0.2.4" || second.Origin != "incomplete" || *second.LocalPref != 100 {
		t.Errorf("second path %+v", second)
	}
}

func TestParseBFD(t *testing.T) {
	ps, err := ParseBFD(captured(t, "bfd.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Peer != frr || ps[0].State != kind.BFDUp || ps[0].Interface != "eth1" ||
		ps[0].TransmitInterval != 300*time.Millisecond || ps[0].DetectMultiplier != 3 {
		t.Fatalf("%+v", ps)
	}
}

func TestBirdcErrorsAreErrors(t *testing.T) {
	bad := []byte("BIRD 2.0.12 ready.\nsyntax error, unexpected CF_SYM_UNDEFINED\n")
	if _, err := ParseProtocols(bad); err == nil {
		t.Error("protocols: syntax error accepted")
	}
	if _, err := ParseRoutes(bad); err == nil {
		t.Error("routes: syntax error accepted")
	}
	if rs, err := ParseRoutes(captured(t, "route-one.txt")); err != nil || len(rs) != 1 {
		t.Errorf("single route: %+v %v", rs, err)
	}
}

func TestProbeFiltersRoutes(t *testing.T) {
	p := NewProbe(func(_ context.Context, argv []string) ([]byte, error) {
		if !slices.Equal(argv, []string{"birdc", "show", "route", "all"}) {
			t.Fatalf("argv %q", argv)
		}
		return captured(t, "routes.txt"), nil
	})
	rs, err := p.Routes(context.Background(), []netip.Prefix{netip.MustParsePrefix("198.18.0.96/28")})
	if err != nil || len(rs) != 1 || rs[0].Prefix.String() != "198.18.0.100/32" {
		t.Fatalf("%+v %v", rs, err)
	}
}

// A BIRD without BFD protocols exits 1 and says so: no peers, not an error.
// Anything else that fails stays an error.
func TestProbeBFDWithoutBFDProtocol(t *testing.T) {
	out, fail := captured(t, "bfd-none.txt"), errors.New("exit status 1")
	p := NewProbe(func(context.Context, []string) ([]byte, error) { return out, fail })
	if ps, err := p.BFD(context.Background()); err != nil || len(ps) != 0 {
		t.Errorf("no BFD protocol: %+v %v", ps, err)
	}
	out = []byte("Unable to connect to server control socket\n")
	if _, err := p.BFD(context.Background()); err == nil {
		t.Error("a birdc failure was taken for no BFD")
	}
}

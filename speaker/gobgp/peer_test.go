package gobgp

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	api "github.com/osrg/gobgp/v3/api"
	"github.com/osrg/gobgp/v3/pkg/apiutil"
	"github.com/osrg/gobgp/v3/pkg/packet/bgp"
	"github.com/osrg/gobgp/v3/pkg/server"
)

// testRouter is a second, in-process GoBGP playing the router: it listens on a
// 127.0.0.x address and keeps what our adapter sends in its Adj-RIB-In.
type testRouter struct {
	s    *server.BgpServer
	addr string
	port int
}

func freePort(t testing.TB, addr string) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

var routerLog = discard()

func newTestRouter(t testing.TB, addr string, asn uint32) *testRouter {
	t.Helper()
	r := &testRouter{s: server.NewBgpServer(server.LoggerOption(newLogBridge(routerLog))), addr: addr, port: freePort(t, addr)}
	go r.s.Serve()
	err := r.s.StartBgp(context.Background(), &api.StartBgpRequest{Global: &api.Global{
		Asn: asn, RouterId: addr, ListenPort: int32(r.port), ListenAddresses: []string{addr},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.s.Stop)
	return r
}

// expect configures the neighbor our adapter will dial from (passive: routers in
// these tests never dial out; our speaker has no listener).
func (r *testRouter) expect(t testing.TB, from string, asn uint32, password string, gr bool) {
	t.Helper()
	p := &api.Peer{
		Conf:      &api.PeerConf{NeighborAddress: from, PeerAsn: asn, AuthPassword: password},
		Transport: &api.Transport{PassiveMode: true, LocalAddress: r.addr},
		Timers:    &api.Timers{Config: &api.TimersConfig{HoldTime: 9, KeepaliveInterval: 3}},
	}
	if gr {
		p.GracefulRestart = &api.GracefulRestart{Enabled: true, RestartTime: 120, NotificationEnabled: true}
		p.AfiSafis = []*api.AfiSafi{{
			Config:            &api.AfiSafiConfig{Family: &api.Family{Afi: api.Family_AFI_IP, Safi: api.Family_SAFI_UNICAST}, Enabled: true},
			MpGracefulRestart: &api.MpGracefulRestart{Config: &api.MpGracefulRestartConfig{Enabled: true}},
		}}
	}
	if err := r.s.AddPeer(context.Background(), &api.AddPeerRequest{Peer: p}); err != nil {
		t.Fatal(err)
	}
}

// got is one received route as the router stores it.
type got struct {
	NextHop   string
	Comms     []uint32
	Large     [][3]uint32
	LocalPref uint32
	Stale     bool
}

func (r *testRouter) rib(t *testing.T, from string) map[string]got {
	t.Helper()
	out := map[string]got{}
	err := r.s.ListPath(context.Background(), &api.ListPathRequest{
		TableType: api.TableType_ADJ_IN, Name: from,
		Family: &api.Family{Afi: api.Family_AFI_IP, Safi: api.Family_SAFI_UNICAST},
	}, func(d *api.Destination) {
		for _, p := range d.Paths {
			attrs, err := apiutil.GetNativePathAttributes(p)
			if err != nil {
				t.Errorf("attributes of %s: %v", d.Prefix, err)
				return
			}
			g := got{Stale: p.Stale}
			for _, a := range attrs {
				switch a := a.(type) {
				case *bgp.PathAttributeNextHop:
					g.NextHop = a.Value.String()
				case *bgp.PathAttributeCommunities:
					g.Comms = a.Value
				case *bgp.PathAttributeLargeCommunities:
					for _, c := range a.Values {
						g.Large = append(g.Large, [3]uint32{c.ASN, c.LocalData1, c.LocalData2})
					}
				case *bgp.PathAttributeLocalPref:
					g.LocalPref = a.Value
				}
			}
			out[d.Prefix] = g
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (r *testRouter) peer(t testing.TB, from string) *api.Peer {
	t.Helper()
	var out *api.Peer
	err := r.s.ListPeer(context.Background(), &api.ListPeerRequest{Address: from}, func(p *api.Peer) { out = p })
	if err != nil || out == nil {
		t.Fatalf("router %s: no neighbor %s: %v", r.addr, from, err)
	}
	return out
}

func (r *testRouter) updates(t *testing.T, from string) uint64 {
	return r.peer(t, from).GetState().GetMessages().GetReceived().GetUpdate()
}

func (r *testRouter) established(t testing.TB, from string) bool {
	return r.peer(t, from).GetState().GetSessionState() == api.PeerState_ESTABLISHED
}

// eventually polls cond every 50 ms until it holds or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func addr(s string) netip.Addr    { return netip.MustParseAddr(s) }
func pfx(s string) netip.Prefix   { return netip.MustParsePrefix(s) }
func comm(as, v uint32) uint32    { return as<<16 | v }
func portOf(r *testRouter) uint16 { return uint16(r.port) }

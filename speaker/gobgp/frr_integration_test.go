package gobgp

import (
	"fmt"
	"testing"
	"time"

	"github.com/bgplb/bgplb/speaker/router"
	"github.com/bgplb/bgplb/testing/nsrig"
)

const (
	frrLib    = "/usr/lib/frr/zebra"
	labSecret = "lab-secret"
)

// frrLab: speaker (AS 65000) — r1 FRR iBGP AS 65000 with MD5, over 192.0.2.0/30;
// r2 FRR eBGP AS 65001 with graceful restart, over 192.0.2.4/30 and 2001:db8:2::/64.
func frrLab(t *testing.T) (*lab, string) {
	nsrig.Need(t, frrLib, "/usr/lib/frr/bgpd", "vtysh")
	l := newLab(t)
	sp := l.Netns("sp")
	r1 := l.frr("r1", `
router bgp 65000
 bgp router-id 192.0.2.2
 no bgp ebgp-requires-policy
 timers bgp 3 9
 neighbor 192.0.2.1 remote-as 65000
 neighbor 192.0.2.1 password `+labSecret+`
`)
	r2 := l.frr("r2", `
router bgp 65001
 bgp router-id 192.0.2.6
 no bgp ebgp-requires-policy
 bgp graceful-restart
 timers bgp 3 9
 neighbor 192.0.2.5 remote-as 65000
 neighbor 2001:db8:2::1 remote-as 65000
 address-family ipv6 unicast
  neighbor 2001:db8:2::1 activate
 exit-address-family
`)
	l.Veth(sp, r1, "sp-r1", "r1-sp", []string{"192.0.2.1/30"}, []string{"192.0.2.2/30"})
	l.Veth(sp, r2, "sp-r2", "r2-sp", []string{"192.0.2.5/30", "2001:db8:2::1/64"}, []string{"192.0.2.6/30", "2001:db8:2::2/64"})
	return l, sp
}

// frrPath is one path of `show bgp <afi> unicast <prefix> json`, as FRR 8.4 prints it.
type frrPath struct {
	NextHop   string
	Comms     string
	Large     string
	LocalPref float64
	Stale     bool
}

func frrRoute(t testing.TB, inst, afi, prefix string) (frrPath, bool) {
	m := vtysh(t, inst, fmt.Sprintf("show bgp %s unicast %s json", afi, prefix))
	paths, _ := m["paths"].([]any)
	if len(paths) == 0 {
		return frrPath{}, false
	}
	p := paths[0].(map[string]any)
	var out frrPath
	if nhs, ok := p["nexthops"].([]any); ok && len(nhs) > 0 {
		out.NextHop, _ = nhs[0].(map[string]any)["ip"].(string)
	}
	if c, ok := p["community"].(map[string]any); ok {
		out.Comms, _ = c["string"].(string)
	}
	if c, ok := p["largeCommunity"].(map[string]any); ok {
		out.Large, _ = c["string"].(string)
	}
	out.LocalPref, _ = p["locPrf"].(float64)
	out.Stale, _ = p["stale"].(bool)
	return out, true
}

func frrState(t testing.TB, inst, neighbor string) string {
	m := vtysh(t, inst, "show bgp neighbors "+neighbor+" json")
	n, _ := m[neighbor].(map[string]any)
	s, _ := n["bgpState"].(string)
	return s
}

func frrPeers() []router.Peer {
	return []router.Peer{
		{Name: "r1", Address: addr("192.0.2.2"), ASN: 65000, Password: labSecret, HoldTime: 9 * time.Second, ConnectTime: time.Second},
		{Name: "r2", Address: addr("192.0.2.6"), ASN: 65001, GracefulRestart: true, HoldTime: 9 * time.Second, ConnectTime: time.Second},
		{Name: "r2v6", Address: addr("2001:db8:2::2"), ASN: 65001, HoldTime: 9 * time.Second, ConnectTime: time.Second},
	}
}

var vip = pfx("198.18.0.1/32")

func frrRoutes() map[string][]router.Route {
	return map[string][]router.Route{
		"r1":   {{Prefix: vip, Communities: []uint32{comm(65000, 100)}, LocalPref: 200}},
		"r2":   {{Prefix: vip, Communities: []uint32{comm(65000, 200)}, LargeCommunities: [][3]uint32{{65000, 1, 2}}}},
		"r2v6": {{Prefix: pfx("2001:db8:ff::1/128"), Communities: []uint32{comm(65000, 300)}}},
	}
}

func startFRRSpeaker(t *testing.T) *Server {
	t.Helper()
	s, err := New(background(), Config{ASN: 65000, RouterID: addr("192.0.2.1"), Logger: discard(), MD5HintAfter: 4 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPeers(background(), frrPeers()); err != nil {
		t.Fatal(err)
	}
	for peer, rs := range frrRoutes() {
		mustSet(t, s, peer, rs)
	}
	return s
}

// TestIntegrationFRR checks, at two FRR routers: per-peer communities, large
// communities and LOCAL_PREF for the same prefix; IPv6; MD5 right and wrong;
// graceful restart across an adapter restart; Close(false) withdrawing at once.
func TestIntegrationFRR(t *testing.T) {
	if !inChild() {
		l, sp := frrLab(t)
		l.runChild(sp)
		return
	}
	li := childLab(t)
	r1, r2 := li.Routers["r1"], li.Routers["r2"]
	s := startFRRSpeaker(t)
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = s.Close(background(), false)
		}
	})

	nsrig.WaitFor(t, 15*time.Second, "198.18.0.1/32 at both routers and the IPv6 route at r2", func() bool {
		_, ok1 := frrRoute(t, r1, "ipv4", "198.18.0.1/32")
		_, ok2 := frrRoute(t, r2, "ipv4", "198.18.0.1/32")
		_, ok3 := frrRoute(t, r2, "ipv6", "2001:db8:ff::1/128")
		return ok1 && ok2 && ok3
	})
	p1, _ := frrRoute(t, r1, "ipv4", "198.18.0.1/32")
	p2, _ := frrRoute(t, r2, "ipv4", "198.18.0.1/32")
	p3, _ := frrRoute(t, r2, "ipv6", "2001:db8:ff::1/128")
	t.Logf("r1: %+v\nr2: %+v\nr2 v6: %+v", p1, p2, p3)
	if p1.NextHop != "192.0.2.1" || p1.Comms != "65000:100" || p1.LocalPref != 200 || p1.Large != "" {
		t.Errorf("r1 (iBGP, MD5) has %+v, want next hop 192.0.2.1, 65000:100, LOCAL_PREF 200", p1)
	}
	if p2.NextHop != "192.0.2.5" || p2.Comms != "65000:200" || p2.Large != "65000:1:2" || p2.LocalPref == 200 {
		t.Errorf("r2 (eBGP) has %+v, want next hop 192.0.2.5, 65000:200, 65000:1:2, no LOCAL_PREF 200", p2)
	}
	if p3.NextHop != "2001:db8:2::1" || p3.Comms != "65000:300" {
		t.Errorf("r2 IPv6 has %+v, want next hop 2001:db8:2::1, 65000:300", p3)
	}

	t.Run("MD5 wrong never establishes and is reported", func(t *testing.T) {
		peers := frrPeers()
		peers[0].Password = "wrong"
		if err := s.SetPeers(background(), peers); err != nil {
			t.Fatal(err)
		}
		nsrig.WaitFor(t, 15*time.Second, "LastError names an MD5 mismatch", func() bool {
			ss, _ := s.Sessions(background())
			return ss[0].Peer == "r1" && ss[0].LastError == MD5Hint
		})
		if st := frrState(t, r1, "192.0.2.1"); st == "Established" {
			t.Fatalf("r1 established with a wrong password")
		}
		if _, ok := frrRoute(t, r1, "ipv4", "198.18.0.1/32"); ok {
			t.Error("r1 still has the route with a wrong password")
		}
		if err := s.SetPeers(background(), frrPeers()); err != nil {
			t.Fatal(err)
		}
		nsrig.WaitFor(t, 15*time.Second, "r1 established again with the right password", func() bool {
			return frrState(t, r1, "192.0.2.1") == "Established"
		})
		nsrig.WaitFor(t, 5*time.Second, "route back at r1", func() bool { _, ok := frrRoute(t, r1, "ipv4", "198.18.0.1/32"); return ok })
	})

	t.Run("graceful restart keeps routes across an adapter restart", func(t *testing.T) {
		if err := s.Close(background(), true); err != nil {
			t.Fatal(err)
		}
		closed = true
		nsrig.WaitFor(t, 5*time.Second, "r2 sees the session down", func() bool { return frrState(t, r2, "192.0.2.5") != "Established" })
		time.Sleep(2 * time.Second)
		p, ok := frrRoute(t, r2, "ipv4", "198.18.0.1/32")
		if !ok || !p.Stale {
			t.Fatalf("r2 after a graceful close: present=%v %+v, want the route kept as stale", ok, p)
		}
		if _, ok := frrRoute(t, r1, "ipv4", "198.18.0.1/32"); ok {
			t.Error("r1 (no graceful restart) kept the route")
		}
		s = startFRRSpeaker(t)
		closed = false
		nsrig.WaitFor(t, 15*time.Second, "r2 re-established and the route fresh", func() bool {
			p, ok := frrRoute(t, r2, "ipv4", "198.18.0.1/32")
			return ok && !p.Stale && frrState(t, r2, "192.0.2.5") == "Established"
		})
	})

	t.Run("Close(false) withdraws at once", func(t *testing.T) {
		nsrig.WaitFor(t, 15*time.Second, "route at r1 again", func() bool { _, ok := frrRoute(t, r1, "ipv4", "198.18.0.1/32"); return ok })
		start := time.Now()
		if err := s.Close(background(), false); err != nil {
			t.Fatal(err)
		}
		closed = true
		nsrig.WaitFor(t, 2*time.Second, "routes gone from both routers", func() bool {
			_, ok1 := frrRoute(t, r1, "ipv4", "198.18.0.1/32")
			_, ok2 := frrRoute(t, r2, "ipv4", "198.18.0.1/32")
			return !ok1 && !ok2
		})
		t.Logf("withdrawn from both routers %s after Close(false)", time.Since(start).Round(time.Millisecond))
	})
}

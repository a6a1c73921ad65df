package scenarios

import (
	"net/netip"
	"strings"
	"testing"
)

func view() View {
	return View{
		Services: map[string][]string{"default/demo": {"198.18.0.1"}, "default/pending": nil, "default/dual": {"198.18.0.9", "2001:db8:ff::9"}},
		Routes: []Route{
			{Router: "r1", Prefix: netip.MustParsePrefix("198.18.0.1/32"), NextHops: []string{"n2", "n1"},
				LocalPref: Pref(200), Communities: []string{"64512:1100", "no-export"}},
			{Router: "r1", Prefix: netip.MustParsePrefix("198.18.0.0/24"), NextHops: []string{"n3"}},
			{Router: "r3", Prefix: netip.MustParsePrefix("198.18.0.1/32"), NextHops: []string{"n3"}},
			{Router: "r1", Prefix: netip.MustParsePrefix("2001:db8:ff::9/128"), NextHops: []string{"n1"}},
		},
		Sessions: []Session{{Router: "r1", Neighbor: "n1", State: "Established"}},
		BFD:      []BFDPeer{{Router: "r1", PeerNode: "n1", State: "up"}},
	}
}

func TestExpectations(t *testing.T) {
	v := view()
	for _, c := range []struct {
		e    Expectation
		fail string // "" passes; else a part of the error
	}{
		{RouteVia{Router: "r1", Service: "default/demo"}, ""},
		{RouteVia{Router: "r1", Service: "default/demo", NextHops: []string{"n1", "n2"}}, ""},
		{RouteVia{Router: "r1", Service: "default/demo", NextHops: []string{"n1"}}, "via [n1 n2], want [n1]"},
		{RouteVia{Router: "r1", Service: "default/demo", Communities: []string{"64512:1100"}, LocalPref: Pref(200)}, ""},
		{RouteVia{Router: "r1", Service: "default/demo", Communities: []string{"64512:1200"}}, "missing 64512:1200"},
		{RouteVia{Router: "r1", Service: "default/demo", LocalPref: Pref(100)}, "LOCAL_PREF 200, want 100"},
		{RouteVia{Router: "r1", Service: "default/demo", Without: []string{"64512:1200"}}, ""},
		{RouteVia{Router: "r1", Service: "default/demo", Without: []string{"no-export"}}, "carries no-export, which it must not"},
		{RouteVia{Router: "r3", Service: "default/demo", LocalPref: Pref(100)}, "no LOCAL_PREF"},
		{RouteVia{Router: "r1", Service: "default/demo", Length: 24, NextHops: []string{"n3"}}, ""},
		{RouteVia{Router: "r1", Service: "default/demo", Length: 28}, "no route covering"},
		{RouteVia{Router: "r2", Service: "default/demo"}, "no route covering 198.18.0.1"},
		{RouteVia{Router: "r1", Service: "default/pending"}, "no IP of that family yet"},
		{RouteVia{Router: "r1", Service: "default/dual", IPv6: true, NextHops: []string{"n1"}}, ""},
		{RouteVia{Router: "r1", Service: "default/dual", Length: 32}, "no route covering 198.18.0.9"},
		{RouteVia{Router: "r1", Service: "default/demo", IPv6: true}, "no IP of that family"},
		{NoRoute{Router: "r1", Service: "default/dual", IPv6: true}, "still has 2001:db8:ff::9/128"},
		{NoRoute{Router: "r2", Service: "default/demo"}, ""},
		{NoRoute{Router: "r1", Service: "default/pending"}, ""},
		{NoRoute{Router: "r1", Service: "default/demo"}, "still has 198.18.0.1/32"},
		{SessionIs{Router: "r1", Neighbor: "n1", State: "Established"}, ""},
		{SessionIs{Router: "r1", Neighbor: "n1", State: "Active"}, "is Established"},
		{SessionIs{Router: "r1", Neighbor: "n9", State: "Established"}, "no session"},
		{BFDIs{Router: "r1", PeerNode: "n1", State: "Up"}, ""},
		{BFDIs{Router: "r1", PeerNode: "n1", State: "down"}, "is up"},
		{BFDIs{Router: "r2", PeerNode: "n1", State: "up"}, "no BFD session"},
		{HasIP{Service: "default/demo"}, ""},
		{HasIP{Service: "default/pending"}, "no IP"},
	} {
		err := c.e.Check(v)
		switch {
		case c.fail == "" && err != nil:
			t.Errorf("%s: %v", c.e, err)
		case c.fail != "" && (err == nil || !strings.Contains(err.Error(), c.fail)):
			t.Errorf("%s: error %v, want one containing %q", c.e, err, c.fail)
		}
	}
}

func TestNextHopCountAndAll(t *testing.T) {
	v := view()
	if n := v.NextHopCount("r1", "default/demo"); n != 2 {
		t.Errorf("r1 next hops = %d, want 2 (the /32, not the /24)", n)
	}
	if n := v.NextHopCount("r2", "default/demo"); n != 0 {
		t.Errorf("r2 next hops = %d, want 0", n)
	}
	err := All(v, []Expectation{HasIP{"default/demo"}, NoRoute{Router: "r3", Service: "default/demo"}})
	if err == nil || !strings.HasPrefix(err.Error(), "r3 has no route to default/demo: ") {
		t.Errorf("All = %v; want the second expectation named", err)
	}
}

package lab

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/bgplb/bgplb/topologies"
	"github.com/bgplb/bgplb/topologies/kind"
	"github.com/bgplb/bgplb/topologies/kinds"
	"github.com/bgplb/bgplb/topologies/model"
)

func shippedLab(t *testing.T, name string) *model.Lab {
	t.Helper()
	data, err := topologies.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	l, err := resolve(source{Name: name, Data: data}, model.AllCapabilities(kinds.Registry().RouterNames()))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestSessionsMergeExpectedAndSeen: every session the topology expects is listed (as
// "missing" when the router lacks it), and sessions the router has beyond the topology
// are listed too, so a misconfigured router is visible.
func TestSessionsMergeExpectedAndSeen(t *testing.T) {
	l := shippedLab(t, "two-dc")
	own := owners(l)
	r2 := netip.MustParseAddr("198.51.100.1") // r2's end of the r1-r2 link
	stray := netip.MustParseAddr("203.0.113.60")
	seen := []kind.Session{
		{Neighbor: r2, State: kind.StateEstablished, PrefixesReceived: 3},
		{Neighbor: stray, State: kind.StateActive, RemoteAS: 65000, PrefixesReceived: -1},
	}
	st := &Status{}
	st.sessions(l, "r1", seen, own)
	want := len(l.SessionsOf("r1")) + 1
	if len(st.Sessions) != want {
		t.Fatalf("%d sessions, want %d: %+v", len(st.Sessions), want, st.Sessions)
	}
	byAddr := map[string]SessionStatus{}
	for _, s := range st.Sessions {
		byAddr[s.Address] = s
	}
	if s := byAddr[r2.String()]; s.Neighbor != "r2" || s.Kind != "ibgp" || s.State != kind.StateEstablished || s.PrefixesReceived != 3 {
		t.Errorf("r1-r2: %+v", s)
	}
	if s := byAddr["198.51.100.5"]; s.Neighbor != "r3" || s.State != StateMissing {
		t.Errorf("r1-r3 should be missing: %+v", s)
	}
	if s := byAddr[stray.String()]; s.Kind != "" || s.State != kind.StateActive || s.RemoteAS != 65000 {
		t.Errorf("stray session: %+v", s)
	}
}

func TestRouteStatusNamesNextHopNodes(t *testing.T) {
	l := shippedLab(t, "two-dc")
	n1 := l.Node("n1").Interfaces[0].Addresses[0].Addr()
	lp := uint32(200)
	r := kind.Route{Prefix: netip.MustParsePrefix("198.18.0.1/32"), Paths: []kind.Path{
		{NextHops: []netip.Addr{n1}, Best: true, LocalPref: &lp, Communities: []string{"64512:1100"}},
		{NextHops: []netip.Addr{netip.MustParseAddr("203.0.113.6")}, Multipath: true},
	}}
	rs := routeStatus("r1", r, owners(l))
	if len(rs.NextHops) != 2 || rs.NextHops[0].Node != "n1" || rs.NextHops[1].Node != "n2" || *rs.LocalPref != 200 || rs.Paths != 2 {
		t.Errorf("%+v", rs)
	}
}

func TestWriteTableSaysWhatIsPendingAndEmulated(t *testing.T) {
	st := &Status{Lab: "two-dc", Backend: "netns", Topology: "two-dc", Phase: PhaseUp,
		Nodes:    []NodeStatus{{Name: "r4", Role: model.RoleRouter, Kind: "vyos", Emulation: "emulated by frr"}},
		Services: []ServiceStatus{{Namespace: "default", Name: "demo", Pending: true, Backends: "n1,n2"}},
		Sessions: []SessionStatus{{Router: "r4", Neighbor: "r3", Address: "198.51.100.2", Kind: "ibgp", State: "Established", PrefixesReceived: -1}},
	}
	var out bytes.Buffer
	if err := WriteTable(&out, st); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"vyos (emulated by frr)", "default/demo  <pending>", "r4      r3        198.51.100.2  ibgp  Established"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestShippedListsEveryTopologyWithDefault(t *testing.T) {
	ts, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	defaults := 0
	for _, tp := range ts {
		if tp.Description == "" {
			t.Errorf("%s has no description", tp.Name)
		}
		if tp.Default {
			defaults++
		}
	}
	if len(ts) < 6 || defaults != 1 {
		t.Errorf("%d topologies, %d defaults: %+v", len(ts), defaults, ts)
	}
}

package model

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestParseIsStrict(t *testing.T) {
	for name, y := range map[string]string{
		"unknown top-level field": "name: t\nnodez: []\n",
		"unknown node field":      "name: t\nnodes: [{name: r1, colour: red}]\n",
		"unknown endpoint field":  "name: t\nlinks: [{endpoints: [{node: r1, ip: 1.2.3.4}]}]\n",
		"duplicate key":           "name: t\nname: u\n",
		"bad prefix":              "name: t\npools: {vip: [198.18.0.0/99]}\n",
	} {
		if _, err := Parse([]byte(y)); err == nil {
			t.Errorf("%s: want a parse error", name)
		}
	}
}

func TestParseEndpointForms(t *testing.T) {
	top := parseOrFail(t, `name: t
links: [{endpoints: [r1, "r2:uplink", {node: r3, interface: e9, address: [192.0.2.1/24]}]}]`)
	got := top.Links[0].Endpoints
	want := []Endpoint{{Node: "r1"}, {Node: "r2", Interface: "uplink"},
		{Node: "r3", Interface: "e9", Address: []netip.Prefix{netip.MustParsePrefix("192.0.2.1/24")}}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestPrecedence sets each field at several levels; the most specific must win.
func TestPrecedence(t *testing.T) {
	lab := mustResolve(t, `
name: t
sites: {dc1: {asn: 64600}}
bfdProfiles: {d: {}, k: {}, g: {}, nd: {}}
defaults:
  asn: 64700
  maximumPaths: 2
  labels: {a: defaults, b: defaults}
  speakers: {password: defaults, holdTime: 30s, bfd: d}
kinds:
  frr: {maximumPaths: 3, speakers: {bfd: k}}
  k8s-node: {asn: 64513, labels: {b: kind, c: kind}}
groups:
  g: {maximumPaths: 4, site: dc1, speakers: {password: group, bfd: g}}
  w: {labels: {c: group}}
nodes:
  - {name: r1, kind: frr}
  - {name: r2, kind: frr, group: g}
  - {name: r3, kind: frr, group: g, asn: 65000, maximumPaths: 5, speakers: {bfd: nd}}
  - {name: r4, kind: bird, site: dc1}
  - {name: n1, role: k8s-node, group: w, labels: {d: node}}
links:
  - {endpoints: [r1, r2, r3, r4, n1]}
`)
	type want struct {
		asn      uint32
		paths    int
		password string
		bfd      string
	}
	for name, w := range map[string]want{
		"r1": {64700, 3, "defaults", "k"}, // defaults ASN; kind maximumPaths and bfd
		"r2": {64600, 4, "group", "g"},    // site ASN (group's site) beats defaults; group beats kind
		"r3": {65000, 5, "group", "nd"},   // node beats everything; password still from group
		"r4": {64600, 2, "defaults", "d"}, // bird has no kind settings: site ASN, defaults rest
	} {
		n := lab.Node(name)
		if n.ASN != w.asn || n.MaximumPaths != w.paths {
			t.Errorf("%s: asn %d paths %d, want %d %d", name, n.ASN, n.MaximumPaths, w.asn, w.paths)
		}
		s := lab.SessionsOf(name)[0]
		if s.Password != w.password || s.BFD != w.bfd || s.HoldTime != 30*time.Second {
			t.Errorf("%s: session password %q bfd %q hold %s, want %q %q 30s", name, s.Password, s.BFD, s.HoldTime, w.password, w.bfd)
		}
	}
	n1 := lab.Node("n1")
	if n1.ASN != 64513 {
		t.Errorf("n1 ASN %d, want the kind's 64513 over defaults", n1.ASN)
	}
	wantLabels := map[string]string{"a": "defaults", "b": "kind", "c": "group", "d": "node", LabelHostname: "n1"}
	if fmt.Sprint(n1.Labels) != fmt.Sprint(wantLabels) {
		t.Errorf("n1 labels %v, want %v", n1.Labels, wantLabels)
	}
}

func mustResolve(t *testing.T, y string) *Lab {
	t.Helper()
	lab, err := Resolve(parseOrFail(t, y), AllCapabilities(testKinds))
	if err != nil {
		t.Fatal(err)
	}
	return lab
}

func TestExplicitPeersSelectNodesInManifests(t *testing.T) {
	lab := mustResolve(t, `
name: t
nodes:
  - {name: r1, kind: frr, speakers: {password: pw}}
  - {name: r2, kind: frr}
  - {name: n1, role: k8s-node}
  - {name: n2, role: k8s-node, peers: [r2]}
links:
  - {endpoints: [r1, r2, n1, n2]}
`)
	m := lab.Manifests()
	if len(m.Peers) != 2 {
		t.Fatalf("want 2 BGPPeers, got %d", len(m.Peers))
	}
	r1, r2 := m.Peers[0], m.Peers[1]
	if sel := r1.Spec.NodeSelectors; len(sel) != 1 || fmt.Sprint(sel[0].MatchExpressions[0].Values) != "[n1]" {
		t.Errorf("r1 peer must select only n1, got %+v", sel)
	}
	if len(r2.Spec.NodeSelectors) != 0 {
		t.Errorf("r2 peers with every node: no selector wanted, got %+v", r2.Spec.NodeSelectors)
	}
	if r1.Spec.PasswordSecret.Name != "r1-bgp-password" || len(m.Secrets) != 1 || string(m.Secrets[0].Data["password"]) != "pw" {
		t.Errorf("r1 password must be a basic-auth Secret: %+v %+v", r1.Spec.PasswordSecret, m.Secrets)
	}
}

func TestOwnManifestsReplaceDerivedObjects(t *testing.T) {
	lab := mustResolve(t, "name: t\nmanifests: [guide.yaml]\nnodes: [{name: r1, kind: frr}, {name: n1, role: k8s-node}]\nlinks: [{endpoints: [r1, n1]}]\n")
	m := lab.Manifests()
	if fmt.Sprint(m.Files) != "[guide.yaml]" || len(m.Peers)+len(m.Pools)+len(m.Advertisements) != 0 || len(m.Nodes) != 1 {
		t.Errorf("own manifests: want files only plus Nodes, got %+v", m)
	}
}

func TestIPv6AddsAddressesSessionsAndVIPs(t *testing.T) {
	lab := mustResolve(t, "name: t\npools: {ipv6: true}\nnodes: [{name: r1, kind: frr}, {name: n1, role: k8s-node}, {name: c1, role: client}]\nlinks: [{endpoints: [r1, n1, c1]}]\n")
	if len(lab.Sessions) != 2 || !lab.Sessions[1].A.Address.Is6() {
		t.Errorf("want an IPv4 and an IPv6 session, got %+v", lab.Sessions)
	}
	if len(lab.VIPs) != 2 || len(lab.Node("r1").Loopbacks) != 2 || len(lab.Node("c1").Routes) != 2 {
		t.Errorf("want v4+v6 VIPs, loopbacks and client routes: %+v", lab.Node("c1"))
	}
	ri, err := lab.RouterIntent("r1")
	if err != nil || ri.SpeakerPolicy.Accept[1].Le != 128 {
		t.Errorf("IPv6 VIPs accepted up to /128: %+v %v", ri.SpeakerPolicy, err)
	}
	if m := lab.Manifests(); len(m.Peers) != 2 || m.Peers[1].Name != "r1-v6" {
		t.Errorf("want BGPPeers r1 and r1-v6, got %+v", m.Peers)
	}
}

func TestRouterIntentRejectsNonRouters(t *testing.T) {
	lab := resolve(t, "two-dc")
	for _, n := range []string{"n1", "nope"} {
		if _, err := lab.RouterIntent(n); err == nil {
			t.Errorf("RouterIntent(%s): want an error", n)
		}
	}
}

func TestNoRouteLeavesTheLab(t *testing.T) {
	for _, name := range shipped {
		lab := resolve(t, name)
		for _, n := range lab.Nodes {
			for _, r := range n.Routes {
				if !inDocRanges(r.Prefix) || r.Prefix.Bits() == 0 {
					t.Errorf("%s %s: route %s leaves the lab", name, n.Name, r.Prefix)
				}
			}
		}
	}
}

// TestInterfaceNamesProperty resolves random topologies with long names and many links:
// every device name fits Linux's 15 characters, names are unique where they must be, and
// two labs never share a host-side name.
func TestInterfaceNamesProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 40 {
		var b strings.Builder
		name := fmt.Sprintf("lab-%d-%s", iter, strings.Repeat("x", rng.IntN(20)))
		fmt.Fprintf(&b, "name: %s\npools: {lan: [203.0.113.0/24, 192.0.2.128/25]}\nnodes:\n", name)
		nr, nk := 1+rng.IntN(6), 1+rng.IntN(12)
		long := func(p string, i int) string { return fmt.Sprintf("%s%d%s", p, i, strings.Repeat("-a", rng.IntN(12))) }
		var routers, nodes []string
		for i := range nr {
			routers = append(routers, long("r", i))
			fmt.Fprintf(&b, "  - {name: %s, kind: frr}\n", routers[i])
		}
		for i := range nk {
			nodes = append(nodes, long("n", i))
			fmt.Fprintf(&b, "  - {name: %s, role: k8s-node}\n", nodes[i])
		}
		b.WriteString("links:\n")
		fmt.Fprintf(&b, "  - {endpoints: [%s, %s]}\n", strings.Join(routers, ", "), strings.Join(nodes, ", "))
		for i := range nr {
			for j := i + 1; j < nr; j++ {
				fmt.Fprintf(&b, "  - {endpoints: [%s, %s]}\n", routers[i], routers[j])
			}
		}
		lab := mustResolve(t, b.String())
		checkNames(t, lab)
	}
	a, c := resolve(t, "two-dc"), resolve(t, "single-router")
	seen := map[string]bool{}
	for _, l := range []*Lab{a, c} {
		for _, n := range l.Nodes {
			for _, ifc := range n.Interfaces {
				if seen[ifc.HostName] {
					t.Errorf("host-side name %s used by two labs", ifc.HostName)
				}
				seen[ifc.HostName] = true
			}
		}
	}
}

func checkNames(t *testing.T, lab *Lab) {
	t.Helper()
	host := map[string]bool{}
	for _, l := range lab.Links {
		if len(l.Bridge) > MaxIfName || l.Kind == LinkBridge && (l.Bridge == "" || host[l.Bridge]) {
			t.Errorf("%s: bridge name %q", lab.Name, l.Bridge)
		}
		host[l.Bridge] = true
	}
	for _, n := range lab.Nodes {
		inside := map[string]bool{}
		for _, ifc := range n.Interfaces {
			if len(ifc.Name) > MaxIfName || len(ifc.HostName) > MaxIfName || inside[ifc.Name] || host[ifc.HostName] {
				t.Errorf("%s: node %s interface %q host %q: too long or not unique", lab.Name, n.Name, ifc.Name, ifc.HostName)
			}
			inside[ifc.Name], host[ifc.HostName] = true, true
		}
	}
}

func TestAllocatorSkipsReservedAndAligns(t *testing.T) {
	pool := mustPrefixes("192.0.2.0/24")
	a := newAllocator(pool, mustPrefixes("192.0.2.2/31", "192.0.2.64/26"))
	var got []string
	for _, bits := range []int{31, 31, 26, 31} {
		p, ok := a.take(bits)
		if !ok {
			t.Fatalf("pool exhausted early after %v", got)
		}
		got = append(got, p.String())
	}
	// /31 .0, skip reserved .2/31 -> .4, /26 aligns to .64 (reserved) -> .128, then .192.
	if want := "[192.0.2.0/31 192.0.2.4/31 192.0.2.128/26 192.0.2.192/31]"; fmt.Sprint(got) != want {
		t.Errorf("got %v, want %s", got, want)
	}
	b := newAllocator(mustPrefixes("2001:db8:1::/63"), nil)
	for i := range 3 {
		_, ok := b.take(64)
		if ok != (i < 2) {
			t.Errorf("IPv6 /64 #%d from a /63: ok=%v", i, ok)
		}
	}
}

func TestLANPrefixGrowsWithMembers(t *testing.T) {
	for members, bits := range map[int]int{2: 26, 62: 26, 63: 25, 200: 24} {
		if got := subnetBits(LinkBridge, 4, members); got != bits {
			t.Errorf("%d members: /%d, want /%d", members, got, bits)
		}
	}
}

package netns

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bgplb/bgplb/topologies/backend"
)

// routersTopology: an FRR router peering eBGP with a BIRD, a gobgpd and a VyOS
// (FRR-emulated) router, each in its own site, plus one k8s node on r1's LAN.
const routersTopology = `
name: nsrouters
sites:
  dc1: {asn: 64512}
  dc2: {asn: 64514}
  dc3: {asn: 64515}
  dc4: {asn: 64516}
defaults:
  routers: {holdTime: 9s, keepaliveTime: 3s}
kinds:
  k8s-node: {asn: 64513}
nodes:
  - {name: r1, kind: frr, site: dc1}
  - {name: r2, kind: bird, site: dc2}
  - {name: r3, kind: gobgp, site: dc3}
  - {name: r4, kind: vyos, site: dc4}
  - {name: n1, role: k8s-node, site: dc1}
links:
  - {endpoints: [r1, r2]}
  - {endpoints: [r1, r3]}
  - {endpoints: [r1, r4]}
  - {name: lan1, endpoints: [r1, n1]}
`

func TestIntegrationNetnsRouters(t *testing.T) {
	b, caps := integrationBackend(t, "frr", "bird", "gobgp")
	lab := upLab(t, b, caps, []byte(routersTopology))
	ctx := context.Background()

	// FRR sees every router-router session Established (it is one end of each).
	routerPeers := map[string]string{}
	for _, s := range lab.Sessions {
		if s.Kind != "speaker" && s.A.Node == "r1" {
			routerPeers[s.B.Address.String()] = s.B.Node
		} else if s.Kind != "speaker" && s.B.Node == "r1" {
			routerPeers[s.A.Address.String()] = s.A.Node
		}
	}
	if len(routerPeers) != 3 {
		t.Fatalf("want 3 router sessions on r1, got %v", routerPeers)
	}
	waitFor(t, "router sessions Established", 30*time.Second, func() (bool, string) {
		out, err := execOut(t, b, lab.Name, "r1", "vtysh", "-c", "show bgp summary json")
		if err != nil {
			return false, out
		}
		var sum struct {
			IPv4 struct {
				Peers map[string]struct{ State string } `json:"peers"`
			} `json:"ipv4Unicast"`
		}
		if err := json.Unmarshal([]byte(out), &sum); err != nil {
			return false, err.Error()
		}
		for addr, node := range routerPeers {
			if sum.IPv4.Peers[addr].State != "Established" {
				return false, node + " " + addr + ": " + sum.IPv4.Peers[addr].State
			}
		}
		return true, ""
	})
	// The other ends agree, through each daemon's own CLI via Exec.
	if out, err := execOut(t, b, lab.Name, "r2", "birdc", "show", "protocols"); err != nil || !strings.Contains(out, "Established") {
		t.Errorf("birdc on r2: %v\n%s", err, out)
	}
	if out, err := execOut(t, b, lab.Name, "r3", "gobgp", "neighbor"); err != nil || !strings.Contains(out, "Establ") {
		t.Errorf("gobgp on r3: %v\n%s", err, out)
	}
	if out, err := execOut(t, b, lab.Name, "r4", "vtysh", "-c", "show bgp summary"); err != nil || !strings.Contains(out, "r1") && !strings.Contains(out, "64512") {
		t.Errorf("vtysh on r4: %v\n%s", err, out)
	}

	st, err := b.Inspect(ctx, lab.Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range st.Nodes {
		want := ""
		if n.Name == "r4" {
			want = "emulated by frr"
		}
		if n.Emulation != want {
			t.Errorf("node %s emulation %q, want %q", n.Name, n.Emulation, want)
		}
	}

	// Partition dc2: r1-r2 goes down on both ends; heal brings it back.
	var r2addr string
	for a, n := range routerPeers {
		if n == "r2" {
			r2addr = a
		}
	}
	if err := b.Fault(ctx, lab.Name, backend.Fault{Kind: backend.FaultPartition, Target: "dc2"}); err != nil {
		t.Fatal(err)
	}
	if out, err := execOut(t, b, lab.Name, "r1", "ping", "-c1", "-W1", r2addr); err == nil {
		t.Fatalf("r1 reaches r2 across a partition:\n%s", out)
	}
	if err := b.Fault(ctx, lab.Name, backend.Fault{Kind: backend.FaultHeal, Target: "dc2"}); err != nil {
		t.Fatal(err)
	}
	if out, err := execOut(t, b, lab.Name, "r1", "ping", "-c1", "-W2", r2addr); err != nil {
		t.Fatalf("r1 cannot reach r2 after heal: %v\n%s", err, out)
	}
	// Restarting BIRD keeps its config: the session comes back.
	if err := b.Fault(ctx, lab.Name, backend.Fault{Kind: backend.FaultRestart, Target: "r2"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "r2 Established after restart", 30*time.Second, func() (bool, string) {
		out, err := execOut(t, b, lab.Name, "r2", "birdc", "show", "protocols")
		return err == nil && strings.Contains(out, "Established"), out
	})
}

// TestIntegrationNetnsTwoDC brings up the default lab and checks every router-router
// session reaches Established on FRR's side (r1, r2, r4 run FRR; r3 BIRD). It logs the
// Up and Down times the targets are about.
func TestIntegrationNetnsTwoDC(t *testing.T) {
	b, caps := integrationBackend(t, "frr", "bird", "vyos")
	yaml, err := os.ReadFile("../../two-dc.yaml")
	if err != nil {
		t.Skipf("two-dc topology: %v", err)
	}
	lab := upLab(t, b, caps, yaml)
	noDefaultRoute(t, b, lab)
	for _, s := range lab.Sessions {
		if s.Kind == "speaker" {
			continue
		}
		for _, end := range []struct{ self, peer string }{{s.A.Node, s.B.Address.String()}, {s.B.Node, s.A.Address.String()}} {
			if n := lab.Node(end.self); n.Kind == "bird" {
				continue
			}
			waitFor(t, end.self+" to "+end.peer+" Established", 30*time.Second, func() (bool, string) {
				out, err := execOut(t, b, lab.Name, end.self, "vtysh", "-c", "show bgp neighbors "+end.peer+" json")
				return err == nil && strings.Contains(out, `"bgpState":"Established"`), tail(out, 300)
			})
		}
	}
}

package clab

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bgplb/bgplb/topologies/kinds"
)

// sampleTopology is the shape of the shipped clab-ceos-vyos topology: FRR and VyOS in dc1,
// cEOS and BIRD in dc2, a kind cluster with two workers wired to the routers, a client.
func sampleTopology(t *testing.T, clabCreatesCluster bool) Topology {
	t.Helper()
	reg := kinds.Registry()
	must := func(name, k, image, dir string) TopoNode {
		t.Helper()
		rk, err := reg.Router(k)
		if err != nil {
			t.Fatal(err)
		}
		n, err := RouterNode(name, rk, image, dir)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	r1 := must("r1", "frr", "", "r1")
	r1.Group = "dc1"
	r2 := must("r2", "vyos", "", "r2")
	r2.Group = "dc1"
	r3 := must("r3", "ceos", "", "r3")
	r3.Group = "dc2"
	r4 := must("r4", "bird", "bgplb/lab-bird:2.0.12", "r4")
	r4.Group = "dc2"
	client, _ := reg.Host("client")
	c1 := HostNode("c1", client, "")
	c1.Exec = []string{"ip addr add 203.0.113.10/24 dev eth1", "ip route add 198.18.0.0/15 via 203.0.113.1"}

	nodes := []TopoNode{r1, r2, r3, r4, c1}
	nodes = append(nodes, ClusterNodes("k01", "k01.kind.yaml", 2, clabCreatesCluster)...)
	ep := func(n, i string) Endpoint { return Endpoint{Node: n, Interface: i} }
	return Topology{
		Name:  "clab-ceos-vyos",
		Nodes: nodes,
		Links: []Link{
			{A: ep("r1", "eth1"), B: ep("r2", "eth1")},
			{A: ep("r1", "eth2"), B: ep("r3", "eth1")},
			{A: ep("r3", "eth2"), B: ep("r4", "eth1")},
			{A: ep("r1", "eth3"), B: ep("k01-control-plane", "eth1")},
			{A: ep("r1", "eth4"), B: ep("k01-worker", "eth1")},
			{A: ep("r2", "eth2"), B: ep("k01-worker2", "eth1")},
			{A: ep("r4", "eth2"), B: ep("c1", "eth1")},
		},
	}
}

func topologyGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -updateTopology to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the rendered output (go test -updateTopology refreshes it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestTopologyRenderGolden(t *testing.T) {
	for _, tc := range []struct {
		file        string
		clabCreates bool
	}{
		{"clab-ceos-vyos.clab.yml", true},
		{"clab-ceos-vyos-kindfirst.clab.yml", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := RenderTopology(sampleTopology(t, tc.clabCreates))
			if err != nil {
				t.Fatal(err)
			}
			topologyGolden(t, tc.file, got)
			again, _ := RenderTopology(sampleTopology(t, tc.clabCreates))
			if string(again) != string(got) {
				t.Error("two renders of the same lab differ: output must be deterministic")
			}
		})
	}
}

func TestRenderMapsRouterKinds(t *testing.T) {
	got, err := RenderTopology(sampleTopology(t, true))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"kind: " + KindVyOS, "kind: " + KindCEOS, "kind: k8s-kind", "kind: ext-container",
		"r1/frr.conf:/etc/frr/frr.conf", "r1/daemons:/etc/frr/daemons",
		"startup-config: r2/config.commands", "startup-config: r3/startup-config",
		"startup-config: k01.kind.yaml", "- r1:eth3\n    - k01-control-plane:eth1",
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("rendered topology lacks %q", want)
		}
	}
	if strings.Contains(string(got), "mgmt-ipv4") {
		t.Error("mgmt-ipv4 rendered although no node pins one")
	}
}

func TestKindNodeNames(t *testing.T) {
	got := strings.Join(KindNodeNames("k01", 3), ",")
	if want := "k01-control-plane,k01-worker,k01-worker2,k01-worker3"; got != want {
		t.Errorf("KindNodeNames = %s, want %s", got, want)
	}
	if n := ClusterNodes("k01", "k.yaml", 1, false); len(n) != 2 || n[0].Kind != KindExtContainer {
		t.Errorf("ClusterNodes without clabCreates = %+v, want two ext-container nodes", n)
	}
}

func TestRouterNodeErrors(t *testing.T) {
	gobgp, _ := kinds.Registry().Router("gobgp")
	if _, err := RouterNode("r9", gobgp, "", "r9"); err == nil || !strings.Contains(err.Error(), "set image") {
		t.Errorf("gobgp without image: err = %v, want a hint to set the image", err)
	}
}

func TestTopologyValidateReportsEveryProblem(t *testing.T) {
	l := Topology{
		Nodes: []TopoNode{
			{Name: "r1", Kind: KindLinux, Image: "x"},
			{Name: "r1", Kind: KindLinux, Image: "x"},
			{Name: "r2", Kind: KindLinux},
			{Name: "r3"},
		},
		Links: []Link{
			{A: Endpoint{"r1", "eth1"}, B: Endpoint{"ghost", "eth1"}},
			{A: Endpoint{"r1", "eth1"}, B: Endpoint{"r2", "a-very-long-interface"}},
		},
	}
	_, err := RenderTopology(l)
	if err == nil {
		t.Fatal("Render accepted an invalid lab")
	}
	for _, want := range []string{
		"name is empty", "node r1: defined twice", "node r2: image is empty",
		"node r3: kind is empty", `unknown node "ghost"`, "already used by links[0]",
		`interface "a-very-long-interface"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

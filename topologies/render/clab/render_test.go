package clab

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// sampleLab is the shape of the shipped clab-ceos-vyos topology: FRR and VyOS in dc1,
// cEOS and BIRD in dc2, a kind cluster with two workers wired to the routers, a client.
func sampleLab(t *testing.T, clabCreatesCluster bool) Lab {
	t.Helper()
	must := func(n Node, err error) Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	r1 := must(RouterNode("r1", "frr", "", "r1"))
	r1.Group = "dc1"
	r2 := must(RouterNode("r2", "vyos", "", "r2"))
	r2.Group = "dc1"
	r3 := must(RouterNode("r3", "ceos", "", "r3"))
	r3.Group = "dc2"
	r4 := must(RouterNode("r4", "bird", "bgplb/lab-bird:2.0.12", "r4"))
	r4.Group = "dc2"
	c1 := ClientNode("c1")
	c1.Exec = []string{"ip addr add 203.0.113.10/24 dev eth1", "ip route add 198.18.0.0/15 via 203.0.113.1"}

	nodes := []Node{r1, r2, r3, r4, c1}
	nodes = append(nodes, KindCluster("k01", "k01.kind.yaml", 2, clabCreatesCluster)...)
	ep := func(n, i string) Endpoint { return Endpoint{Node: n, Interface: i} }
	return Lab{
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

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the rendered output (go test -update refreshes it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestRenderGolden(t *testing.T) {
	for _, tc := range []struct {
		file        string
		clabCreates bool
	}{
		{"clab-ceos-vyos.clab.yml", true},
		{"clab-ceos-vyos-kindfirst.clab.yml", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := Render(sampleLab(t, tc.clabCreates))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.file, got)
			again, _ := Render(sampleLab(t, tc.clabCreates))
			if string(again) != string(got) {
				t.Error("two renders of the same lab differ: output must be deterministic")
			}
		})
	}
}

func TestRenderMapsRouterKinds(t *testing.T) {
	got, err := Render(sampleLab(t, true))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"kind: " + KindVyOS, "kind: " + KindCEOS, "kind: k8s-kind", "kind: ext-container",
		"r1/frr.conf:/etc/frr/frr.conf", "r1/daemons:/etc/frr/daemons",
		"startup-config: r2/config.boot", "startup-config: r3/startup-config",
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
	if n := KindCluster("k01", "k.yaml", 1, false); len(n) != 2 || n[0].Kind != KindExtContainer {
		t.Errorf("KindCluster without clabCreates = %+v, want two ext-container nodes", n)
	}
}

func TestRouterNodeErrors(t *testing.T) {
	if _, err := RouterNode("r9", "junos", "", "r9"); err == nil || !strings.Contains(err.Error(), "valid kinds: bird, ceos, frr, gobgp, vyos") {
		t.Errorf("unknown kind: err = %v, want the valid kinds listed", err)
	}
	if _, err := RouterNode("r9", "gobgp", "", "r9"); err == nil || !strings.Contains(err.Error(), "set image") {
		t.Errorf("gobgp without image: err = %v, want a hint to set the image", err)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	l := Lab{
		Nodes: []Node{
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
	_, err := Render(l)
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

package clab

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/yaml"
)

func sampleCluster() KindCluster {
	return KindCluster{
		Name:          "k01",
		KubeProxyMode: "ipvs",
		Nodes: []KindNode{
			{Role: RoleControlPlane, Labels: map[string]string{"topology.kubernetes.io/zone": "dc1"}},
			{Role: RoleWorker, Labels: map[string]string{"topology.kubernetes.io/zone": "dc1", "bgplb.io/rack": "r1"}},
			{Role: RoleWorker, Image: "kindest/node:v1.34.0", Labels: map[string]string{"topology.kubernetes.io/zone": "dc2"}},
		},
	}
}

func TestKindConfigRenderGolden(t *testing.T) {
	got, err := RenderKindConfig(sampleCluster())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "k01.kind.yaml")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -updateKind to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (go test -updateKind refreshes it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
	for i := 0; i < 5; i++ {
		if again, _ := RenderKindConfig(sampleCluster()); string(again) != string(got) {
			t.Fatal("two renders differ: output must be deterministic")
		}
	}
}

// The rendered file must load strictly into kind's own type (unknown or misspelt
// fields fail) and carry exactly what was asked for.
func TestRenderRoundTripsThroughKindTypes(t *testing.T) {
	out, err := RenderKindConfig(sampleCluster())
	if err != nil {
		t.Fatal(err)
	}
	var got v1alpha4.Cluster
	if err := yaml.UnmarshalStrict(out, &got); err != nil {
		t.Fatalf("kind's v1alpha4.Cluster rejects the rendered file: %v", err)
	}
	want, _ := sampleCluster().Config()
	if !reflect.DeepEqual(&got, want) {
		t.Errorf("round trip changed the config:\n got %+v\nwant %+v", got, *want)
	}
	if got.APIVersion != "kind.x-k8s.io/v1alpha4" || got.Kind != "Cluster" {
		t.Errorf("type meta = %s/%s", got.APIVersion, got.Kind)
	}
	if got.Networking.DisableDefaultCNI {
		t.Error("default CNI disabled: the lab keeps kindnet")
	}
	var bad v1alpha4.Cluster
	if err := yaml.UnmarshalStrict([]byte("kind: KindCluster\nnodes:\n- rol: worker\n"), &bad); err == nil {
		t.Error("strict load accepted a misspelt field: the round-trip check could not fail")
	}
}

func TestDefaultIsOneControlPlane(t *testing.T) {
	out, err := RenderKindConfig(KindCluster{Name: "solo"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "- role: control-plane\n") || strings.Contains(string(out), "worker") {
		t.Errorf("empty node list should render one control-plane:\n%s", out)
	}
}

func TestNodeNames(t *testing.T) {
	c := sampleCluster()
	c.Nodes = append(c.Nodes, KindNode{Role: RoleControlPlane})
	got := strings.Join(c.NodeNames(), ",")
	want := "k01-control-plane,k01-worker,k01-worker2,k01-control-plane2"
	if got != want {
		t.Errorf("NodeNames = %s, want %s", got, want)
	}
}

func TestKindConfigValidateReportsEveryProblem(t *testing.T) {
	_, err := RenderKindConfig(KindCluster{Name: "Bad_Name", KubeProxyMode: "userspace", Nodes: []KindNode{{Role: "master"}}})
	if err == nil {
		t.Fatal("invalid cluster accepted")
	}
	for _, want := range []string{`name "Bad_Name"`, `kubeProxyMode "userspace"`, `nodes[0]: role "master"`, "no control-plane node"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

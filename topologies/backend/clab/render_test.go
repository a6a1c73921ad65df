package clab

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// readTree returns every file under dir by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = raw
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestUpWritesGoldenFiles brings the shipped clab-ceos-vyos and two-dc labs up on a
// recording runner and compares every file written under <Dir>/clab/ with testdata/<lab>/
// (go test -update refreshes them).
func TestUpWritesGoldenFiles(t *testing.T) {
	for _, topo := range []string{"clab-ceos-vyos", "two-dc"} {
		t.Run(topo, func(t *testing.T) {
			x := newLab(t, topo)
			x.up(t)
			got := readTree(t, filepath.Join(x.dir, "clab"))
			golden := filepath.Join("testdata", topo)
			if *update {
				if err := os.RemoveAll(golden); err != nil {
					t.Fatal(err)
				}
				for p, c := range got {
					dst := filepath.Join(golden, filepath.FromSlash(p))
					if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(dst, c, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			want := readTree(t, golden)
			for p, c := range got {
				if w, ok := want[p]; !ok {
					t.Errorf("%s written but not in %s (go test -update)", p, golden)
				} else if !bytes.Equal(c, w) {
					t.Errorf("%s differs from %s (go test -update refreshes it):\n--- got\n%s\n--- want\n%s", p, golden, c, w)
				}
			}
			for p := range want {
				if _, ok := got[p]; !ok {
					t.Errorf("%s in %s but not written", p, golden)
				}
			}
		})
	}
}

// TestUpUsesNativeRenderers checks what makes this backend differ from netns: each
// router runs its own NOS with its own config, wired the way containerlab expects.
func TestUpUsesNativeRenderers(t *testing.T) {
	x := newLab(t, "clab-ceos-vyos")
	x.up(t)
	files := readTree(t, filepath.Join(x.dir, "clab"))
	topo := string(files[TopologyFile])
	for _, want := range []string{
		"kind: arista_ceos", "startup-config: ceos1/startup-config",
		"kind: vyosnetworks_vyos", "startup-config: vyos1/config.commands",
		"kind: ext-container", "kind: bridge",
		"clab-ceos-vyos-worker:eth1", "clab-ceos-vyos-worker3:eth1",
	} {
		if !strings.Contains(topo, want) {
			t.Errorf("topology lacks %q:\n%s", want, topo)
		}
	}
	if !strings.Contains(string(files["ceos1/startup-config"]), "router bgp 64512") {
		t.Errorf("ceos1 was not rendered as EOS:\n%s", files["ceos1/startup-config"])
	}
	if !strings.HasPrefix(string(files["vyos1/config.commands"]), "# VyOS") {
		t.Errorf("vyos1 was not rendered as VyOS set commands:\n%s", files["vyos1/config.commands"])
	}
	for p := range files {
		if strings.HasPrefix(p, "ceos1/frr") || strings.HasPrefix(p, "vyos1/frr") {
			t.Errorf("%s: a native NOS got an FRR config", p)
		}
	}
	// No node may be given a route out of the lab.
	for _, line := range strings.Split(topo, "\n") {
		if strings.Contains(line, "route add default") || strings.Contains(line, "route add 0.0.0.0/0") || strings.Contains(line, "route add ::/0") {
			t.Errorf("default route in the topology: %s", line)
		}
	}
}

// TestKindConfigLoadsStrictly: the kind config written is kind's own type, one control
// plane plus a worker per k8s node carrying the topology's labels.
func TestKindConfigLoadsStrictly(t *testing.T) {
	x := newLab(t, "two-dc")
	x.up(t)
	raw, err := os.ReadFile(filepath.Join(x.dir, "clab", "two-dc.kind.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c v1alpha4.Cluster
	if err := yaml.UnmarshalStrict(raw, &c); err != nil {
		t.Fatalf("kind rejects the config: %v", err)
	}
	if len(c.Nodes) != 4 || c.Nodes[0].Role != v1alpha4.ControlPlaneRole || c.Nodes[3].Labels["topology.kubernetes.io/zone"] != "dc2" {
		t.Errorf("kind nodes = %+v, want a control plane and three workers, the last in dc2", c.Nodes)
	}
}

func TestTopologiesMatchContainerlabSchema(t *testing.T) {
	sch := loadTopologySchema(t)
	for _, topo := range []string{"clab-ceos-vyos", "two-dc"} {
		for _, byClab := range []bool{false, true} {
			x := newLab(t, topo)
			x.b.o.ClusterByContainerlab = byClab
			x.up(t)
			raw, err := os.ReadFile(filepath.Join(x.dir, "clab", TopologyFile))
			if err != nil {
				t.Fatal(err)
			}
			j, err := yaml.YAMLToJSON(raw)
			if err != nil {
				t.Fatal(err)
			}
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(v); err != nil {
				t.Errorf("%s (k8s-kind node: %v) fails containerlab's schema:\n%v", topo, byClab, err)
			}
			// The check can fail: a bgplb kind where a containerlab kind belongs.
			broken := bytes.Replace(j, []byte(`"kind":"bridge"`), []byte(`"kind":"lan"`), 1)
			bv, _ := jsonschema.UnmarshalJSON(bytes.NewReader(broken))
			if sch.Validate(bv) == nil {
				t.Errorf("%s: schema accepted a node of kind lan", topo)
			}
		}
	}
}

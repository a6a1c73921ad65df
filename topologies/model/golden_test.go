package model

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// shipped are the topology files in topologies/.
var shipped = []string{"two-dc", "single-router", "interop", "bfd-pair", "scale", "clab-ceos-vyos", "guide", "openbgpd"}

func load(t *testing.T, name string) *Topology {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	top, err := Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return top
}

func resolve(t *testing.T, name string) *Lab {
	t.Helper()
	lab, err := Resolve(load(t, name), AllCapabilities(testKinds))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return lab
}

// golden compares v, as indented JSON, with testdata/file; -update rewrites it.
func golden(t *testing.T, file string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", file)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./topologies/model -update and review the diff\n%s", path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + itoa(i+1) + ":\n  want: " + a + "\n  got:  " + b
		}
	}
	return ""
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestShippedTopologiesGolden(t *testing.T) {
	for _, name := range shipped {
		t.Run(name, func(t *testing.T) {
			golden(t, name+".lab.json", resolve(t, name))
		})
	}
}

func TestTwoDCRouterIntentGolden(t *testing.T) {
	lab := resolve(t, "two-dc")
	intents := map[string]any{}
	for _, n := range lab.NodesWithRole(RoleRouter) {
		r, err := lab.RouterIntent(n.Name)
		if err != nil {
			t.Fatal(err)
		}
		intents[n.Name] = r
	}
	golden(t, "two-dc.intent.json", intents)
}

func TestTwoDCManifestsGolden(t *testing.T) {
	golden(t, "two-dc.manifests.json", resolve(t, "two-dc").Manifests())
}

func TestResolveIsDeterministic(t *testing.T) {
	for _, name := range shipped {
		a, b := resolve(t, name), resolve(t, name)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: two resolutions differ", name)
		}
		ja, _ := json.Marshal(a.Manifests())
		jb, _ := json.Marshal(b.Manifests())
		if !bytes.Equal(ja, jb) {
			t.Errorf("%s: two Manifests() differ", name)
		}
	}
}

// netnsCaps is what the namespace backend reports (topologies/backend/netns/caps.go):
// vyos and ceos run there as FRR, and status says "emulated by frr".
func netnsCaps() Capabilities {
	return Capabilities{Backend: "netns", Known: testKinds, Kinds: []string{"bird", "ceos", "frr", "gobgp", "iosxe", "openbgpd", "vyos"}, IPv6: true, BFD: true, Bridges: true, MD5: true, GTSM: true}
}

func TestShippedTopologiesOnNetnsBackend(t *testing.T) {
	for _, name := range shipped {
		err := Validate(load(t, name), netnsCaps())
		if err != nil {
			t.Errorf("%s on netns: %v", name, err)
		}
	}
}

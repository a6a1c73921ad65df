package deploy

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestRenderGolden renders every installation and compares it with testdata/NAME.yaml,
// so a change to a manifest or template shows up as a reviewable diff.
func TestRenderGolden(t *testing.T) {
	for _, in := range installs() {
		t.Run(in.name, func(t *testing.T) {
			data, _ := mustRender(t, in.render)
			golden := filepath.Join("testdata", in.name+".yaml")
			if *update {
				if err := os.WriteFile(golden, data, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := readFile(t, golden); !bytes.Equal(data, want) {
				t.Errorf("rendered %s differs from %s; rerun with -update and review the diff", in.name, golden)
			}
		})
	}
}

// TestRenderFacts checks the security and availability facts of every rendered
// installation, and that the binaries accept the arguments the manifests give them.
func TestRenderFacts(t *testing.T) {
	for _, in := range installs() {
		t.Run(in.name, func(t *testing.T) {
			_, b := mustRender(t, in.render)
			checkFacts(t, in, b)
		})
	}
}

// TestHelmMatchesKustomize keeps the two ways of installing equivalent where it
// matters: the same RBAC rules and the same container security contexts.
func TestHelmMatchesKustomize(t *testing.T) {
	_, k := mustRender(t, installs()[0].render)
	_, h := mustRender(t, installs()[2].render)
	for _, kind := range []string{"ClusterRole", "Role"} {
		for _, c := range []string{"bgplb-controller", "bgplb-speaker"} {
			kr, hr := k.find(kind, c), h.find(kind, c)
			if kr == nil || hr == nil {
				t.Fatalf("%s %s: kustomize %v, helm %v", kind, c, kr != nil, hr != nil)
			}
			if !reflect.DeepEqual(rules(kr), rules(hr)) {
				t.Errorf("%s %s rules differ:\nkustomize %+v\nhelm      %+v", kind, c, rules(kr), rules(hr))
			}
		}
	}
	for _, w := range [][2]string{{"DaemonSet", "bgplb-speaker"}, {"Deployment", "bgplb-controller"}} {
		kc := container(t, nested(k.find(w[0], w[1]).Object, "spec", "template", "spec"))
		hc := container(t, nested(h.find(w[0], w[1]).Object, "spec", "template", "spec"))
		for _, field := range []string{"securityContext", "args", "env", "ports", "readinessProbe", "livenessProbe", "resources"} {
			if !reflect.DeepEqual(kc[field], hc[field]) {
				t.Errorf("%s %s: %s differs:\nkustomize %v\nhelm      %v", w[0], w[1], field, kc[field], hc[field])
			}
		}
	}
}

// TestChartCRDsInSync fails when deploy/crds changed and `make chart-crds` was not run.
func TestChartCRDsInSync(t *testing.T) {
	src, err := filepath.Glob("crds/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, f := range src {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		want[filepath.Base(f)] = true
		if got := readFile(t, filepath.Join(chartDir, "files", "crds", filepath.Base(f))); !bytes.Equal(got, readFile(t, f)) {
			t.Errorf("%s/files/crds/%s differs from %s: run `make chart-crds`", chartDir, filepath.Base(f), f)
		}
	}
	extra, _ := filepath.Glob(filepath.Join(chartDir, "files", "crds", "*.yaml"))
	for _, f := range extra {
		if !want[filepath.Base(f)] {
			t.Errorf("%s has no source in deploy/crds: run `make chart-crds`", f)
		}
	}
	if len(want) != 9 {
		t.Errorf("%d CRDs in deploy/crds, want 9", len(want))
	}
}

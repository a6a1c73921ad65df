package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/widget.md from the renderer")

// TestRenderGolden renders a small CRD that has one field of every shape the
// renderer treats differently (default, bounds, enum, map, CEL rule on a field and
// on an object, a label selector, a list of objects keyed by name, an empty status),
// and the findings of a small Go file with one rule of each shape.
func TestRenderGolden(t *testing.T) {
	in, err := os.ReadFile("testdata/widget.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("testdata/widget_rules.go")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Render([][]byte{in}, map[string][]byte{"widget_rules.go": src})
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "widget.md")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("rendered reference differs from %s (go test ./hack/docgen -run TestRenderGolden -update, then review the diff):\n%s", golden, got)
	}
}

func TestRenderRejectsNonCRD(t *testing.T) {
	if _, err := Render([][]byte{[]byte("kind: ConfigMap\n")}, nil); err == nil {
		t.Error("Render accepted a document without spec.names.kind")
	}
}

// TestReferenceUpToDate fails when docs/reference.md is not what the CRDs render to.
func TestReferenceUpToDate(t *testing.T) {
	docs, err := readCRDs("../../deploy/crds")
	if err != nil {
		t.Fatal(err)
	}
	src, err := readGo("../../config")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Render(docs, src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../docs/reference.md")
	if err != nil {
		t.Fatalf("%v: run make docs", err)
	}
	if string(got) != string(want) {
		t.Error("docs/reference.md is stale: run make docs and commit the result")
	}
}

package controlplane

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

const crdDir = "../../deploy/crds"

// startForTest starts a control plane in a fresh temporary directory and stops
// it when the test ends, pass or fail. It skips, with the reason, when the
// binaries are not built or the test runs with -short.
func startForTest(t *testing.T, dir string) *ControlPlane {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: needs kube-apiserver and etcd; skipped with -short")
	}
	if _, err := FindBinaries(Binaries{}, os.Getenv, "."); err != nil {
		t.Skipf("control plane binaries missing: %v", err)
	}
	if dir == "" {
		dir = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cp, err := Start(ctx, Options{
		StateDir:      dir,
		DieWithParent: true,
		Logger:        slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := cp.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return cp
}

// resources maps each metallb.io kind to its plural, read from the CRDs
// themselves so the test follows whatever deploy/crds says.
func resources(t *testing.T) map[string]string {
	t.Helper()
	crds, err := readCRDs(crdDir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range crds {
		out[c.Spec.Names.Kind] = c.Spec.Names.Plural
	}
	return out
}

func gvr(t *testing.T, apiVersion, kind string) schema.GroupVersionResource {
	t.Helper()
	plural, ok := resources(t)[kind]
	if !ok {
		t.Fatalf("no CRD for kind %s in %s", kind, crdDir)
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		t.Fatal(err)
	}
	return gv.WithResource(plural)
}

// readObjects decodes a multi-document YAML file into unstructured objects.
func readObjects(t *testing.T, path string) []*unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []*unstructured.Unstructured
	for i, doc := range bytes.Split(data, []byte("\n---\n")) {
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			t.Fatalf("%s document %d: %v", path, i, err)
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(js); err != nil {
			t.Fatalf("%s document %d: %v", path, i, err)
		}
		out = append(out, u)
	}
	return out
}

// subset reports where got lacks or changes something want has. Extra fields
// in got (defaults the apiserver added) are fine.
func subset(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want object, got %T", path, got)}
		}
		var diffs []string
		for k, v := range w {
			gv, ok := g[k]
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: missing", path, k))
				continue
			}
			diffs = append(diffs, subset(path+"."+k, v, gv)...)
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %v, got %v", path, want, got)}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, subset(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return diffs
	default:
		if !reflect.DeepEqual(want, got) {
			return []string{fmt.Sprintf("%s: want %v (%T), got %v (%T)", path, want, want, got, got)}
		}
		return nil
	}
}

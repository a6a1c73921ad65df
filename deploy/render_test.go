package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// chartDir is the Helm chart; its crds/ is a copy of ../crds kept by `make chart-crds`.
const chartDir = "helm/bgplb"

// renderKustomize builds a kustomization directory exactly as `kubectl apply -k` would
// (default load restrictions), returning the multi-document YAML.
func renderKustomize(dir string) ([]byte, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	m, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	return m.AsYaml()
}

// helmRelease is what `helm template NAME CHART -n NAMESPACE --set ...` is given.
type helmRelease struct {
	Name      string
	Namespace string
	Values    map[string]any
}

// renderHelm renders the chart like `helm template --include-crds`: CRDs first, then
// the templates in file-name order, as one multi-document YAML.
func renderHelm(rel helmRelease) ([]byte, error) {
	ch, err := loader.Load(chartDir)
	if err != nil {
		return nil, fmt.Errorf("load chart: %w", err)
	}
	vals, err := chartutil.ToRenderValues(ch, rel.Values,
		chartutil.ReleaseOptions{Name: rel.Name, Namespace: rel.Namespace, IsInstall: true, Revision: 1},
		chartutil.DefaultCapabilities)
	if err != nil {
		return nil, fmt.Errorf("chart values: %w", err)
	}
	files, err := engine.Render(ch, vals)
	if err != nil {
		return nil, fmt.Errorf("render chart: %w", err)
	}
	var out bytes.Buffer
	for _, crd := range ch.CRDObjects() {
		fmt.Fprintf(&out, "---\n# Source: %s\n%s", crd.Filename, crd.File.Data)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		if filepath.Ext(n) == ".yaml" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if strings.TrimSpace(files[n]) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", n, strings.TrimLeft(files[n], "\n"))
	}
	return out.Bytes(), nil
}

// decode splits multi-document YAML into objects, skipping empty documents.
func decode(data []byte) ([]*unstructured.Unstructured, error) {
	r := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := r.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		if len(m) == 0 {
			continue
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
}

// bundle is a rendered installation.
type bundle []*unstructured.Unstructured

func (b bundle) find(kind, name string) *unstructured.Unstructured {
	for _, o := range b {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	return nil
}

func (b bundle) ofKind(kind string) bundle {
	var out bundle
	for _, o := range b {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// mustRender renders one of the installations the tests cover.
func mustRender(t testing.TB, render func() ([]byte, error)) ([]byte, bundle) {
	t.Helper()
	data, err := render()
	if err != nil {
		t.Fatal(err)
	}
	objs, err := decode(data)
	if err != nil {
		t.Fatalf("decode rendered YAML: %v", err)
	}
	return data, objs
}

package archtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestLayers(t *testing.T) {
	text := goList(t, "-e", "-f", "{{.ImportPath}}\t{{join .Imports \" \"}}\t{{join .TestImports \" \"}}", module+"/...")
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			continue
		}
		n++
		imports := strings.Fields(f[1])
		if kindOf(f[0]) == "" && f[0] != kindsRoot {
			// Tests outside the kinds reach kinds through the registry too.
			imports = append(imports, strings.Fields(f[2])...)
		}
		for _, v := range LayerViolations(f[0], imports) {
			t.Error(v)
		}
	}
	if n < 50 {
		t.Fatalf("only %d packages listed; is the module path right?", n)
	}
}

func TestMainsAreThin(t *testing.T) {
	mains, _ := filepath.Glob("../../cmd/*/main.go")
	if len(mains) == 0 {
		t.Fatal("no cmd/*/main.go found")
	}
	for _, path := range mains {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		var imports []string
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			imports = append(imports, p)
		}
		for _, v := range ThinMainViolations(path, strings.Count(string(src), "\n"), imports) {
			t.Error(v)
		}
	}
}

// The layer rules must be able to fail.
func TestLayerViolationsCatchSynthetic(t *testing.T) {
	k := func(name string) string { return kindsRoot + "/" + name }
	for _, c := range []struct {
		name, pkg string
		imports   []string
		want      int
	}{
		{"kind uses the contract", k("frr"), []string{module + "/topologies/kind", module + "/topologies/intent"}, 0},
		{"kind imports its own subpackage", k("frr"), []string{k("frr") + "/parse"}, 0},
		{"kind imports another kind", k("vyos"), []string{k("frr")}, 1},
		{"registry imports kinds", kindsRoot, []string{k("frr"), k("bird")}, 0},
		{"backend imports a kind", module + "/topologies/backend/netns", []string{k("frr")}, 1},
		{"backend uses the registry", module + "/topologies/backend/netns", []string{kindsRoot}, 0},
		{"config imports client-go", module + "/config", []string{"k8s.io/client-go/kubernetes"}, 1},
		{"config imports the controller", module + "/config/manifest", []string{module + "/controller/k8s"}, 1},
		{"speaker imports the controller", module + "/speaker/app", []string{module + "/controller/allocator"}, 1},
		{"speaker imports config", module + "/speaker/app", []string{module + "/config"}, 0},
		{"api imports config", module + "/api/v1beta1", []string{module + "/config"}, 1},
		{"daemon imports the speaker", module + "/daemon/securemetrics", []string{module + "/speaker/metrics"}, 1},
		{"controller uses daemon", module + "/controller/k8s", []string{module + "/daemon/securemetrics"}, 0},
	} {
		if got := LayerViolations(c.pkg, c.imports); len(got) != c.want {
			t.Errorf("%s: %q, want %d violations", c.name, got, c.want)
		}
	}
	if v := ThinMainViolations("cmd/x/main.go", 120, []string{"os", module + "/speaker/k8s"}); len(v) != 2 {
		t.Errorf("fat main: %q, want 2 violations", v)
	}
	if v := ThinMainViolations("cmd/x/main.go", 20, []string{"os", module + "/speaker/app"}); len(v) != 0 {
		t.Errorf("thin main: %q", v)
	}
}

// One scheme: every Kubernetes client builds its scheme with api/scheme, so the
// kinds a component can read never drift apart. The manifest decoder's narrower
// scheme is the one deliberate exception (it must skip kinds it does not know).
func TestOneScheme(t *testing.T) {
	allowed := map[string]bool{"api/scheme/scheme.go": true, "config/manifest/decode.go": true,
		"testing/archtest/layers_test.go": true} // this file names the call it looks for
	var found []string
	err := filepath.WalkDir("../..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("../..", path)
		if d.IsDir() && rel != "." && (strings.HasPrefix(d.Name(), ".") || rel == "out" || rel == "bin") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), "runtime.NewScheme()") {
			found = append(found, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, f := range found {
		if allowed[f] {
			seen++
			continue
		}
		t.Errorf("%s builds its own scheme: use api/scheme.New()", f)
	}
	if seen != len(allowed) {
		t.Errorf("found %v: the allowed scheme builders moved; update this test", found)
	}
}

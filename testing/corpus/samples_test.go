package corpus

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bgplb/bgplb/cli/lint"
	"github.com/bgplb/bgplb/config/manifest"
)

// TestMetalLBSamples lints every MetalLB configsamples/*.yaml alone and all of them
// together (later definitions replace earlier ones, as kubectl apply would) and
// expects no error. It needs a MetalLB checkout: BGPLB_METALLB_DIR=/path/to/metallb.
func TestMetalLBSamples(t *testing.T) {
	dir := os.Getenv("BGPLB_METALLB_DIR")
	if dir == "" {
		t.Skip("BGPLB_METALLB_DIR is not set: point it at a MetalLB checkout to lint its configsamples")
	}
	paths, err := filepath.Glob(filepath.Join(dir, "configsamples", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no configsamples/*.yaml under %s (%v)", dir, err)
	}
	check := func(t *testing.T, files []string) {
		t.Helper()
		set, err := manifest.Load(files, nil)
		if err != nil {
			t.Fatal(err)
		}
		rep := lint.Lint(set, lint.Options{Namespace: ns})
		for _, f := range rep.Errors {
			t.Errorf("%s:%d: %s/%s %s: %s [%s]", f.File, f.Line, f.Kind, f.Name, f.Field, f.Message, f.Code)
		}
		t.Logf("%d objects, %d errors, %d warnings", rep.Objects, len(rep.Errors), len(rep.Warnings))
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) { check(t, []string{p}) })
	}
	t.Run("together", func(t *testing.T) { check(t, paths) })
}

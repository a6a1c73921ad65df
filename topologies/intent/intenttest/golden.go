package intenttest

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bgplb/bgplb/topologies/intent"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/ with the rendered output")

// Golden compares each rendered file with testdata/<name>/<file path>, or rewrites the
// golden files when the test runs with -update. Extra or missing files fail the test.
func Golden(t *testing.T, name string, files []intent.File) {
	t.Helper()
	dir := filepath.Join("testdata", name)
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]bool{}
	for _, f := range files {
		path := filepath.Join(dir, f.Path)
		want[path] = true
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, f.Content, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v (run the test with -update to create it)", f.Path, err)
			continue
		}
		if !bytes.Equal(got, f.Content) {
			t.Errorf("%s differs from %s (run with -update after checking the change):\n%s", f.Path, path, diff(string(got), string(f.Content)))
		}
	}
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !want[path] {
			t.Errorf("golden %s was not rendered", path)
		}
		return nil
	})
}

// diff shows the first differing line, enough to see what changed.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl
		}
	}
	return "(only line endings differ)"
}

// File returns the content of the rendered file at path, failing the test if absent.
func File(t *testing.T, files []intent.File, path string) []byte {
	t.Helper()
	for _, f := range files {
		if f.Path == path {
			return f.Content
		}
	}
	t.Fatalf("no rendered file %q", path)
	return nil
}

// Check writes content to a temporary file and runs the NOS's checker on it: args are
// the checker's arguments with "{}" standing for the file. It returns the combined
// output and the error of the run; it skips the test, saying why, when the checker is
// not installed.
func Check(t *testing.T, name string, content []byte, tool string, args ...string) (string, error) {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		t.Skipf("%s not installed (make packages installs it): %v", tool, err)
	}
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, content, 0o644); err != nil {
		t.Fatal(err)
	}
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "{}", file)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, args...).CombinedOutput()
	return string(out), err
}

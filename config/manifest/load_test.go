package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func ns(name string) string {
	return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + "}\n"
}

func TestLoadDirectoryInLexicalOrder(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"b.yml":        ns("b"),
		"a.yaml":       ns("a"),
		"c.json":       `{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "c"}}`,
		"notes.txt":    ns("ignored"),
		".hidden.yaml": ns("ignored-too"),
	})
	if err := os.Mkdir(filepath.Join(dir, "sub.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	set, err := Load([]string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range set.Objects {
		names = append(names, o.Name)
	}
	if got := strings.Join(names, ","); got != "a,b,c" {
		t.Errorf("objects %s, want a,b,c (lexical file order, only manifest extensions)", got)
	}
	if want := filepath.Join(dir, "b.yml"); set.Objects[1].Source != (Source{File: want, Line: 1}) {
		t.Errorf("source %s, want %s:1", set.Objects[1].Source, want)
	}
	if len(set.Files) != 3 {
		t.Errorf("files = %v", set.Files)
	}
}

func TestLoadStdinAndFilesTogether(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"x.yaml": ns("x")})
	set, err := Load([]string{filepath.Join(dir, "x.yaml"), "-"}, strings.NewReader(ns("from-stdin")))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Objects) != 2 || set.Objects[1].Source.File != StdinName || set.Objects[1].Name != "from-stdin" {
		t.Errorf("objects = %+v", set.Objects)
	}
}

func TestLoadReportsEveryUnreadableInput(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{"good.yaml": ns("good"), "bad.yaml": "kind: [\n"})
	set, err := Load([]string{
		filepath.Join(dir, "missing.yaml"), empty, filepath.Join(dir, "bad.yaml"), filepath.Join(dir, "good.yaml"),
	}, nil)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"missing.yaml", "empty: no *.yaml", "bad.yaml:1: invalid YAML"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if len(set.Objects) != 1 || set.Objects[0].Name != "good" {
		t.Errorf("the readable input must still be decoded: %+v", set.Objects)
	}
}

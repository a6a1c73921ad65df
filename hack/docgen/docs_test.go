package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDocsLinksResolve fails when a relative link in docs/*.md or README.md points at
// a file that does not exist. Code (fenced blocks and spans) is not searched.
func TestDocsLinksResolve(t *testing.T) {
	code := regexp.MustCompile("(?s)```.*?```|`[^`\n]*`")
	link := regexp.MustCompile(`\]\(([^)#\s]+)(#[^)\s]*)?\)`)
	for _, d := range readDocs(t, "../../README.md") {
		prose := code.ReplaceAllString(d.text, "")
		for _, m := range link.FindAllStringSubmatch(prose, -1) {
			target := m[1]
			if strings.Contains(target, "://") {
				continue
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(d.path), target)); err != nil {
				t.Errorf("%s: link %q: %v", d.path, target, err)
			}
		}
	}
}

type doc struct{ path, text string }

// readDocs reads docs/*.md and the extra files named.
func readDocs(t *testing.T, extra ...string) []doc {
	t.Helper()
	files, err := filepath.Glob("../../docs/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no docs/*.md (%v)", err)
	}
	var out []doc
	for _, f := range append(files, extra...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, doc{f, string(b)})
	}
	return out
}

// TestTroubleshootingListsEveryReason fails when speaker/routes gains an announce
// reason that docs/troubleshooting.md does not explain.
func TestTroubleshootingListsEveryReason(t *testing.T) {
	doc, err := os.ReadFile("../../docs/troubleshooting.md")
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "../../speaker/routes/reasons.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		vs, ok := node.(*ast.ValueSpec)
		if !ok || len(vs.Values) != 1 || !strings.HasPrefix(vs.Names[0].Name, "Reason") {
			return true
		}
		lit, ok := vs.Values[0].(*ast.BasicLit)
		if !ok {
			return true
		}
		v, _ := strconv.Unquote(lit.Value)
		n++
		if !strings.Contains(string(doc), "`"+v+"`") {
			t.Errorf("docs/troubleshooting.md does not mention reason %q (%s)", v, vs.Names[0].Name)
		}
		return true
	})
	if n == 0 {
		t.Fatal("found no Reason constants in speaker/routes/reasons.go")
	}
}

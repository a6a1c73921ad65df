package bfd

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestNoClockNoGoroutines keeps the core deterministic: no goroutine, no
// reading of the wall clock, no timers, no global random source in the
// package's non-test sources (testing/archtest already bans sockets and files).
func TestNoClockNoGoroutines(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	banned := map[string]bool{"time.Now": true, "time.Since": true, "time.Until": true, "time.After": true,
		"time.Sleep": true, "time.NewTimer": true, "time.NewTicker": true, "time.AfterFunc": true, "time.Tick": true}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range file.Imports {
			if strings.Contains(imp.Path.Value, "rand") {
				t.Errorf("%s imports %s: randomness must be injected", f, imp.Path.Value)
			}
		}
		full, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(full, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s starts a goroutine", f)
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok && banned[id.Name+"."+n.Sel.Name] {
					t.Errorf("%s uses %s.%s: time must be passed in", f, id.Name, n.Sel.Name)
				}
			}
			return true
		})
	}
}

// TestDeterministic: the same seed and inputs give the same packets at the
// same instants.
func TestDeterministic(t *testing.T) {
	trace := func() []sent {
		m := pair(t, 100*time.Millisecond, 3, 99)
		m.run(t0.Add(60*time.Second), nil)
		return append(m.sides[0].sent, m.sides[1].sent...)
	}
	a, b := trace(), trace()
	if len(a) < 1000 || !reflect.DeepEqual(a, b) {
		t.Fatalf("two runs differ (%d vs %d packets)", len(a), len(b))
	}
}

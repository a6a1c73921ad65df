package model

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsArePure keeps the model a pure core: standard library (no os, os/exec, net
// sockets), apimachinery/api types, sigs.k8s.io/yaml and our own pure packages.
func TestImportsArePure(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	allowed := []string{"k8s.io/apimachinery/", "k8s.io/api/core/", "sigs.k8s.io/yaml",
		"github.com/bgplb/bgplb/api/", "github.com/bgplb/bgplb/topologies/intent"}
	banned := map[string]bool{"os": true, "os/exec": true, "net": true, "syscall": true, "io/ioutil": true, "log": true}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			std := !strings.Contains(strings.Split(p, "/")[0], ".")
			ok := std && !banned[p]
			for _, a := range allowed {
				ok = ok || strings.HasPrefix(p, a)
			}
			if !ok {
				t.Errorf("%s imports %s: the model is pure (no I/O, no adapters)", f, p)
			}
		}
	}
}

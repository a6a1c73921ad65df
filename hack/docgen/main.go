// Command docgen writes docs/reference.md from the CRD schemas in deploy/crds and the
// findings of config (make docs). The rendering is in render.go and touches no files; this file reads
// and writes them.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	crds := flag.String("crds", "deploy/crds", "directory of the generated CRDs (metallb.io_*.yaml)")
	config := flag.String("config", "config", "directory of the configuration core, whose findings are listed")
	out := flag.String("o", "docs/reference.md", "file to write")
	flag.Parse()
	if err := run(*crds, *config, *out); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
}

func run(crds, config, out string) error {
	docs, err := readCRDs(crds)
	if err != nil {
		return err
	}
	src, err := readGo(config)
	if err != nil {
		return err
	}
	md, err := Render(docs, src)
	if err != nil {
		return err
	}
	return os.WriteFile(out, md, 0o644)
}

// readCRDs reads the CRD files of dir in name order.
func readCRDs(dir string) ([][]byte, error) {
	files, err := filepath.Glob(filepath.Join(dir, "metallb.io_*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no metallb.io_*.yaml in %s", dir)
	}
	var docs [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		docs = append(docs, b)
	}
	return docs, nil
}

// readGo reads the non-test Go files of dir.
func readGo(dir string) (map[string][]byte, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out[filepath.Base(f)] = b
	}
	return out, nil
}

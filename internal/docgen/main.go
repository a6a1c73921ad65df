// Command docgen writes docs/reference.md from the CRD schemas in deploy/crds
// (make docs). The rendering is in render.go and touches no files; this file reads
// and writes them.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	crds := flag.String("crds", "deploy/crds", "directory of the generated CRDs (metallb.io_*.yaml)")
	out := flag.String("o", "docs/reference.md", "file to write")
	flag.Parse()
	if err := run(*crds, *out); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
}

func run(crds, out string) error {
	docs, err := readCRDs(crds)
	if err != nil {
		return err
	}
	md, err := Render(docs)
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

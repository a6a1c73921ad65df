// Package topologies holds the shipped lab topologies (one YAML file each, embedded in
// the binary so `bgplb lab up -t two-dc` works from anywhere) and the packages that
// model, render and run them.
package topologies

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed *.yaml
var shipped embed.FS

// Default is the topology `lab up` brings up when none is named.
const Default = "two-dc"

// List returns the names of the shipped topologies (file names without .yaml), sorted.
func List() []string {
	entries, err := fs.ReadDir(shipped, ".")
	if err != nil {
		return nil // cannot happen: the embedded root always exists
	}
	var out []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Open returns the YAML of the shipped topology name ("two-dc" or "two-dc.yaml").
func Open(name string) ([]byte, error) {
	base := strings.TrimSuffix(path.Base(name), ".yaml")
	data, err := shipped.ReadFile(base + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no shipped topology %q (shipped: %s)", name, strings.Join(List(), ", "))
	}
	return data, nil
}

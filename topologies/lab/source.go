package lab

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bgplb/bgplb/topologies"
	"github.com/bgplb/bgplb/topologies/model"
)

// source is a topology read from a file or from the shipped set.
type source struct {
	// Name is what the user gave; Dir is where relative manifest paths start.
	Name string
	Dir  string
	Data []byte
}

// loadSource reads ref as a file when one exists at that path, else as the name of a
// shipped topology ("two-dc"). Shipped topologies resolve manifest paths against the
// repository's topologies/ directory under repoDir.
func loadSource(ref, repoDir string) (source, error) {
	if ref == "" {
		ref = topologies.Default
	}
	if data, err := os.ReadFile(ref); err == nil {
		abs, _ := filepath.Abs(ref)
		return source{Name: ref, Dir: filepath.Dir(abs), Data: data}, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return source{}, fmt.Errorf("lab: topology %s: %w", ref, err)
	}
	data, err := topologies.Open(ref)
	if err != nil {
		return source{}, fmt.Errorf("lab: %w (and no file %s)", err, ref)
	}
	return source{Name: ref, Dir: filepath.Join(repoDir, "topologies"), Data: data}, nil
}

// resolve parses and resolves a topology for the backend's capabilities.
func resolve(src source, caps model.Capabilities) (*model.Lab, error) {
	t, err := model.Parse(src.Data)
	if err != nil {
		return nil, fmt.Errorf("lab: topology %s: %w", src.Name, err)
	}
	l, err := model.Resolve(t, caps)
	if err != nil {
		return nil, fmt.Errorf("lab: topology %s: %w", src.Name, err)
	}
	return l, nil
}

// Topology is one shipped topology for `lab topologies`.
type Topology struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Default     bool   `json:"default,omitempty"`
}

// Shipped lists the shipped topologies with their descriptions.
func Shipped() ([]Topology, error) {
	var out []Topology
	for _, name := range topologies.List() {
		data, err := topologies.Open(name)
		if err != nil {
			return nil, err
		}
		t, err := model.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("shipped topology %s: %w", name, err)
		}
		out = append(out, Topology{Name: name, Description: t.Description, Default: name == topologies.Default})
	}
	return out, nil
}

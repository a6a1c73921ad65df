package clab

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
)

// Container is one running container of the lab, as containerlab reports it.
type Container struct {
	Deployment string `json:"lab_name"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	Image      string `json:"image"`
	State      string `json:"state"`
	IPv4       string `json:"ipv4_address"`
	IPv6       string `json:"ipv6_address"`
}

// Inspect lists the lab's containers (`containerlab inspect -t F --format json`).
func (d *Deployer) Inspect(ctx context.Context) ([]Container, error) {
	st, err := d.readState()
	if err != nil {
		return nil, fmt.Errorf("inspect: lab is not up: %w", err)
	}
	return d.inspectFile(ctx, d.path(st.Topology))
}

func (d *Deployer) inspectFile(ctx context.Context, topo string) ([]Container, error) {
	out, err := d.cmd(ctx, "containerlab", "inspect", "-t", topo, "--format", "json")
	if err != nil {
		return nil, err
	}
	return parseInspect(out)
}

// parseInspect reads both shapes containerlab has printed: {"containers": [...]} (older
// releases) and {"<lab name>": [...]} (current). Empty output means no containers.
func parseInspect(out []byte) ([]Container, error) {
	if len(out) == 0 {
		return nil, nil
	}
	var byKey map[string][]Container
	if err := json.Unmarshal(out, &byKey); err != nil {
		return nil, fmt.Errorf("containerlab inspect: unexpected JSON: %w", err)
	}
	var all []Container
	for _, cs := range byKey {
		all = append(all, cs...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all, nil
}

package netns

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/bgplb/bgplb/topologies/model"
)

const stateFile = "state.json"

// state is what the backend owns for one lab. Each thing is recorded BEFORE it is
// created, so Down removes exactly what Up made (or may have made), also after a crash.
type state struct {
	Lab string `json:"lab"`
	Tag string `json:"tag"`
	Dir string `json:"dir"`
	// Namespaces, Bridges and HostLinks are host-side objects; Dirs are the daemons'
	// instance directories outside the lab dir (FRR's /etc/frr/<inst>, say).
	Namespaces []string     `json:"namespaces,omitempty"`
	Bridges    []string     `json:"bridges,omitempty"`
	HostLinks  []string     `json:"hostLinks,omitempty"`
	Dirs       []string     `json:"dirs,omitempty"`
	Nodes      []nodeRecord `json:"nodes,omitempty"`
	Links      []linkRecord `json:"links,omitempty"`
	Processes  []procRecord `json:"processes,omitempty"`
	Since      time.Time    `json:"since"`
}

// nodeRecord is a node as Up set it up: enough for Exec, Inspect and faults without the Lab.
type nodeRecord struct {
	Name      string     `json:"name"`
	Role      model.Role `json:"role"`
	Kind      string     `json:"kind"`
	Site      string     `json:"site,omitempty"`
	Daemon    string     `json:"daemon,omitempty"` // the kind whose daemon runs the node
	Emulation string     `json:"emulation,omitempty"`
	Namespace string     `json:"namespace"`
	// Control is how a CLI reaches the daemon (the kind's LocalPlan.Control).
	Control   string   `json:"control,omitempty"`
	Addresses []string `json:"addresses,omitempty"`
	// Routes are the node's static routes ("PREFIX nexthop via A ..."): the kernel
	// drops them when their link goes down, and link-up puts them back.
	Routes []string `json:"routes,omitempty"`
}

// linkRecord is a link with each node's interface on it, for link faults and partitions.
type linkRecord struct {
	Name   string    `json:"name"`
	Bridge string    `json:"bridge,omitempty"`
	Ends   []linkEnd `json:"ends"`
}

type linkEnd struct {
	Node      string `json:"node"`
	Interface string `json:"interface"`
	HostName  string `json:"hostName,omitempty"` // bridge port on the host (bridge links)
}

// procRecord is one tracked process. PID and Start are 0 until it runs: the record is
// written first, so a crash between the two leaves an entry that Down skips, while the
// namespace scan still finds the process.
type procRecord struct {
	Node   string   `json:"node"`
	Name   string   `json:"name"`
	Router bool     `json:"router,omitempty"` // a routing daemon (restart re-applies config)
	Args   []string `json:"args"`
	Env    []string `json:"env,omitempty"`
	Log    string   `json:"log"`
	// Wait runs in the node until it succeeds before the next process starts.
	Wait  []string `json:"wait,omitempty"`
	PID   int      `json:"pid,omitempty"`
	Start uint64   `json:"start,omitempty"`
}

func (s *state) node(name string) (*nodeRecord, error) {
	for i := range s.Nodes {
		if s.Nodes[i].Name == name {
			return &s.Nodes[i], nil
		}
	}
	names := make([]string, 0, len(s.Nodes))
	for _, n := range s.Nodes {
		names = append(names, n.Name)
	}
	return nil, fmt.Errorf("lab %s has no node %q (nodes: %v)", s.Lab, name, names)
}

func (s *state) procsOf(node, name string) []*procRecord {
	var out []*procRecord
	for i := range s.Processes {
		p := &s.Processes[i]
		if p.Node == node && (name == "" || p.Name == name) {
			out = append(out, p)
		}
	}
	return out
}

// addUnique appends v to *list unless it is there; it reports whether it added.
func addUnique(list *[]string, v string) bool {
	if slices.Contains(*list, v) {
		return false
	}
	*list = append(*list, v)
	return true
}

// save writes the state atomically (temp file + rename), so a crash never leaves half a file.
func (s *state) save() error {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	tmp := filepath.Join(s.Dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(s.Dir, stateFile)); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return nil
}

// loadState reads dir's state file; (nil, nil) when there is none.
func loadState(dir string) (*state, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("state %s: %w", filepath.Join(dir, stateFile), err)
	}
	s.Dir = dir
	return &s, nil
}

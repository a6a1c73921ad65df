// Package clab is the containerlab + kind lab backend: it converts a resolved lab into
// a containerlab topology (routers in containers configured by their NATIVE renderers,
// clients as Linux containers, k8s nodes as the nodes of a kind cluster wired in with
// ext-container) and a kind cluster config, and hands them to its deployer, which
// writes them under <Dir>/clab/ and runs kind, containerlab and docker through an
// injected Runner. The package owns everything containerlab: the topology file
// (topology*.go), the kind cluster config (kindcluster.go), deployment (deploy*.go).
//
// It needs Docker, containerlab and kind, so it runs on users' machines. Capabilities
// fails at once with what is missing; the lab's own machines test it through a
// recording Runner.
package clab

import (
	"github.com/bgplb/bgplb/topologies/command"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/bgplb/bgplb/topologies/backend"

	"github.com/bgplb/bgplb/topologies/kind"
	"github.com/bgplb/bgplb/topologies/kinds"
	"github.com/bgplb/bgplb/topologies/model"
)

// Options configure the backend.
type Options struct {
	// Root is where labs live when Up was not given a Dir: <Root>/<lab>. Default out/lab.
	Root string
	// Runner runs docker, containerlab, kind and ip. Default OSRunner.
	Runner Runner
	Logger *slog.Logger
	Now    func() time.Time
	// Kinds is the kind registry: each router kind's container. Default kinds.Registry().
	Kinds *kind.Registry
	// Images overrides container images by router kind ("frr", "bird", "gobgp", "vyos",
	// "ceos"), "client" and "k8s-node" (the kind node image). bird and gobgp have no
	// published image, so a lab with those kinds needs one here.
	Images map[string]string
	// ClusterByContainerlab makes containerlab create and delete the kind cluster (a
	// k8s-kind node in the topology). Default: the deployer creates it with the kind CLI
	// first and the topology only wires its node containers as ext-container.
	ClusterByContainerlab bool
}

// Backend is the containerlab + kind backend.
type Backend struct {
	o    Options
	mu   sync.Mutex
	dirs map[string]string // lab -> dir, for labs brought up with an explicit Dir
}

var _ backend.Backend = (*Backend)(nil)

// New returns a containerlab + kind backend.
func New(o Options) *Backend {
	if o.Root == "" {
		o.Root = filepath.Join("out", "lab")
	}
	if o.Runner == nil {
		o.Runner = command.OS{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Kinds == nil {
		o.Kinds = kinds.Registry()
	}
	return &Backend{o: o, dirs: map[string]string{}}
}

// Name is "clab".
func (b *Backend) Name() string { return "clab" }

// Capabilities checks that Docker, containerlab and kind are usable, then reports what
// real NOS containers can do: every kind natively, IPv6, BFD, bridges, MD5 and GTSM.
func (b *Backend) Capabilities(ctx context.Context) (model.Capabilities, error) {
	d, err := b.deployer(b.o.Root) // Check reads no files
	if err != nil {
		return model.Capabilities{}, err
	}
	if err := d.Check(ctx); err != nil {
		return model.Capabilities{}, err
	}
	names := b.o.Kinds.RouterNames()
	return model.Capabilities{Backend: "clab", Known: names, Kinds: names,
		IPv6: true, BFD: true, Bridges: true, MD5: true, GTSM: true}, nil
}

// dir is the lab's working directory.
func (b *Backend) dir(lab string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if d, ok := b.dirs[lab]; ok {
		return d
	}
	return filepath.Join(b.o.Root, lab)
}

// deployer returns the deployer of the lab whose working directory is dir: its files
// live in dir/clab.
func (b *Backend) deployer(dir string) (*Deployer, error) {
	return NewDeployer(b.o.Runner, b.o.Logger, filepath.Join(dir, "clab"))
}

// stateFile sits beside the deployer's directory, not in it: the deployer's Down removes
// its directory, and the host bridges must still be known after that.
const stateFile = "clab-backend.json"

// state is what this backend remembers of a lab beyond the deployer's own state.
type state struct {
	Lab *model.Lab `json:"lab"`
	// Containers maps node names to container names (kind names its own).
	Containers map[string]string `json:"containers"`
	// Bridges are host bridges this backend created for the lab's bridge links.
	Bridges   []string  `json:"bridges,omitempty"`
	Processes []proc    `json:"processes,omitempty"`
	Since     time.Time `json:"since"`
}

// proc is a process Start runs inside a container.
type proc struct {
	Node      string   `json:"node"`
	Name      string   `json:"name"`
	Container string   `json:"container"`
	Args      []string `json:"args"`
	Env       []string `json:"env,omitempty"`
	// PIDFile and Log are paths inside the container.
	PIDFile string `json:"pidFile"`
	Log     string `json:"log"`
}

func (b *Backend) load(lab string) (*state, error) {
	raw, err := os.ReadFile(filepath.Join(b.dir(lab), stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("lab %s is not up on the clab backend (no %s in %s): %w", lab, stateFile, b.dir(lab), err)
	}
	if err != nil {
		return nil, err
	}
	var s state
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("lab %s: %s: %w", lab, stateFile, err)
	}
	return &s, nil
}

func (b *Backend) save(lab string, s *state) error {
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("lab %s: state: %w", lab, err)
	}
	dir := b.dir(lab)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("lab %s: %w", lab, err)
	}
	tmp := filepath.Join(dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("lab %s: %w", lab, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, stateFile)); err != nil {
		return fmt.Errorf("lab %s: %w", lab, err)
	}
	return nil
}

// container is the container a node runs in.
func (s *state) container(node string) (string, error) {
	c, ok := s.Containers[node]
	if !ok {
		return "", fmt.Errorf("lab %s has no node %q", s.Lab.Name, node)
	}
	return c, nil
}

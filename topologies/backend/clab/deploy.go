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
	"slices"
	"strings"
)

// DeployFile is one rendered file, relative to the lab's clab directory.
type DeployFile struct {
	Path    string
	Content []byte
}

// DeployCluster is a kind cluster of the lab.
type DeployCluster struct {
	Name string
	// Config is the kind config's path among the lab's Files.
	Config string
	// Nodes are the cluster's node container names (kind's naming, see
	// KindCluster.NodeNames); Exec reaches them by these names.
	Nodes []string
	// CreatedByContainerlab says the topology has a k8s-kind node for this cluster, so
	// containerlab creates it during deploy. Otherwise the deployer creates it with the
	// kind CLI first and the topology only wires its nodes as ext-container: doing both
	// would make containerlab fail with "node(s) already exist for a cluster".
	CreatedByContainerlab bool
}

// Deployment is what Up deploys.
type Deployment struct {
	Name string
	// Topology is the containerlab topology's path among Files.
	Topology string
	Files    []DeployFile
	Clusters []DeployCluster
}

// deployState is written before any command runs, so Down can clean up after a crashed or
// half-finished Up, also from another process.
type deployState struct {
	Name     string          `json:"name"`
	Topology string          `json:"topology"`
	Clusters []DeployCluster `json:"clusters"`
}

const deployStateFile = "state.json"

// Deployer brings one lab up and down with containerlab and kind.
type Deployer struct {
	run Runner
	log *slog.Logger
	dir string
}

// Dir is where a lab's containerlab files live: <out>/lab/<name>/clab.
func DeployDir(out, name string) string { return filepath.Join(out, "lab", name, "clab") }

// New returns a deployer for the lab directory dir (see Dir).
func NewDeployer(run Runner, log *slog.Logger, dir string) (*Deployer, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("clab: lab directory %s: %w", dir, err)
	}
	return &Deployer{run: run, log: log, dir: abs}, nil
}

// Up checks the prerequisites, writes lab's files and deployState, creates the kind clusters
// containerlab does not create itself (skipping ones that already exist, so a repeated
// Up resumes), then deploys the topology. It stops at the first failing command and
// says which steps had completed; Down cleans up either way.
func (d *Deployer) Up(ctx context.Context, lab Deployment) error {
	if err := d.Check(ctx); err != nil {
		return err
	}
	if err := lab.validate(); err != nil {
		return err
	}
	if err := d.write(lab); err != nil {
		return err
	}
	var done []string
	fail := func(err error) error {
		if len(done) == 0 {
			return fmt.Errorf("lab %s up: %w", lab.Name, err)
		}
		return fmt.Errorf("lab %s up: %w (completed: %s; run lab down to clean up)", lab.Name, err, strings.Join(done, ", "))
	}
	existing, err := d.kindClusters(ctx)
	if err != nil {
		return fail(err)
	}
	for _, c := range lab.Clusters {
		if c.CreatedByContainerlab {
			continue
		}
		if slices.Contains(existing, c.Name) {
			d.log.Info("kind cluster exists, reusing it", "cluster", c.Name)
			continue
		}
		d.log.Info("creating kind cluster", "cluster", c.Name)
		if _, err := d.cmd(ctx, "kind", "create", "cluster", "--name", c.Name, "--config", d.path(c.Config)); err != nil {
			return fail(err)
		}
		done = append(done, "kind cluster "+c.Name+" created")
	}
	d.log.Info("deploying containerlab topology", "lab", lab.Name)
	if _, err := d.cmd(ctx, "containerlab", "deploy", "-t", d.path(lab.Topology), "--reconfigure"); err != nil {
		return fail(err)
	}
	return nil
}

// Down destroys what Up recorded: the containerlab lab, then every kind cluster, then
// the lab directory. It succeeds when there is nothing left, and keeps going past a
// failing step so one stuck part does not leave the others behind.
func (d *Deployer) Down(ctx context.Context) error {
	st, err := d.readState()
	if errors.Is(err, fs.ErrNotExist) {
		return nil // never brought up, or already down
	}
	if err != nil {
		return err
	}
	var errs []error
	topo := d.path(st.Topology)
	if _, statErr := os.Stat(topo); statErr == nil {
		d.log.Info("destroying containerlab topology", "lab", st.Name)
		if _, err := d.cmd(ctx, "containerlab", "destroy", "-t", topo, "--cleanup"); err != nil {
			// Whatever destroy said, the question is whether containers remain.
			if left, ierr := d.inspectFile(ctx, topo); ierr != nil || len(left) > 0 {
				errs = append(errs, err)
			}
		}
	}
	for _, c := range st.Clusters {
		// kind delete succeeds when the cluster does not exist, and also cleans up a
		// cluster containerlab created but failed to delete.
		d.log.Info("deleting kind cluster", "cluster", c.Name)
		if _, err := d.cmd(ctx, "kind", "delete", "cluster", "--name", c.Name); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("lab %s down: %w", st.Name, errors.Join(errs...))
	}
	if err := os.RemoveAll(d.dir); err != nil {
		return fmt.Errorf("lab %s down: remove %s: %w", st.Name, d.dir, err)
	}
	return nil
}

// Exec runs argv in node's container: kind node containers keep their own names,
// containerlab names the others clab-<lab>-<node>.
func (d *Deployer) Exec(ctx context.Context, node string, argv ...string) ([]byte, error) {
	if len(argv) == 0 {
		return nil, fmt.Errorf("exec on %s: no command given", node)
	}
	st, err := d.readState()
	if err != nil {
		return nil, fmt.Errorf("exec on %s: lab is not up: %w", node, err)
	}
	container := "clab-" + st.Name + "-" + node
	for _, c := range st.Clusters {
		if slices.Contains(c.Nodes, node) {
			container = node
		}
	}
	return d.cmd(ctx, "docker", append([]string{"exec", container}, argv...)...)
}

// kindClusters lists existing kind clusters, one name per line of `kind get clusters`.
func (d *Deployer) kindClusters(ctx context.Context) ([]string, error) {
	out, err := d.cmd(ctx, "kind", "get", "clusters")
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
}

// cmd runs a command and wraps a failure with the command line and its output.
func (d *Deployer) cmd(ctx context.Context, name string, args ...string) ([]byte, error) {
	out, err := d.run.Run(ctx, command.New(name, args...))
	if err != nil {
		return out, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return out, nil
}

func (d *Deployer) path(rel string) string { return filepath.Join(d.dir, rel) }

func (d *Deployer) write(lab Deployment) error {
	st, err := json.MarshalIndent(deployState{Name: lab.Name, Topology: lab.Topology, Clusters: lab.Clusters}, "", "  ")
	if err != nil {
		return fmt.Errorf("lab %s: state: %w", lab.Name, err)
	}
	files := append([]DeployFile{{Path: deployStateFile, Content: append(st, '\n')}}, lab.Files...)
	for _, f := range files {
		p := d.path(f.Path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("lab %s: %w", lab.Name, err)
		}
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			return fmt.Errorf("lab %s: %w", lab.Name, err)
		}
	}
	return nil
}

func (d *Deployer) readState() (deployState, error) {
	var st deployState
	raw, err := os.ReadFile(d.path(deployStateFile))
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return st, fmt.Errorf("%s: %w", d.path(deployStateFile), err)
	}
	return st, nil
}

// validate checks that the files Up will hand to the tools are among lab.Files and stay
// inside the lab directory.
func (lab Deployment) validate() error {
	have := map[string]bool{}
	var errs []string
	for _, f := range lab.Files {
		if !filepath.IsLocal(f.Path) || f.Path == deployStateFile {
			errs = append(errs, fmt.Sprintf("file %q: use a relative path inside the lab directory (not %s)", f.Path, deployStateFile))
		}
		have[filepath.Clean(f.Path)] = true
	}
	if lab.Name == "" {
		errs = append(errs, "name is empty")
	}
	if !have[filepath.Clean(lab.Topology)] {
		errs = append(errs, fmt.Sprintf("topology %q is not among the lab's files", lab.Topology))
	}
	for _, c := range lab.Clusters {
		if !c.CreatedByContainerlab && !have[filepath.Clean(c.Config)] {
			errs = append(errs, fmt.Sprintf("cluster %s: kind config %q is not among the lab's files", c.Name, c.Config))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("lab %s: %s", lab.Name, strings.Join(errs, "; "))
}

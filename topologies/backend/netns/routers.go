package netns

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"time"

	"github.com/bgplb/bgplb/topologies/kind"
	"github.com/bgplb/bgplb/topologies/model"
)

// router is one router node and the plan of the kind whose daemon runs it: the node's
// own kind, or the kind it is emulated by (VyOS and cEOS have no package for this
// machine, so FRR runs them with the intent's NOS-neutral semantics).
type router struct {
	node      model.LabNode
	ns        string
	runsAs    string // the kind whose daemon runs the node
	emulation string // "emulated by frr", or empty
	plan      kind.LocalPlan
	procs     []procRecord
}

// planRouter asks the node's kind how to run it here. Nothing touches the machine yet.
func (b *Backend) planRouter(lab *model.Lab, n model.LabNode, dir string) (*router, error) {
	in, err := lab.RouterIntent(n.Name)
	if err != nil {
		return nil, err
	}
	run, err := b.o.Kinds.RunsAs(n.Kind)
	if err != nil {
		return nil, fmt.Errorf("router %s: %w", n.Name, err)
	}
	r := &router{node: n, ns: Namespace(lab.Name, n.Name), runsAs: run.Name()}
	if run.Name() != n.Kind {
		r.emulation = "emulated by " + run.Name()
	}
	nodeDir := filepath.Join(dir, n.Name)
	r.plan, err = run.Local().Daemon.Plan(kind.LocalRouter{Node: n.Name, Namespace: r.ns,
		Dir: filepath.Join(nodeDir, run.Name()), NodeDir: nodeDir, Intent: in, Env: b.o.Env})
	if err != nil {
		return nil, fmt.Errorf("router %s (kind %s): %w", n.Name, n.Kind, err)
	}
	for _, p := range r.plan.Processes {
		r.procs = append(r.procs, procRecord{Node: n.Name, Name: p.Name, Router: true, Log: p.Log,
			Args: r.inNamespace(p.Args), Wait: p.Wait})
	}
	return r, nil
}

func (r *router) inNamespace(argv []string) []string {
	return append([]string{"ip", "netns", "exec", r.ns}, argv...)
}

// daemon is the Daemon of the kind that runs a recorded node.
func (b *Backend) daemon(n *nodeRecord) (kind.Daemon, error) {
	run, err := b.o.Kinds.Router(n.Daemon)
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", n.Name, err)
	}
	return run.Local().Daemon, nil
}

// writeFiles creates a router's directories and files, giving the ones its daemon
// reads after dropping privileges to the plan's Owner.
func writeFiles(p kind.LocalPlan) error {
	for _, d := range p.SharedDirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	for _, d := range p.Dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		chown(d, p.Owner)
	}
	for _, f := range p.Files {
		if err := writeFile(f.Path, f.Content); err != nil {
			return err
		}
		if f.Owned {
			chown(f.Path, p.Owner)
		}
	}
	return nil
}

func writeFile(path string, content []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, content, 0o644)
}

// chown gives path to a user; without one (or on a machine without that user) it
// leaves path as it is, and the daemon reports what it cannot read.
func chown(path, owner string) {
	if owner == "" {
		return
	}
	u, err := user.Lookup(owner)
	if err != nil {
		return
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	_ = os.Chown(path, uid, gid)
}

// poll runs argv inside ns until it succeeds and check (when set) accepts its output,
// or until the daemon timeout. alive, when set, fails the wait at once if it says so.
func (b *Backend) poll(ctx context.Context, ns string, argv []string, check func([]byte) error, alive func() error) error {
	ctx, cancel := context.WithTimeout(ctx, b.o.DaemonTimeout)
	defer cancel()
	cmd := Cmd{Name: "ip", Args: append([]string{"netns", "exec", ns}, argv...)}
	for {
		if alive != nil {
			if err := alive(); err != nil {
				return err
			}
		}
		out, err := b.o.Runner.Run(ctx, cmd)
		if err == nil && check != nil {
			err = check(out)
		}
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not succeed within %s: %w", cmd, b.o.DaemonTimeout, err)
		case <-time.After(b.o.Poll):
		}
	}
}

package clab

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/model"
)

// Exec runs cmd in node's container through the deployer (docker exec). Its standard
// output goes to eio.Stdout once the command ends; standard input is not forwarded (the
// Runner has none), so interactive shells need `docker exec -it` by hand.
func (b *Backend) Exec(ctx context.Context, lab, node string, cmd []string, eio backend.ExecIO) error {
	s, err := b.load(lab)
	if err != nil {
		return err
	}
	if _, err := s.container(node); err != nil {
		return err
	}
	d, err := b.deployer(b.dir(lab))
	if err != nil {
		return err
	}
	out, err := d.Exec(ctx, topoNode(s, node), cmd...)
	if eio.Stdout != nil {
		if _, werr := eio.Stdout.Write(out); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil && eio.Stderr != nil {
		_, _ = io.WriteString(eio.Stderr, err.Error()+"\n")
	}
	return err
}

// Inspect reports every node with its container's state (containerlab inspect; docker
// inspect for kind's containers when containerlab does not list them) and addresses.
func (b *Backend) Inspect(ctx context.Context, lab string) (*backend.State, error) {
	s, err := b.load(lab)
	if err != nil {
		return nil, err
	}
	d, err := b.deployer(b.dir(lab))
	if err != nil {
		return nil, err
	}
	cs, err := d.Inspect(ctx)
	if err != nil {
		return nil, err
	}
	status := map[string]string{}
	for _, c := range cs {
		status[c.Name] = c.State
	}
	st := &backend.State{Lab: lab, Backend: b.Name(), Since: s.Since}
	for _, n := range s.Lab.Nodes {
		c, ok := s.Containers[n.Name]
		if !ok {
			continue // bridge nodes are host bridges
		}
		cstate, ok := status[c]
		if !ok {
			out, err := b.out(ctx, "docker", "inspect", "--format", "{{.State.Status}}", c)
			cstate = strings.TrimSpace(string(out))
			if err != nil {
				cstate = "missing"
			}
		}
		ns := backend.NodeState{Name: n.Name, Role: n.Role, Kind: n.Kind, RunsAs: runsAs(n), Namespace: c, Addresses: addresses(n)}
		running := cstate == "running" || cstate == "paused"
		ns.Processes = append(ns.Processes, backend.ProcessState{Name: "container", Running: running, Frozen: cstate == "paused"})
		for _, p := range s.Processes {
			if p.Node == n.Name {
				ns.Processes = append(ns.Processes, backend.ProcessState{Name: p.Name, Running: running, Log: p.Container + ":" + p.Log})
			}
		}
		st.Nodes = append(st.Nodes, ns)
	}
	return st, nil
}

func addresses(n model.LabNode) []string {
	var out []string
	for _, p := range n.Loopbacks {
		out = append(out, p.String())
	}
	for _, itf := range n.Interfaces {
		for _, a := range itf.Addresses {
			out = append(out, a.String())
		}
	}
	return out
}

var procName = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// Start runs p detached in node's container (docker exec -d) and records it, so faults
// can signal it by its PID file. A program given by an absolute host path is copied into
// the container first: kind's and the routers' images do not carry bgplb's binaries.
// Its output goes to /var/log/bgplb-<name>.log inside the container; Down stops it with
// the container.
func (b *Backend) Start(ctx context.Context, lab, node string, p backend.Process) error {
	if !procName.MatchString(p.Name) || len(p.Args) == 0 {
		return fmt.Errorf("lab %s: start on %s: process needs a name of letters, digits, '_', '.', '-' and a command", lab, node)
	}
	s, err := b.load(lab)
	if err != nil {
		return err
	}
	c, err := s.container(node)
	if err != nil {
		return err
	}
	args := append([]string(nil), p.Args...)
	if filepath.IsAbs(args[0]) {
		if _, statErr := os.Stat(args[0]); statErr == nil {
			in := path.Join("/usr/local/bin", filepath.Base(args[0]))
			if err := b.cmd(ctx, "docker", "cp", args[0], c+":"+in); err != nil {
				return fmt.Errorf("lab %s: start %s on %s: %w", lab, p.Name, node, err)
			}
			args[0] = in
		}
	}
	pr := proc{Node: node, Name: p.Name, Container: c, Args: args, Env: p.Env,
		PIDFile: "/run/bgplb-" + p.Name + ".pid", Log: "/var/log/bgplb-" + p.Name + ".log"}
	s.Processes = append(removeProc(s.Processes, node, p.Name), pr)
	if err := b.save(lab, s); err != nil { // recorded before it runs
		return err
	}
	if err := b.exec(ctx, pr); err != nil {
		return fmt.Errorf("lab %s: start %s on %s: %w", lab, p.Name, node, err)
	}
	return nil
}

// exec starts a recorded process: a shell writes its PID, then becomes the program.
func (b *Backend) exec(ctx context.Context, p proc) error {
	args := []string{"exec", "-d"}
	for _, e := range p.Env {
		args = append(args, "-e", e)
	}
	script := fmt.Sprintf(`echo $$ > %s; exec "$@" >> %s 2>&1`, p.PIDFile, p.Log)
	args = append(append(args, p.Container, "sh", "-c", script, "bgplb-"+p.Name), p.Args...)
	return b.cmd(ctx, "docker", args...)
}

// signal sends SIG<sig> to a recorded process by its PID file.
func (b *Backend) signal(ctx context.Context, p proc, sig string) error {
	return b.cmd(ctx, "docker", "exec", p.Container, "sh", "-c", fmt.Sprintf(`kill -%s "$(cat %s)"`, sig, p.PIDFile))
}

func (s *state) proc(node, name string) (proc, error) {
	for _, p := range s.Processes {
		if p.Node == node && p.Name == name {
			return p, nil
		}
	}
	return proc{}, fmt.Errorf("node %s has no started process %q", node, name)
}

func removeProc(ps []proc, node, name string) []proc {
	out := ps[:0:0]
	for _, p := range ps {
		if p.Node != node || p.Name != name {
			out = append(out, p)
		}
	}
	return out
}

// runsAs is the kind that runs a node here: every router runs its own NOS.
func runsAs(n model.LabNode) string {
	if n.Role == model.RoleRouter {
		return n.Kind
	}
	return ""
}

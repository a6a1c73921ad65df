package netns

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/bgplb/bgplb/topologies/backend"
)

// Exec runs cmd inside the node's namespace. Router CLIs are pointed at the node's
// daemon, so `vtysh -c ...`, `birdc show protocols` and `gobgp neighbor` just work.
func (b *Backend) Exec(ctx context.Context, lab, node string, cmd []string, eio backend.ExecIO) error {
	if len(cmd) == 0 {
		return fmt.Errorf("lab %s node %s: exec: no command", lab, node)
	}
	s, err := b.load(lab)
	if err != nil {
		return err
	}
	n, err := s.node(node)
	if err != nil {
		return err
	}
	if n.Daemon != "" {
		d, err := b.daemon(n)
		if err != nil {
			return err
		}
		cmd = d.CLI(n.Control, cmd)
	}
	c := Cmd{Name: "ip", Args: append([]string{"netns", "exec", n.Namespace}, cmd...),
		Stdin: eio.Stdin, Stdout: eio.Stdout, Stderr: eio.Stderr}
	if c.Stdout == nil {
		c.Stdout = io.Discard
	}
	if c.Stderr == nil {
		c.Stderr = io.Discard
	}
	if _, err := b.o.Runner.Run(ctx, c); err != nil {
		return fmt.Errorf("lab %s node %s: %w", lab, node, err)
	}
	return nil
}

// Inspect reports the lab's nodes and the state of their tracked processes.
func (b *Backend) Inspect(ctx context.Context, lab string) (*backend.State, error) {
	s, err := b.load(lab)
	if err != nil {
		return nil, err
	}
	st := &backend.State{Lab: lab, Backend: b.Name(), Since: s.Since}
	for _, n := range s.Nodes {
		ns := backend.NodeState{Name: n.Name, Role: n.Role, Kind: n.Kind, RunsAs: n.Daemon, Emulation: n.Emulation,
			Namespace: n.Namespace, Addresses: slices.Clone(n.Addresses)}
		for _, p := range s.procsOf(n.Name, "") {
			ps := backend.ProcessState{Name: p.Name, PID: p.PID, Log: p.Log}
			if stat, err := b.o.Runner.Stat(p.PID); p.PID > 0 && err == nil && stat.Start == p.Start {
				ps.Running, ps.Frozen = true, stat.State == 'T'
			}
			ns.Processes = append(ns.Processes, ps)
		}
		st.Nodes = append(st.Nodes, ns)
	}
	return st, nil
}

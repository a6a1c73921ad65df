package clab

import (
	"context"
	"fmt"
	"slices"

	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/model"
)

// Fault injects or heals a failure:
//   - link down/up: a bridge link's host-side port (the end's HostName on the lab's
//     bridge), or a veth end's interface inside its container (docker exec ip link set);
//   - freeze/thaw: docker pause/unpause, or SIGSTOP/SIGCONT to one started Process;
//   - kill: docker kill (the container's links die with it: bring it back with lab down
//     and up), or SIGKILL to one started Process;
//   - restart: containerlab restart, which parks and restores the node's links (0.75+);
//   - partition/heal: link down/up on the inside ends of every link leaving the site.
func (b *Backend) Fault(ctx context.Context, lab string, f backend.Fault) error {
	s, err := b.load(lab)
	if err != nil {
		return err
	}
	wrap := func(err error) error {
		if err == nil {
			return nil
		}
		return fmt.Errorf("lab %s: %s %s: %w", lab, f.Kind, f.Target, err)
	}
	switch f.Kind {
	case backend.FaultLinkDown, backend.FaultLinkUp:
		return wrap(b.linkFault(ctx, s, f.Target, f.Node, f.Kind == backend.FaultLinkUp))
	case backend.FaultPartition, backend.FaultHeal:
		return wrap(b.partition(ctx, s, f.Target, f.Kind == backend.FaultHeal))
	case backend.FaultFreeze, backend.FaultThaw, backend.FaultKill, backend.FaultRestart:
		return wrap(b.nodeFault(ctx, s, f))
	}
	return fmt.Errorf("lab %s: unknown fault kind %q (valid: link-down, link-up, freeze, thaw, kill, restart, partition, heal)", lab, f.Kind)
}

func (b *Backend) nodeFault(ctx context.Context, s *state, f backend.Fault) error {
	c, err := s.container(f.Target)
	if err != nil {
		return err
	}
	if f.Process != "" {
		p, err := s.proc(f.Target, f.Process)
		if err != nil {
			return err
		}
		sig := map[backend.FaultKind]string{backend.FaultFreeze: "STOP", backend.FaultThaw: "CONT", backend.FaultKill: "KILL"}[f.Kind]
		if f.Kind == backend.FaultRestart {
			_ = b.signal(ctx, p, "KILL") // may already be dead: start it again either way
			return b.exec(ctx, p)
		}
		return b.signal(ctx, p, sig)
	}
	switch f.Kind {
	case backend.FaultFreeze:
		return b.cmd(ctx, "docker", "pause", c)
	case backend.FaultThaw:
		return b.cmd(ctx, "docker", "unpause", c)
	case backend.FaultKill:
		return b.cmd(ctx, "docker", "kill", c)
	default:
		return b.cmd(ctx, "containerlab", "restart", "--name", s.Lab.Name, "--node", topoNode(s, f.Target))
	}
}

// topoNode is the containerlab node name of a lab node: kind nodes are named by kind.
func topoNode(s *state, node string) string {
	if n := s.Lab.Node(node); n != nil && n.Role == model.RoleK8sNode {
		return s.Containers[node]
	}
	return node
}

// linkFault sets one link's ends (or only node's end) up or down.
func (b *Backend) linkFault(ctx context.Context, s *state, link, node string, up bool) error {
	i := slices.IndexFunc(s.Lab.Links, func(l model.LabLink) bool { return l.Name == link })
	if i < 0 {
		names := make([]string, 0, len(s.Lab.Links))
		for _, l := range s.Lab.Links {
			names = append(names, l.Name)
		}
		return fmt.Errorf("no link %q (links: %v)", link, names)
	}
	l := s.Lab.Links[i]
	var ends []model.LinkEnd
	for _, e := range l.Ends {
		if node == "" || e.Node == node {
			ends = append(ends, e)
		}
	}
	if len(ends) == 0 {
		return fmt.Errorf("node %q is not on link %s", node, link)
	}
	return b.setEnds(ctx, s, l, ends, up)
}

func (b *Backend) setEnds(ctx context.Context, s *state, l model.LabLink, ends []model.LinkEnd, up bool) error {
	state := "down"
	if up {
		state = "up"
	}
	for _, e := range ends {
		if l.Kind == model.LinkBridge {
			// The host side is the same for every NOS, and the node sees carrier loss.
			if err := b.ip(ctx, "link", "set", "dev", e.HostName, state); err != nil {
				return err
			}
			continue
		}
		c, err := s.container(e.Node)
		if err != nil {
			return err
		}
		if err := b.cmd(ctx, "docker", "exec", c, "ip", "link", "set", "dev", e.Interface, state); err != nil {
			return err
		}
	}
	return nil
}

// partition takes down (or up) the inside ends of every link with ends both inside and
// outside site: nodes inside still reach each other over a shared bridge, outside nodes
// each other, but not across.
func (b *Backend) partition(ctx context.Context, s *state, site string, heal bool) error {
	inside := map[string]bool{}
	for _, n := range s.Lab.Nodes {
		if n.Site == site {
			inside[n.Name] = true
		}
	}
	if len(inside) == 0 {
		return fmt.Errorf("no node is in site %q", site)
	}
	for _, l := range s.Lab.Links {
		var in []model.LinkEnd
		out := 0
		for _, e := range l.Ends {
			if inside[e.Node] {
				in = append(in, e)
			} else {
				out++
			}
		}
		if len(in) == 0 || out == 0 {
			continue
		}
		if err := b.setEnds(ctx, s, l, in, heal); err != nil {
			return err
		}
	}
	return nil
}

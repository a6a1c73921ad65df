package netns

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/bgplb/bgplb/topologies/backend"
)

// Fault injects or heals a failure.
func (b *Backend) Fault(ctx context.Context, lab string, f backend.Fault) error {
	s, err := b.load(lab)
	if err != nil {
		return err
	}
	switch f.Kind {
	case backend.FaultLinkDown, backend.FaultLinkUp:
		err = b.linkFault(ctx, s, f)
	case backend.FaultFreeze, backend.FaultThaw, backend.FaultKill:
		sig := map[backend.FaultKind]syscall.Signal{backend.FaultFreeze: syscall.SIGSTOP, backend.FaultThaw: syscall.SIGCONT, backend.FaultKill: syscall.SIGKILL}[f.Kind]
		err = b.signalNode(s, f.Target, f.Process, sig)
	case backend.FaultRestart:
		err = b.restart(ctx, s, f.Target, f.Process)
	case backend.FaultPartition, backend.FaultHeal:
		err = b.partition(ctx, s, f.Target, f.Kind == backend.FaultPartition)
	default:
		err = fmt.Errorf("unknown fault kind %q", f.Kind)
	}
	if err != nil {
		return fmt.Errorf("lab %s: fault %s %s: %w", lab, f.Kind, f.Target, err)
	}
	b.o.Logger.Info("fault", "lab", lab, "kind", f.Kind, "target", f.Target, "node", f.Node, "process", f.Process)
	return nil
}

// linkFault sets a link's ends (or one node's end) down or up inside their namespaces.
func (b *Backend) linkFault(ctx context.Context, s *state, f backend.Fault) error {
	var link *linkRecord
	var names []string
	for i := range s.Links {
		names = append(names, s.Links[i].Name)
		if s.Links[i].Name == f.Target {
			link = &s.Links[i]
		}
	}
	if link == nil {
		return fmt.Errorf("no link %q (links: %s)", f.Target, strings.Join(names, ", "))
	}
	updown := "down"
	if f.Kind == backend.FaultLinkUp {
		updown = "up"
	}
	acted := false
	for _, e := range link.Ends {
		if f.Node != "" && e.Node != f.Node {
			continue
		}
		n, err := s.node(e.Node)
		if err != nil {
			continue // a bridge node has no namespace
		}
		if _, err := b.run(ctx, "ip", "-n", n.Namespace, "link", "set", "dev", e.Interface, updown); err != nil {
			return err
		}
		if updown == "up" {
			if err := b.restoreRoutes(ctx, n); err != nil {
				return err
			}
		}
		acted = true
	}
	if !acted {
		return fmt.Errorf("node %q has no end on link %s", f.Node, link.Name)
	}
	return nil
}

// signalNode signals one node's tracked processes (or the one named).
func (b *Backend) signalNode(s *state, node, process string, sig syscall.Signal) error {
	if _, err := s.node(node); err != nil {
		return err
	}
	procs := s.procsOf(node, process)
	if len(procs) == 0 {
		return fmt.Errorf("node %s runs no process %q", node, process)
	}
	for _, p := range procs {
		if !b.alive(p) {
			if sig == syscall.SIGKILL {
				continue
			}
			return fmt.Errorf("node %s: %s (pid %d) is not running", node, p.Name, p.PID)
		}
		if err := b.signal(p, sig); err != nil {
			return err
		}
	}
	if sig == syscall.SIGSTOP || sig == syscall.SIGCONT {
		return b.settle(node, procs, sig == syscall.SIGSTOP)
	}
	return nil
}

// settleLimit bounds how long a freeze or thaw waits for the kernel to act on it.
const settleLimit = 2 * time.Second

// settle waits until every process is stopped (frozen) or running again: a signal
// takes effect when its target is next scheduled, and callers time failovers from
// the moment Fault returns, so it must not return before the freeze is real.
func (b *Backend) settle(node string, procs []*procRecord, frozen bool) error {
	deadline := time.Now().Add(settleLimit)
	for _, p := range procs {
		for {
			st, err := b.o.Runner.Stat(p.PID)
			if err != nil || st.Start != p.Start || (st.State == 'T') == frozen {
				break // gone (kill races are the caller's business) or settled
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("node %s: %s (pid %d) is still in state %c after %s", node, p.Name, p.PID, st.State, settleLimit)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	return nil
}

// restart stops a node's routing daemons (or the named process) and starts them again
// with the same arguments; routers are then waited for and, for FRR, re-configured.
func (b *Backend) restart(ctx context.Context, s *state, node, process string) error {
	n, err := s.node(node)
	if err != nil {
		return err
	}
	var procs []*procRecord
	for _, p := range s.procsOf(node, process) {
		if process != "" || p.Router || n.Daemon == "" {
			procs = append(procs, p)
		}
	}
	if len(procs) == 0 {
		return fmt.Errorf("node %s runs no process %q", node, process)
	}
	b.stop(procs, stopGrace)
	router := false
	for _, p := range procs {
		router = router || p.Router
		if err := b.relaunch(s, p); err != nil {
			return err
		}
	}
	if router {
		return b.ready(ctx, s, n)
	}
	return nil
}

// relaunch starts an already recorded process again and records its new PID.
func (b *Backend) relaunch(s *state, p *procRecord) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	pid, st, err := b.o.Runner.Start(Daemon{Args: p.Args, Env: p.Env, Log: p.Log})
	p.PID, p.Start = pid, st
	if serr := s.save(); serr != nil && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("node %s: %s: %w%s", p.Node, p.Name, err, logTail(p.Log))
	}
	return nil
}

// restoreRoutes puts a node's static routes back: IPv4 drops a route whose link went
// down, and a node that came back would otherwise answer nobody off its LAN.
func (b *Backend) restoreRoutes(ctx context.Context, n *nodeRecord) error {
	if len(n.Routes) == 0 {
		return nil
	}
	var batch strings.Builder
	for _, r := range n.Routes {
		fmt.Fprintf(&batch, "route replace %s\n", r)
	}
	return b.batch(ctx, n.Namespace, batch.String())
}

package netns

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bgplb/bgplb/topologies/backend"
)

// launch records p in the state, saves it, starts it, then records its PID and start
// time. The record comes first so Down knows of the process even if we crash while
// starting it (the namespace scan then finds it by namespace).
func (b *Backend) launch(s *state, p procRecord) (*procRecord, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(p.Log), 0o755); err != nil {
		return nil, err
	}
	s.Processes = append(s.Processes, p)
	i := len(s.Processes) - 1
	if err := s.save(); err != nil {
		return nil, err
	}
	pid, st, err := b.o.Runner.Start(Daemon{Args: p.Args, Env: p.Env, Log: p.Log})
	s.Processes[i].PID, s.Processes[i].Start = pid, st
	if serr := s.save(); serr != nil {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return nil, fmt.Errorf("node %s: %s: %w%s", p.Node, p.Name, err, logTail(p.Log))
	}
	return &s.Processes[i], nil
}

// startRouters starts every router's daemons, then waits for all of them in parallel.
func (b *Backend) startRouters(ctx context.Context, s *state, routers []*router, opts backend.UpOptions) error {
	for _, r := range routers {
		b.progress(opts, "starting %s on %s", r.daemon, r.node.Name)
		for i, p := range r.procs {
			if _, err := b.launch(s, p); err != nil {
				return err
			}
			if i == 0 && p.Name == "zebra" {
				if err := b.zebraUp(ctx, r); err != nil {
					return err
				}
			}
		}
	}
	errs := make([]error, len(routers))
	var wg sync.WaitGroup
	for i, r := range routers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, _ := s.node(r.node.Name)
			errs[i] = b.ready(ctx, s, n)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// zebraUp waits until a router's zebra answers before its other FRR daemons start.
// FRR 8.4 daemons that find no zebra retry only after 10 s, and bgpd does not
// re-send a BFD registration that failed meanwhile: started together, a neighbor
// that comes up in those 10 s never gets its BFD session.
func (b *Backend) zebraUp(ctx context.Context, r *router) error {
	ctx, cancel := context.WithTimeout(ctx, b.o.DaemonTimeout)
	defer cancel()
	cmd := Cmd{Name: "vtysh", Args: []string{"-N", r.control, "-d", "zebra", "-c", "show version"}}
	for {
		_, err := b.o.Runner.Run(ctx, cmd)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("node %s: zebra does not answer: %w", r.node.Name, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// ready waits until a router's daemons answer on their sockets, then (FRR) loads its
// configuration with `vtysh -b`. A daemon that exits or never answers fails Up with the
// tail of its log.
func (b *Backend) ready(ctx context.Context, s *state, n *nodeRecord) error {
	b.mu.Lock()
	procs := s.procsOf(n.Name, "")
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, b.o.DaemonTimeout)
	defer cancel()
	cmd := readyCmd(n)
	for {
		for _, p := range procs {
			if !b.alive(p) {
				return fmt.Errorf("node %s: %s exited during start-up%s", n.Name, p.Name, logTail(p.Log))
			}
		}
		out, err := b.o.Runner.Run(ctx, cmd)
		if err == nil && n.Daemon == "frr" {
			err = allConnected(string(out), procs)
		}
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
			var logs strings.Builder
			for _, p := range procs {
				logs.WriteString(logTail(p.Log))
			}
			return fmt.Errorf("node %s: %s did not answer within %s: %w%s", n.Name, n.Daemon, b.o.DaemonTimeout, err, logs.String())
		case <-time.After(b.o.Poll):
		}
	}
	if n.Daemon == "frr" {
		if out, err := b.run(ctx, "vtysh", "-N", n.Control, "-b"); err != nil {
			return fmt.Errorf("node %s: loading frr.conf: %w: %s", n.Name, err, tail(string(out), 2000))
		}
	}
	return nil
}

// allConnected checks `vtysh -c 'show daemons'` lists every FRR daemon we started.
func allConnected(out string, procs []*procRecord) error {
	have := strings.Fields(out)
	for _, p := range procs {
		found := false
		for _, h := range have {
			found = found || h == p.Name
		}
		if !found {
			return fmt.Errorf("%s not connected yet (vtysh sees: %s)", p.Name, strings.TrimSpace(out))
		}
	}
	return nil
}

// alive says whether the recorded process still runs: same PID and same start time.
func (b *Backend) alive(p *procRecord) bool {
	if p.PID <= 0 {
		return false
	}
	st, err := b.o.Runner.Stat(p.PID)
	return err == nil && st.Start == p.Start
}

// stop sends SIGTERM to each live process's group, waits up to grace for them all to
// go, then SIGKILLs what is left. A process whose PID now belongs to someone else
// (start time differs) is left alone.
func (b *Backend) stop(procs []*procRecord, grace time.Duration) {
	var live []*procRecord
	for _, p := range procs {
		if b.alive(p) {
			_ = b.signal(p, syscall.SIGCONT) // a frozen process cannot act on SIGTERM
			_ = b.signal(p, syscall.SIGTERM)
			live = append(live, p)
		}
	}
	// Count steps rather than read the clock: the wait is bounded even with a fake clock.
	step := max(b.o.Poll/2, time.Millisecond)
	for i := 0; len(live) > 0 && i < int(grace/step); i++ {
		time.Sleep(step)
		live = b.stillAlive(live)
	}
	for _, p := range live {
		_ = b.signal(p, syscall.SIGKILL)
	}
	for i := 0; i < 40 && len(live) > 0; i++ {
		time.Sleep(step)
		live = b.stillAlive(live)
	}
}

func (b *Backend) stillAlive(ps []*procRecord) []*procRecord {
	var out []*procRecord
	for _, p := range ps {
		if b.alive(p) {
			out = append(out, p)
		}
	}
	return out
}

// signal signals the process's group (it leads one: Runner.Start sets Setpgid) and the
// process itself, in case it left the group.
func (b *Backend) signal(p *procRecord, sig syscall.Signal) error {
	gerr := b.o.Runner.Signal(-p.PID, sig)
	perr := b.o.Runner.Signal(p.PID, sig)
	if gerr != nil && perr != nil {
		return fmt.Errorf("signal %s (pid %d): %w", p.Name, p.PID, perr)
	}
	return nil
}

// Start runs a long-lived process inside a node and tracks it like the routers.
func (b *Backend) Start(ctx context.Context, lab, node string, p backend.Process) error {
	s, err := b.load(lab)
	if err != nil {
		return err
	}
	n, err := s.node(node)
	if err != nil {
		return err
	}
	if p.Name == "" || len(p.Args) == 0 {
		return fmt.Errorf("lab %s node %s: a process needs a Name and Args", lab, node)
	}
	for _, old := range s.procsOf(node, p.Name) {
		if b.alive(old) {
			return fmt.Errorf("lab %s node %s: %s already runs (pid %d)", lab, node, p.Name, old.PID)
		}
	}
	log := p.Log
	if log == "" {
		log = filepath.Join(s.Dir, node, p.Name+".log")
	}
	args := append([]string{"ip", "netns", "exec", n.Namespace}, p.Args...)
	_, err = b.launch(s, procRecord{Node: node, Name: p.Name, Args: args, Env: p.Env, Log: log})
	return err
}

// chownFRR gives path to the frr user, which FRR's daemons run as after start-up.
func chownFRR(path string) {
	u, err := user.Lookup("frr")
	if err != nil {
		return
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	_ = os.Chown(path, uid, gid)
}

// logTail is the end of a log file, formatted to follow an error message.
func logTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return ""
	}
	return fmt.Sprintf("\n--- %s (tail) ---\n%s", path, tail(string(b), 1500))
}

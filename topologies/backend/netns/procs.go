package netns

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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

// startRouters starts every router's daemons (a process with a Wait holds the next
// back until it succeeds), then waits for all routers to be ready in parallel.
func (b *Backend) startRouters(ctx context.Context, s *state, routers []*router, opts backend.UpOptions) error {
	for _, r := range routers {
		b.progress(opts, "starting %s on %s", r.runsAs, r.node.Name)
		for _, p := range r.procs {
			if _, err := b.launch(s, p); err != nil {
				return err
			}
			if len(p.Wait) > 0 {
				if err := b.poll(ctx, r.ns, p.Wait, nil, nil); err != nil {
					return fmt.Errorf("node %s: %s does not answer: %w%s", r.node.Name, p.Name, err, logTail(p.Log))
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

// ready waits until a router's daemons answer, as its kind's Readiness says, then runs
// the Readiness's follow-up commands (FRR loads frr.conf). A daemon that exits or never
// answers fails with the tail of its log.
func (b *Backend) ready(ctx context.Context, s *state, n *nodeRecord) error {
	d, err := b.daemon(n)
	if err != nil {
		return err
	}
	b.mu.Lock()
	procs := s.procsOf(n.Name, "")
	b.mu.Unlock()
	var names []string
	for _, p := range procs {
		names = append(names, p.Name)
	}
	rd := d.Ready(n.Control, names)
	alive := func() error {
		for _, p := range procs {
			if !b.alive(p) {
				return fmt.Errorf("%s exited during start-up%s", p.Name, logTail(p.Log))
			}
		}
		return nil
	}
	if err := b.poll(ctx, n.Namespace, rd.Probe, rd.Check, alive); err != nil {
		var logs strings.Builder
		for _, p := range procs {
			logs.WriteString(logTail(p.Log))
		}
		return fmt.Errorf("node %s: %s: %w%s", n.Name, n.Daemon, err, logs.String())
	}
	for _, argv := range rd.Then {
		if out, err := b.o.Runner.Run(ctx, Cmd{Name: "ip", Args: append([]string{"netns", "exec", n.Namespace}, argv...)}); err != nil {
			return fmt.Errorf("node %s: %s: %w: %s", n.Name, strings.Join(argv, " "), err, tail(string(out), 2000))
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

// logTail is the end of a log file, formatted to follow an error message.
func logTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return ""
	}
	return fmt.Sprintf("\n--- %s (tail) ---\n%s", path, tail(string(b), 1500))
}

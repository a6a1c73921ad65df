package netns

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bgplb/bgplb/topologies/model"
)

// stopGrace is how long processes get between SIGTERM and SIGKILL.
const stopGrace = 2 * time.Second

// Down removes everything of the lab: processes, host links, bridges, namespaces, FRR
// instance dirs and the backend's files. It works from the state file and, in case that
// is missing or stale, from what the machine shows carrying the lab's tag. It is
// idempotent: a lab that is not there is already down.
func (b *Backend) Down(ctx context.Context, lab string) error {
	start := b.o.Now()
	dir := b.dir(lab)
	s, err := loadState(dir)
	if err != nil {
		b.o.Logger.Warn("unreadable state; cleaning by tag", "lab", lab, "err", err)
	}
	if s == nil {
		s = &state{Lab: lab, Tag: model.Tag(lab), Dir: dir}
	}
	tag := model.Tag(lab)
	var errs []error

	namespaces, err := b.labNamespaces(ctx, tag)
	errs = append(errs, err)

	// Processes: the tracked ones, and anything else still inside the lab's namespaces.
	var procs []*procRecord
	for i := range s.Processes {
		procs = append(procs, &s.Processes[i])
	}
	for _, ns := range namespaces {
		procs = append(procs, b.namespacePids(ctx, ns)...)
	}
	b.stop(procs, stopGrace)

	links, err := b.labLinks(ctx, tag)
	errs = append(errs, err)
	var script strings.Builder
	for _, l := range links {
		fmt.Fprintf(&script, "link del dev %s\n", l)
	}
	for _, ns := range namespaces {
		fmt.Fprintf(&script, "netns del %s\n", ns)
	}
	errs = append(errs, b.batch(ctx, "", script.String()))

	// Daemons' instance dirs: the recorded ones, and any named after one of the lab's
	// namespaces in a daemon's instance roots (the state may be lost).
	dirs := slices.Clone(s.Dirs)
	for _, root := range b.instanceRoots() {
		entries, _ := os.ReadDir(root)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), tag+"-") {
				addUnique(&dirs, filepath.Join(root, e.Name()))
			}
		}
	}
	for _, d := range dirs {
		if !b.isInstanceDir(d, tag) {
			continue // never remove anything but an instance dir of this lab
		}
		errs = append(errs, os.RemoveAll(d))
	}

	// The backend's own files: per-node dirs and the state file; the lab dir if empty.
	for _, n := range s.Nodes {
		if n.Name != "" && !strings.ContainsAny(n.Name, "/.") {
			errs = append(errs, os.RemoveAll(filepath.Join(dir, n.Name)))
		}
	}
	if err := os.Remove(filepath.Join(dir, stateFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	_ = os.Remove(dir) // only succeeds when empty: other parts of the lab keep theirs
	b.mu.Lock()
	delete(b.dirs, lab)
	b.mu.Unlock()

	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("lab %s down: %w", lab, err)
	}
	b.o.Logger.Info("lab down", "lab", lab, "backend", "netns", "namespaces", len(namespaces), "links", len(links), "took", b.o.Now().Sub(start))
	return nil
}

// labNamespaces lists existing namespaces that carry the lab's tag ("<tag>-<node>").
func (b *Backend) labNamespaces(ctx context.Context, tag string) ([]string, error) {
	out, err := b.run(ctx, "ip", "netns", "list")
	if err != nil {
		return nil, fmt.Errorf("listing namespaces: %w", err)
	}
	var found []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line) // "name (id: 3)"
		if len(f) > 0 && strings.HasPrefix(f[0], tag+"-") {
			found = append(found, f[0])
		}
	}
	return found, nil
}

// labLinks lists host devices that carry the lab's tag: bridges "b<tag>-...", partition
// bridges "p<tag>-..." and bridge ports "v<tag>-..." (see the model's naming).
func (b *Backend) labLinks(ctx context.Context, tag string) ([]string, error) {
	out, err := b.run(ctx, "ip", "-o", "link", "show")
	if err != nil {
		return nil, fmt.Errorf("listing links: %w", err)
	}
	var ports, bridges []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line) // "12: vabc123-0-1@if2: <...>"
		if len(f) < 2 {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
		switch {
		case strings.HasPrefix(name, "v"+tag+"-"):
			ports = append(ports, name)
		case strings.HasPrefix(name, "b"+tag+"-"), strings.HasPrefix(name, "p"+tag+"-"):
			bridges = append(bridges, name)
		}
	}
	return append(ports, bridges...), nil
}

// namespacePids are the processes inside a namespace, as records stop can act on.
func (b *Backend) namespacePids(ctx context.Context, ns string) []*procRecord {
	out, err := b.run(ctx, "ip", "netns", "pids", ns)
	if err != nil {
		return nil
	}
	var procs []*procRecord
	for _, f := range strings.Fields(string(out)) {
		pid, err := strconv.Atoi(f)
		if err != nil || pid <= 1 {
			continue
		}
		st, err := b.o.Runner.Stat(pid)
		if err != nil {
			continue
		}
		procs = append(procs, &procRecord{Name: "pid " + f, PID: pid, Start: st.Start})
	}
	return procs
}

// instanceRoots are the directories where the router kinds' daemons keep per-instance
// folders.
func (b *Backend) instanceRoots() []string {
	var out []string
	for _, name := range b.o.Kinds.RouterNames() {
		k, _ := b.o.Kinds.Router(name)
		if d := k.Local().Daemon; d != nil {
			for _, r := range d.InstanceRoots(b.o.Env) {
				addUnique(&out, r)
			}
		}
	}
	return out
}

// isInstanceDir says whether d is <root>/<tag>-<node> in one of the instance roots.
func (b *Backend) isInstanceDir(d, tag string) bool {
	base := filepath.Base(d)
	return strings.HasPrefix(base, tag+"-") && !strings.ContainsAny(base, "/.") &&
		slices.Contains(b.instanceRoots(), filepath.Dir(d))
}

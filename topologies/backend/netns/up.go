package netns

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/model"
)

// Up creates the lab: namespaces, links, addresses and routes, then starts the routers
// and waits until each answers on its control socket. Everything is recorded in the
// state file before it is created; on error the state stays for Down.
func (b *Backend) Up(ctx context.Context, lab *model.Lab, opts backend.UpOptions) (err error) {
	start := b.o.Now()
	dir := opts.Dir
	if dir == "" {
		dir = filepath.Join(b.o.Root, lab.Name)
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return fmt.Errorf("lab %s: %w", lab.Name, err)
	}
	if old, err := loadState(dir); err != nil || old != nil {
		return errors.Join(fmt.Errorf("lab %s: %w (state in %s): run Down first", lab.Name, backend.ErrAlreadyUp, dir), err)
	}
	// Namespace names come from the lab's name alone: one of another root's lab
	// would collide, and cleaning up after the collision would remove that lab.
	if ns, err := b.labNamespaces(ctx, model.Tag(lab.Name)); err != nil {
		return fmt.Errorf("lab %s: %w", lab.Name, err)
	} else if len(ns) > 0 {
		return fmt.Errorf("lab %s: %w: its namespaces exist (%s, ...), under another --root than %s: run `bgplb lab down %s --root <that root>`, or rename this lab",
			lab.Name, backend.ErrAlreadyUp, ns[0], filepath.Dir(dir), lab.Name)
	}
	b.mu.Lock()
	b.dirs[lab.Name] = dir
	b.mu.Unlock()

	// Plan (and render) before touching the machine: an error costs nothing to clean.
	var routers []*router
	for _, n := range lab.NodesWithRole(model.RoleRouter) {
		r, err := b.planRouter(lab, n, dir)
		if err != nil {
			return fmt.Errorf("lab %s: %w", lab.Name, err)
		}
		routers = append(routers, r)
	}
	s := ownership(lab, dir, routers)
	s.Since = start
	if err := s.save(); err != nil {
		return err
	}
	for _, r := range routers {
		if err := writeFiles(r.plan); err != nil {
			return fmt.Errorf("lab %s: router %s: %w", lab.Name, r.node.Name, err)
		}
	}

	b.progress(opts, "creating %d namespaces", len(s.Namespaces))
	if err := b.batch(ctx, "", namespacesBatch(lab)); err != nil {
		return fmt.Errorf("lab %s: namespaces: %w", lab.Name, err)
	}
	for _, n := range lab.Nodes {
		if hasNamespace(n) {
			args := append([]string{"netns", "exec", Namespace(lab.Name, n.Name), "sysctl", "-q", "-e", "-w"}, sysctls(n)...)
			if _, err := b.run(ctx, "ip", args...); err != nil {
				return fmt.Errorf("lab %s: node %s: sysctl: %w", lab.Name, n.Name, err)
			}
		}
	}
	b.progress(opts, "creating %d links", len(lab.Links))
	if err := b.batch(ctx, "", linksBatch(lab)); err != nil {
		return fmt.Errorf("lab %s: links: %w", lab.Name, err)
	}
	for _, n := range lab.Nodes {
		if !hasNamespace(n) {
			continue
		}
		script, err := nodeBatch(n)
		if err != nil {
			return fmt.Errorf("lab %s: %w", lab.Name, err)
		}
		if err := b.batch(ctx, Namespace(lab.Name, n.Name), script); err != nil {
			return fmt.Errorf("lab %s: node %s addresses: %w", lab.Name, n.Name, err)
		}
	}
	if err := b.startRouters(ctx, s, routers, opts); err != nil {
		return fmt.Errorf("lab %s: %w", lab.Name, err)
	}
	b.o.Logger.Info("lab up", "lab", lab.Name, "backend", "netns", "nodes", len(s.Nodes), "routers", len(routers), "took", b.o.Now().Sub(start))
	return nil
}

// batch runs an `ip -batch` script on the host (ns "") or inside a namespace.
func (b *Backend) batch(ctx context.Context, ns, script string) error {
	if script == "" {
		return nil
	}
	args := []string{"-batch", "-"}
	if ns != "" {
		args = append([]string{"-n", ns}, args...)
	}
	_, err := b.o.Runner.Run(ctx, Cmd{Name: "ip", Args: args, Stdin: strings.NewReader(script)})
	return err
}

// ownership is the state Up records before creating anything.
func ownership(lab *model.Lab, dir string, routers []*router) *state {
	s := &state{Lab: lab.Name, Tag: lab.Tag, Dir: dir}
	byNode := map[string]*router{}
	for _, r := range routers {
		byNode[r.node.Name] = r
	}
	for _, n := range lab.Nodes {
		if !hasNamespace(n) {
			continue
		}
		rec := nodeRecord{Name: n.Name, Role: n.Role, Kind: n.Kind, Site: n.Site, Namespace: Namespace(lab.Name, n.Name), Addresses: addresses(n)}
		for _, r := range n.Routes {
			rec.Routes = append(rec.Routes, r.Prefix.String()+nexthops(r.Via))
		}
		if r := byNode[n.Name]; r != nil {
			rec.Daemon, rec.Control, rec.Emulation = r.runsAs, r.plan.Control, r.emulation
			s.Dirs = append(s.Dirs, r.plan.Dirs...)
		}
		s.Namespaces = append(s.Namespaces, rec.Namespace)
		s.Nodes = append(s.Nodes, rec)
	}
	for _, l := range lab.Links {
		lr := linkRecord{Name: l.Name, Bridge: l.Bridge}
		for _, e := range l.Ends {
			le := linkEnd{Node: e.Node, Interface: e.Interface}
			if l.Kind == model.LinkBridge {
				le.HostName = e.HostName
				s.HostLinks = append(s.HostLinks, e.HostName)
			}
			lr.Ends = append(lr.Ends, le)
		}
		if l.Kind == model.LinkBridge {
			s.Bridges = append(s.Bridges, l.Bridge)
		}
		s.Links = append(s.Links, lr)
	}
	return s
}

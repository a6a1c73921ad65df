package clab

import (
	"github.com/bgplb/bgplb/topologies/command"

	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/model"
)

// Up converts lab, checks the tools, records state, creates the host bridges of its
// bridge links and hands the rest to the deployer (kind cluster, containerlab deploy).
// On error the state stays for Down.
func (b *Backend) Up(ctx context.Context, lab *model.Lab, opts backend.UpOptions) error {
	dir := opts.Dir
	if dir == "" {
		dir = filepath.Join(b.o.Root, lab.Name)
	}
	b.mu.Lock()
	b.dirs[lab.Name] = dir
	b.mu.Unlock()
	progress := func(s string) {
		b.o.Logger.Debug(s)
		if opts.Progress != nil {
			opts.Progress(s)
		}
	}

	p, err := planLab(lab, b.o)
	if err != nil {
		return err
	}
	d, err := b.deployer(dir)
	if err != nil {
		return err
	}
	// Check before anything is made, so a machine without the tools is left untouched.
	if err := d.Check(ctx); err != nil {
		return err
	}
	s := &state{Lab: lab, Containers: p.Containers, Bridges: p.Bridges, Since: b.o.Now()}
	if err := b.save(lab.Name, s); err != nil {
		return err
	}
	for _, br := range p.Bridges {
		progress("creating host bridge " + br)
		if err := b.ip(ctx, "link", "add", "name", br, "type", "bridge"); err != nil {
			return fmt.Errorf("lab %s up: %w (run lab down to clean up)", lab.Name, err)
		}
		if err := b.ip(ctx, "link", "set", "dev", br, "up"); err != nil {
			return fmt.Errorf("lab %s up: %w (run lab down to clean up)", lab.Name, err)
		}
	}
	if len(p.Deploy.Clusters) > 0 {
		progress("creating kind cluster " + p.Deploy.Clusters[0].Name + " and deploying containerlab topology")
	} else {
		progress("deploying containerlab topology")
	}
	return d.Up(ctx, p.Deploy)
}

// Down destroys the containerlab lab and kind cluster (the deployer's Down), then the
// host bridges, then the state. It succeeds when nothing is left, also when the lab
// never existed, and keeps going past a failing step.
func (b *Backend) Down(ctx context.Context, lab string) error {
	dir := b.dir(lab)
	s, err := b.load(lab)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	d, err := b.deployer(dir)
	if err != nil {
		return err
	}
	var errs []error
	if err := d.Down(ctx); err != nil {
		errs = append(errs, err)
	}
	if s != nil {
		for _, br := range s.Bridges {
			if err := b.ip(ctx, "link", "del", "dev", br); err != nil && !gone(err) {
				errs = append(errs, err)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("lab %s down: %w", lab, errors.Join(errs...))
	}
	if err := os.Remove(filepath.Join(dir, stateFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("lab %s down: %w", lab, err)
	}
	b.mu.Lock()
	delete(b.dirs, lab)
	b.mu.Unlock()
	return nil
}

// ip runs an ip(8) command on the host.
func (b *Backend) ip(ctx context.Context, args ...string) error {
	return b.cmd(ctx, "ip", args...)
}

// cmd runs a command and wraps a failure with its command line.
func (b *Backend) cmd(ctx context.Context, name string, args ...string) error {
	_, err := b.out(ctx, name, args...)
	return err
}

func (b *Backend) out(ctx context.Context, name string, args ...string) ([]byte, error) {
	out, err := b.o.Runner.Run(ctx, command.New(name, args...))
	if err != nil {
		return out, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return out, nil
}

// gone says a device to delete was not there: what Down wants anyway.
func gone(err error) bool {
	return strings.Contains(err.Error(), "Cannot find device") || strings.Contains(err.Error(), "does not exist")
}

// Package lab is the lab orchestrator: it brings a topology up on a backend with a
// Kubernetes control plane, applies the lab's manifests, starts the speakers, the
// controller and the lab's service plane, and reports status — the adapter behind
// `bgplb lab ...`. Everything it starts is recorded in out/lab/<name>/lab.json, so a
// later process can inspect it or tear it down, also after a crashed Up.
package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"k8s.io/client-go/rest"

	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/controlplane"
	"github.com/bgplb/bgplb/topologies/model"
)

const defaultAPITimeout = 15 * time.Second

// Options configure Up.
type Options struct {
	// Topology is a shipped topology name or a file path; default topologies.Default.
	Topology string
	// Root holds the labs: <Root>/<name>. Default out/lab.
	Root string
	// RepoDir is the repository root: deploy/crds, bin/ and .cache/bin are found under
	// it. Default ".".
	RepoDir string
	Backend backend.Backend
	// AgentArgs is the command that runs the lab's service plane (`bgplb lab agent`);
	// Up appends its flags. Empty: no service plane, and status says so.
	AgentArgs []string
	// NoDemo skips the demo Service.
	NoDemo bool
	// Progress is told about each step as it starts.
	Progress func(string)
	Logger   *slog.Logger
}

func (o *Options) defaults() error {
	if o.Backend == nil {
		return errors.New("lab: Options.Backend is required")
	}
	if o.Root == "" {
		o.Root = filepath.Join("out", "lab")
	}
	if o.RepoDir == "" {
		o.RepoDir = "."
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var mu sync.Mutex // backend and control plane report from two goroutines
	p := o.Progress
	o.Progress = func(s string) {
		if p != nil {
			mu.Lock()
			defer mu.Unlock()
			p(s)
		}
	}
	return nil
}

// Up brings a lab up and returns its record. Leftovers of an earlier run of the same
// lab are removed first. On error the record says "failed" and Down cleans everything.
func Up(ctx context.Context, o Options) (rec *Record, err error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	begin := time.Now()
	src, err := loadSource(o.Topology, o.RepoDir)
	if err != nil {
		return nil, err
	}
	caps, err := o.Backend.Capabilities(ctx)
	if err != nil {
		return nil, fmt.Errorf("lab: %s backend: %w", o.Backend.Name(), err)
	}
	l, err := resolve(src, caps)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(filepath.Join(o.Root, l.Name))
	if err != nil {
		return nil, err
	}
	if _, statErr := os.Stat(dir); statErr == nil {
		o.Progress("removing the leftovers of an earlier " + l.Name)
		if err := Down(ctx, DownOptions{Name: l.Name, Root: o.Root, Backend: o.Backend}); err != nil {
			return nil, fmt.Errorf("lab: leftovers of %s: %w", l.Name, err)
		}
	}
	rec = &Record{Name: l.Name, Backend: o.Backend.Name(), Topology: src.Name, Dir: dir, Phase: PhaseStarting,
		Since: begin, Lab: l, ControlPlane: filepath.Join(dir, "controlplane"), Kubeconfig: filepath.Join(dir, "kubeconfig")}
	rec.Steps = append(rec.Steps, Step{"resolve topology", time.Since(begin)})
	if err := rec.save(); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil && rec != nil {
			rec.Phase, rec.Error = PhaseFailed, err.Error()
			_ = rec.save()
		}
	}()
	u := &upper{o: o, rec: rec, lab: l, src: src}
	if err := u.run(ctx); err != nil {
		if errors.Is(err, backend.ErrAlreadyUp) {
			// Another root's lab of this name owns the network: undo only what this
			// Up started, and give no record, so no caller runs Down on theirs.
			if u.cp != nil {
				err = errors.Join(err, u.cp.Stop())
			}
			return nil, errors.Join(err, os.RemoveAll(dir))
		}
		return rec, err
	}
	rec.Phase = PhaseUp
	rec.Steps = append(rec.Steps, Step{"total", time.Since(begin)})
	return rec, rec.save()
}

// upper holds one Up's working state.
type upper struct {
	o   Options
	rec *Record
	lab *model.Lab
	src source
	cfg *rest.Config
	cp  *controlplane.ControlPlane
}

// timed runs one step and records its duration.
func (u *upper) timed(name string, f func() error) error {
	u.o.Progress(name)
	start := time.Now()
	err := f()
	u.rec.Steps = append(u.rec.Steps, Step{name, time.Since(start)})
	if err != nil {
		return fmt.Errorf("lab %s: %s: %w", u.lab.Name, name, err)
	}
	return u.rec.save()
}

func (u *upper) run(ctx context.Context) error {
	// The network and the control plane do not depend on each other: start both at once
	// (the apiserver's ~5 s start dominates otherwise).
	var wg sync.WaitGroup
	var netErr, cpErr error
	var netTook, cpTook time.Duration
	wg.Add(2)
	go func() {
		defer wg.Done()
		start := time.Now()
		netErr = u.o.Backend.Up(ctx, u.lab, backend.UpOptions{Dir: u.rec.Dir, Progress: u.o.Progress})
		netTook = time.Since(start)
	}()
	go func() {
		defer wg.Done()
		start := time.Now()
		cpErr = u.startControlPlane(ctx)
		cpTook = time.Since(start)
	}()
	u.o.Progress(fmt.Sprintf("starting %d nodes on %s and the control plane", len(u.lab.Nodes), u.o.Backend.Name()))
	wg.Wait()
	u.rec.Steps = append(u.rec.Steps, Step{"network and routers (" + u.o.Backend.Name() + ")", netTook},
		Step{"control plane (etcd, kube-apiserver)", cpTook})
	if cpErr != nil {
		cpErr = fmt.Errorf("lab %s: %w", u.lab.Name, cpErr)
	}
	if err := errors.Join(netErr, cpErr); err != nil {
		return err // the backend's errors name the lab already
	}
	if err := u.rec.save(); err != nil {
		return err
	}
	c, err := newClient(u.cfg)
	if err != nil {
		return err
	}
	if err := u.timed("install CRDs", func() error { return u.installCRDs(ctx) }); err != nil {
		return err
	}
	if err := u.timed("apply nodes and manifests", func() error { return u.applyManifests(ctx, c) }); err != nil {
		return err
	}
	if err := u.timed("start controller, speakers and service plane", func() error { return u.startProcesses(ctx) }); err != nil {
		return err
	}
	if !u.o.NoDemo {
		return u.timed("create demo Service", func() error { return apply(ctx, c, demoService(u.lab)) })
	}
	return nil
}

func (u *upper) startControlPlane(ctx context.Context) error {
	cp, err := controlplane.Start(ctx, controlplane.Options{StateDir: u.rec.ControlPlane,
		KubeconfigPath: u.rec.Kubeconfig, SearchDir: u.o.RepoDir, Logger: u.o.Logger})
	if err != nil {
		return err
	}
	u.cp = cp
	u.cfg = cp.RESTConfig()
	u.cfg.Timeout = defaultAPITimeout
	u.rec.APIServer = u.cfg.Host
	u.o.Progress(fmt.Sprintf("control plane ready at %s in %s", u.cfg.Host, cp.StartupDuration().Round(time.Millisecond)))
	return nil
}

func (u *upper) installCRDs(ctx context.Context) error {
	return u.cp.InstallCRDs(ctx, filepath.Join(u.o.RepoDir, "deploy", "crds"))
}

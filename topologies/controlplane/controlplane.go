// Package controlplane runs a Kubernetes control plane of two processes —
// etcd 3.5 and kube-apiserver 1.34, built by `make controlplane-tools` — on
// 127.0.0.1 for the lab and for integration tests. There is no
// controller-manager, scheduler or kubelet: whoever uses it writes Nodes,
// EndpointSlices and the like itself, and namespaces never finish deleting.
//
// It is an adapter: processes are started through an injected Starter, and
// everything it makes lives in one state directory (PKI, etcd data, logs, PID
// file, kubeconfig) so Cleanup can stop a crashed run from another process.
package controlplane

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"k8s.io/client-go/rest"
)

// DefaultServiceCIDRs are the ClusterIP ranges: the top /19 of the RFC 2544
// benchmark range (8,190 Services: the scale run creates 5,000) and a documentation
// IPv6 /112, so dual-stack Services work. Lab VIP pools must stay out of them.
const DefaultServiceCIDRs = "198.19.224.0/19,2001:db8:ffff::/112"

// Options configure Start. Only StateDir is required.
type Options struct {
	// StateDir holds everything the control plane writes, e.g.
	// out/lab/<name>/controlplane or t.TempDir(). Its etcd data is wiped at Start.
	StateDir string
	// KubeconfigPath is where the admin kubeconfig goes; default StateDir/kubeconfig.
	KubeconfigPath string
	// Binaries overrides the lookup FindBinaries does (env, then .cache/bin).
	Binaries Binaries
	// SearchDir is where the lookup of the repository's .cache/bin starts; default ".".
	SearchDir string
	// Getenv reads the binary-path variables; default os.Getenv.
	Getenv func(string) string
	// Starter starts the processes; default ExecStarter.
	Starter Starter
	// DieWithParent kills the processes when the starting process dies (tests).
	DieWithParent bool
	// ServiceCIDRs is --service-cluster-ip-range; default DefaultServiceCIDRs.
	ServiceCIDRs string
	// ReadyTimeout bounds the wait for /readyz; default 60s.
	ReadyTimeout time.Duration
	// Grace is the time between SIGTERM and SIGKILL at Stop; default DefaultGrace.
	Grace time.Duration
	// Logger receives progress; default discards.
	Logger *slog.Logger
}

// ControlPlane is a running etcd + kube-apiserver pair.
type ControlPlane struct {
	stateDir   string
	kubeconfig string
	cfg        *rest.Config
	etcdURL    string
	startup    time.Duration
	grace      time.Duration
	log        *slog.Logger
	procs      []running // start order

	stopOnce sync.Once
	stopErr  error
}

type running struct {
	name string
	proc Process
}

func (o *Options) defaults() error {
	if o.StateDir == "" {
		return errors.New("controlplane: Options.StateDir is required")
	}
	abs, err := filepath.Abs(o.StateDir)
	if err != nil {
		return fmt.Errorf("controlplane: state dir: %w", err)
	}
	o.StateDir = abs
	if o.KubeconfigPath == "" {
		o.KubeconfigPath = filepath.Join(abs, "kubeconfig")
	}
	if o.SearchDir == "" {
		o.SearchDir = "."
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Starter == nil {
		o.Starter = ExecStarter{}
	}
	if o.ServiceCIDRs == "" {
		o.ServiceCIDRs = DefaultServiceCIDRs
	}
	if o.ReadyTimeout == 0 {
		o.ReadyTimeout = 60 * time.Second
	}
	if o.Grace == 0 {
		o.Grace = DefaultGrace
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return nil
}

// Start brings up etcd and kube-apiserver on free loopback ports, waits until
// /readyz answers ok and writes the admin kubeconfig. Processes a crashed
// earlier run left in the same StateDir are stopped first. On error nothing it
// started is left running.
func Start(ctx context.Context, opts Options) (*ControlPlane, error) {
	begin := time.Now()
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	bins, err := FindBinaries(opts.Binaries, opts.Getenv, opts.SearchDir)
	if err != nil {
		return nil, fmt.Errorf("controlplane: %w", err)
	}
	dir := opts.StateDir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("controlplane: %w", err)
	}
	if err := Cleanup(dir); err != nil {
		return nil, fmt.Errorf("controlplane: leftovers of an earlier run: %w", err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "etcd")); err != nil {
		return nil, fmt.Errorf("controlplane: wipe etcd data: %w", err)
	}
	pkiDir := filepath.Join(dir, "pki")
	keys, err := newPKI(time.Now(), 365*24*time.Hour)
	if err != nil {
		return nil, fmt.Errorf("controlplane: %w", err)
	}
	if err := keys.write(pkiDir); err != nil {
		return nil, fmt.Errorf("controlplane: %w", err)
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, fmt.Errorf("controlplane: %w", err)
	}
	lay := layout{stateDir: dir, pkiDir: pkiDir, etcdClient: ports[0], etcdPeer: ports[1],
		apiPort: ports[2], serviceCIDRs: opts.ServiceCIDRs}

	cp := &ControlPlane{
		stateDir:   dir,
		kubeconfig: opts.KubeconfigPath,
		cfg:        lay.restConfig(keys),
		etcdURL:    lay.etcdURL(),
		grace:      opts.Grace,
		log:        opts.Logger,
	}
	for _, c := range []Command{lay.etcd(bins.Etcd), lay.apiserver(bins.APIServer)} {
		c.DieWithParent = opts.DieWithParent
		if err := cp.run(ctx, opts.Starter, c); err != nil {
			return nil, errors.Join(err, cp.Stop())
		}
	}
	if err := writeKubeconfig(opts.KubeconfigPath, cp.cfg, keys); err != nil {
		return nil, errors.Join(fmt.Errorf("controlplane: %w", err), cp.Stop())
	}
	if err := cp.waitReady(ctx, opts.ReadyTimeout); err != nil {
		return nil, errors.Join(err, cp.Stop())
	}
	cp.startup = time.Since(begin)
	cp.log.Info("control plane ready", "startup", cp.startup.Round(time.Millisecond),
		"apiserver", cp.cfg.Host, "etcd", cp.etcdURL, "kubeconfig", cp.kubeconfig)
	return cp, nil
}

func (cp *ControlPlane) run(ctx context.Context, s Starter, c Command) error {
	p, err := s.Start(ctx, c)
	if err != nil {
		return fmt.Errorf("controlplane: %w", err)
	}
	cp.procs = append(cp.procs, running{name: c.Name, proc: p})
	cp.log.Debug("started", "process", c.Name, "pid", p.PID(), "log", c.LogPath)
	if err := appendPID(cp.stateDir, c.Name, p.PID()); err != nil {
		return fmt.Errorf("controlplane: %w", err)
	}
	return nil
}

// Kubeconfig is the path of the admin kubeconfig.
func (cp *ControlPlane) Kubeconfig() string { return cp.kubeconfig }

// RESTConfig returns a copy of the admin client configuration.
func (cp *ControlPlane) RESTConfig() *rest.Config { return rest.CopyConfig(cp.cfg) }

// EtcdURL is the client URL of etcd (plain HTTP on loopback).
func (cp *ControlPlane) EtcdURL() string { return cp.etcdURL }

// StateDir is the absolute state directory.
func (cp *ControlPlane) StateDir() string { return cp.stateDir }

// StartupDuration is the time Start took until /readyz said ok.
func (cp *ControlPlane) StartupDuration() time.Duration { return cp.startup }

// PIDs returns the process IDs in start order (etcd, kube-apiserver).
func (cp *ControlPlane) PIDs() []int {
	out := make([]int, 0, len(cp.procs))
	for _, r := range cp.procs {
		out = append(out, r.proc.PID())
	}
	return out
}

// Stop terminates kube-apiserver and then etcd (SIGTERM to each process
// group, SIGKILL after the grace period) and waits until both have exited.
// The state directory with its logs and kubeconfig stays for the caller;
// only the PID file goes. Calling Stop again returns the first result.
func (cp *ControlPlane) Stop() error {
	cp.stopOnce.Do(func() {
		var errs []error
		for i := len(cp.procs) - 1; i >= 0; i-- {
			r := cp.procs[i]
			gone := func() bool {
				select {
				case <-r.proc.Done():
					return true
				default:
					return false
				}
			}
			if err := stopGroup(r.proc.PID(), cp.grace, gone); err != nil {
				errs = append(errs, fmt.Errorf("stop %s: %w", r.name, err))
			}
		}
		if len(errs) == 0 {
			if err := os.Remove(filepath.Join(cp.stateDir, pidFileName)); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("remove PID file: %w", err))
			}
		}
		cp.stopErr = errors.Join(errs...)
		cp.log.Info("control plane stopped", "stateDir", cp.stateDir, "err", cp.stopErr)
	})
	return cp.stopErr
}

// freePorts reserves n distinct loopback ports by listening on all of them at
// once, then releases them for the processes to bind.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		ls = append(ls, l)
		_, p, _ := net.SplitHostPort(l.Addr().String())
		port, _ := strconv.Atoi(p)
		ports = append(ports, port)
	}
	return ports, nil
}

package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/api/scheme"
	"github.com/bgplb/bgplb/daemon/eventpace"
	"github.com/bgplb/bgplb/daemon/securemetrics"
	"github.com/bgplb/bgplb/internal/version"
	"github.com/bgplb/bgplb/speaker/bfdio"
	"github.com/bgplb/bgplb/speaker/gobgp"
	"github.com/bgplb/bgplb/speaker/k8s"
	"github.com/bgplb/bgplb/speaker/reconcile"
	"github.com/bgplb/bgplb/speaker/router"
	"github.com/bgplb/bgplb/speaker/routes"
)

// Run parses args and runs the speaker until ctx is cancelled (SIGTERM in the
// binary), then shuts the BGP sessions down the way each router should see it go
// (see reconcile.Loop.Shutdown). logger nil means JSON logs to stderr at --log-level.
func Run(ctx context.Context, logger *slog.Logger, args []string, stdout, stderr io.Writer) error {
	f, err := Parse(args, os.Getenv, stderr)
	if err != nil {
		return err
	}
	if f.Version {
		fmt.Fprintln(stdout, "speaker", version.Version)
		return nil
	}
	if logger == nil {
		lvl, _ := parseLevel(f.LogLevel)
		logger = slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: lvl}))
	}
	cfg, err := restConfig(f.Kubeconfig)
	if err != nil {
		return err
	}
	cfg.UserAgent = "bgplb-speaker/" + version.Version
	// client-go's default (5/s, burst 10) let nodeAssigned events pile up in its
	// 1,000-event buffer and be dropped; events are paced (eventRate) below this.
	cfg.QPS, cfg.Burst = 50, 100
	factory := func(ctx context.Context, asn uint32, id netip.Addr) (router.Router, error) {
		logger.Info("starting BGP", "asn", asn, "routerID", id)
		return gobgp.New(ctx, gobgp.Config{ASN: asn, RouterID: id, Logger: logger.With("component", "gobgp")})
	}
	return RunWith(ctx, f, cfg, factory, logger)
}

// RunWith runs the speaker with an already parsed configuration and a router
// factory (tests pass a fake router or a GoBGP on other ports). It is four steps:
// assemble the parts, connect their events, run them until ctx is done or one
// fails, then stop in the order routers should see.
func RunWith(ctx context.Context, f Flags, cfg *rest.Config, factory Factory, logger *slog.Logger) error {
	sp, err := assemble(f, cfg, factory, logger)
	if err != nil {
		return err
	}
	defer sp.events.Shutdown()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := sp.connect(runCtx); err != nil {
		return err
	}
	runErr := sp.run(ctx, runCtx, cancel)
	return errors.Join(runErr, sp.stop(ctx))
}

// The speaker's events (nodeAssigned, one per Service it starts announcing) go
// out at once when few, and at eventRate per second in a burst.
const (
	eventRate  = 20
	eventBurst = 100
)

// speaker holds the parts of a running speaker.
type speaker struct {
	f       Flags
	cfg     *rest.Config // the apiserver: clients, and TokenReviews for secure /metrics
	log     *slog.Logger
	watcher *k8s.Watcher  // informers -> snapshots
	link    *bfdLink      // BFD sessions, and the gate holding BGP down while BFD is
	router  router.Router // the gated, lazily started GoBGP
	events  record.EventBroadcaster
	paced   *eventpace.Recorder // nodeAssigned events, paced, never dropped silently
	pub     *k8s.Publisher      // status and events back to the API
	obs     *observability      // /metrics, /healthz, /readyz
	loop    *reconcile.Loop     // snapshot -> router

	wg       sync.WaitGroup
	errc     chan error
	loopDone chan struct{}
}

// assemble builds every part; nothing runs yet.
func assemble(f Flags, cfg *rest.Config, factory Factory, logger *slog.Logger) (*speaker, error) {
	sp := &speaker{f: f, cfg: cfg, log: logger, errc: make(chan error, 3), loopDone: make(chan struct{})}
	w, err := k8s.NewWatcher(cfg, k8s.Options{Namespace: f.Namespace, NodeName: f.NodeName, LBClass: f.LBClass, Logger: logger})
	if err != nil {
		return nil, err
	}
	sp.watcher = w
	var override netip.Addr
	if f.RouterID != "" {
		override = netip.MustParseAddr(f.RouterID)
	}
	sp.link = newBFDLink(&lazyRouter{factory: factory, nodeIP: w.NodeIP, override: override}, logger)
	sp.router = sp.link.router()
	if err := sp.publisher(cfg); err != nil {
		return nil, err
	}
	if sp.obs, err = newObservability(f.NodeName, sp.router, sp.link.m.Sessions); err != nil {
		return nil, err
	}
	sp.loop, err = reconcile.New(reconcile.Options{
		Router: sp.router, Source: w, Namespace: f.Namespace, Routes: routes.Options{IgnoreExcludeLB: f.IgnoreExcludeLB},
		Interval: f.ReconcileInterval, Logger: logger,
		Observer: func(rep reconcile.Report) { sp.link.observe(rep); sp.pub.Observe(rep); sp.obs.observe(rep) },
	})
	if err != nil {
		return nil, err
	}
	sp.obs.loop = sp.loop
	return sp, nil
}

// publisher builds the API clients, the event recorder and the status Publisher.
func (sp *speaker) publisher(cfg *rest.Config) error {
	s, err := scheme.New()
	if err != nil {
		return err
	}
	c, err := client.New(cfg, client.Options{Scheme: s})
	if err != nil {
		return fmt.Errorf("speaker: apiserver client: %w", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("speaker: clientset: %w", err)
	}
	sp.events = record.NewBroadcaster()
	sp.events.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: cs.CoreV1().Events("")})
	sp.paced = eventpace.New(sp.events.NewRecorder(s, corev1.EventSource{Component: "bgplb-speaker", Host: sp.f.NodeName}),
		eventpace.Options{Rate: eventRate, Burst: eventBurst, Logger: sp.log})
	rec := sp.paced
	link := sp.link
	sp.pub, err = k8s.NewPublisher(k8s.PublisherOptions{Client: c, Events: rec, Namespace: sp.f.Namespace,
		NodeName: sp.f.NodeName, Sessions: sp.router.Sessions, ServiceUID: sp.watcher.ServiceUID, Logger: sp.log,
		BFD: func(peer string) (string, string) { return link.state(peer), link.problem(peer) }})
	return err
}

// connect wires the events between the parts: informer changes trigger the loop;
// BGP and BFD session changes are logged, counted and published.
func (sp *speaker) connect(ctx context.Context) error {
	sp.link.start(ctx, func(bfdio.Event) { sp.pub.Touch() })
	if err := sp.watcher.OnChange(ctx, sp.loop.Trigger); err != nil {
		return err
	}
	return sp.router.Watch(ctx, func(ev router.SessionEvent) {
		sp.log.Info("BGP session", "peer", ev.Peer, "state", ev.State, "lastError", ev.LastError)
		sp.obs.metrics.Session(ev)
		sp.pub.Touch()
	})
}

// run starts the informers, the HTTP endpoints, the loop (once the caches have
// synced) and the publisher, and returns when ctx is done (nil) or a component
// fails (its error). runCtx is what the parts run under; cancel ends them.
func (sp *speaker) run(ctx, runCtx context.Context, cancel context.CancelFunc) error {
	f := sp.f
	sp.log.Info("speaker starting", "version", version.Version, "node", f.NodeName, "namespace", f.Namespace,
		"lbClass", f.LBClass, "metrics", f.MetricsAddr, "secureMetrics", f.SecureMetricsAddr, "interval", f.ReconcileInterval)
	sp.goRun(func() error { return sp.watcher.Start(runCtx) })
	sp.goRun(func() error { return sp.obs.serve(runCtx, f.MetricsAddr, f.Pprof, sp.log) })
	sp.goRun(func() error {
		return securemetrics.Serve(runCtx, securemetrics.Options{Addr: f.SecureMetricsAddr, CertDir: f.MetricsCertDir,
			Gatherer: sp.obs.reg, Config: sp.cfg, Logger: sp.log})
	})
	go func() {
		defer close(sp.loopDone)
		if sp.watcher.WaitForSync(runCtx) {
			sp.log.Info("caches synced")
			_ = sp.loop.Run(runCtx)
		}
	}()
	go sp.pub.Run(runCtx)
	go sp.paced.Run(runCtx)

	var err error
	select {
	case <-ctx.Done():
	case err = <-sp.errc:
		if err != nil {
			sp.log.Error("speaker component failed; shutting down", "error", err)
		}
	}
	cancel()
	return err
}

func (sp *speaker) goRun(fn func() error) {
	sp.wg.Add(1)
	go func() { defer sp.wg.Done(); sp.errc <- fn() }()
}

// stop waits for the loop, sends AdminDown to every BFD peer before BGP goes
// (RFC 5882 §3.2: a router keeps BGP up on AdminDown, so the BGP close decides
// what happens to the routes), then
// closes the BGP sessions as reconcile.Loop.Shutdown documents, within
// --shutdown-timeout.
func (sp *speaker) stop(ctx context.Context) error {
	<-sp.loopDone
	sp.link.wait()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sp.f.ShutdownTimeout)
	defer cancel()
	err := sp.loop.Shutdown(sctx)
	sp.wg.Wait()
	sp.log.Info("speaker stopped")
	return err
}

func restConfig(kubeconfig string) (*rest.Config, error) {
	if kubeconfig == "" {
		cfg, err := rest.InClusterConfig()
		if err != nil {
			return nil, fmt.Errorf("no --kubeconfig and not in a cluster: %w", err)
		}
		return cfg, nil
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", kubeconfig, err)
	}
	cfg.Timeout = 15 * time.Second
	return cfg, nil
}

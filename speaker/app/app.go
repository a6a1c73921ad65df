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

	"github.com/bgplb/bgplb/internal/securemetrics"
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
	factory := func(ctx context.Context, asn uint32, id netip.Addr) (router.Router, error) {
		logger.Info("starting BGP", "asn", asn, "routerID", id)
		return gobgp.New(ctx, gobgp.Config{ASN: asn, RouterID: id, Logger: logger.With("component", "gobgp")})
	}
	return RunWith(ctx, f, cfg, factory, logger)
}

// RunWith runs the speaker with an already parsed configuration and a router
// factory (tests pass a fake router or a GoBGP on other ports).
func RunWith(ctx context.Context, f Flags, cfg *rest.Config, factory Factory, logger *slog.Logger) error {
	w, err := k8s.NewWatcher(cfg, k8s.Options{Namespace: f.Namespace, NodeName: f.NodeName, LBClass: f.LBClass, Logger: logger})
	if err != nil {
		return err
	}
	var override netip.Addr
	if f.RouterID != "" {
		override = netip.MustParseAddr(f.RouterID)
	}
	lazy := &lazyRouter{factory: factory, nodeIP: w.NodeIP, override: override}
	link := newBFDLink(lazy, logger)
	rt := link.router()
	s, err := k8s.Scheme()
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
	bc := record.NewBroadcaster()
	defer bc.Shutdown()
	bc.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: cs.CoreV1().Events("")})
	events := bc.NewRecorder(s, corev1.EventSource{Component: "bgplb-speaker", Host: f.NodeName})

	pub, err := k8s.NewPublisher(k8s.PublisherOptions{Client: c, Events: events, Namespace: f.Namespace,
		NodeName: f.NodeName, Sessions: rt.Sessions, ServiceUID: w.ServiceUID, Logger: logger,
		BFD: func(peer string) (string, string) { return link.state(peer), link.problem(peer) }})
	if err != nil {
		return err
	}
	obs, err := newObservability(f.NodeName, rt, link.m.Sessions)
	if err != nil {
		return err
	}
	loop, err := reconcile.New(reconcile.Options{
		Router: rt, Source: w, Namespace: f.Namespace, Routes: routes.Options{IgnoreExcludeLB: f.IgnoreExcludeLB},
		Interval: f.ReconcileInterval, Logger: logger,
		Observer: func(rep reconcile.Report) { link.observe(rep); pub.Observe(rep); obs.observe(rep) },
	})
	if err != nil {
		return err
	}
	obs.loop = loop

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	link.start(runCtx, func(bfdio.Event) { pub.Touch() })
	if err := w.OnChange(runCtx, loop.Trigger); err != nil {
		return err
	}
	if err := rt.Watch(runCtx, func(ev router.SessionEvent) {
		logger.Info("BGP session", "peer", ev.Peer, "state", ev.State, "lastError", ev.LastError)
		obs.metrics.Session(ev)
		pub.Touch()
	}); err != nil {
		return err
	}
	logger.Info("speaker starting", "version", version.Version, "node", f.NodeName, "namespace", f.Namespace,
		"lbClass", f.LBClass, "metrics", f.MetricsAddr, "secureMetrics", f.SecureMetricsAddr, "interval", f.ReconcileInterval)

	var wg sync.WaitGroup
	errc := make(chan error, 3)
	goRun := func(fn func() error) {
		wg.Add(1)
		go func() { defer wg.Done(); errc <- fn() }()
	}
	goRun(func() error { return w.Start(runCtx) })
	goRun(func() error { return obs.serve(runCtx, f.MetricsAddr, logger) })
	goRun(func() error {
		return securemetrics.Serve(runCtx, securemetrics.Options{Addr: f.SecureMetricsAddr, CertDir: f.MetricsCertDir,
			Gatherer: obs.reg, Config: cfg, Logger: logger})
	})
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		if w.WaitForSync(runCtx) {
			logger.Info("caches synced")
			_ = loop.Run(runCtx)
		}
	}()
	go pub.Run(runCtx)

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
		if runErr != nil {
			logger.Error("speaker component failed; shutting down", "error", runErr)
		}
	}
	cancel()
	<-loopDone
	link.wait() // AdminDown to every BFD peer before BGP goes (RFC 5882 §3.2: it keeps BGP up)
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), f.ShutdownTimeout)
	defer scancel()
	if err := loop.Shutdown(sctx); err != nil {
		runErr = errors.Join(runErr, err)
	}
	wg.Wait()
	logger.Info("speaker stopped")
	return runErr
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

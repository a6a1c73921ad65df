// Package k8s is the controller's Kubernetes adapter: controller-runtime reconcilers
// that feed config and controller/allocator from the apiserver and write
// the results back (Service status and annotation, events, IPAddressPool status,
// ConfigurationState), plus leader election, metrics and health endpoints. It is the
// only package under controller/ that imports client-go or controller-runtime.
package k8s

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlcfg "sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	apischeme "github.com/bgplb/bgplb/api/scheme"
	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/daemon/eventpace"
	"github.com/bgplb/bgplb/daemon/securemetrics"
)

// Defaults of Options.
const (
	DefaultMetricsAddr  = ":7472" // MetalLB's controller metrics port
	DefaultHealthAddr   = ":7473" // next to it; /healthz and /readyz
	LeaseName           = "bgplb-controller"
	EventSource         = "bgplb-controller"
	DefaultPoolInterval = time.Second
	// DefaultWorkers Service reconciles run at once: each waits for two writes
	// (status, then the pool annotation), so 16 keep a 2-core apiserver busy.
	DefaultWorkers = 16
	// EventRate and EventBurst pace the controller's events (IPAllocated, ...): a
	// single event goes out at once; 2,000 at a restart drain behind the status
	// writes instead of competing with them.
	EventRate  = 100
	EventBurst = 200
)

// alwaysRunnable runs on every replica, leader or not.
type alwaysRunnable func(context.Context) error

func (f alwaysRunnable) Start(ctx context.Context) error { return f(ctx) }
func (alwaysRunnable) NeedLeaderElection() bool          { return false }

// Options configure a Controller.
type Options struct {
	// Namespace holds the configuration, the ConfigurationState and the Lease;
	// default metallb-system.
	Namespace string
	// LBClass is --lb-class: "" manages Services without spec.loadBalancerClass.
	LBClass string
	// LeaderElect runs the reconcilers only while holding the Lease LeaseName.
	LeaderElect bool
	// MetricsAddr and HealthAddr are bind addresses; "0" disables the server.
	MetricsAddr, HealthAddr string
	// SecureMetricsAddr serves the same metrics over HTTPS behind TokenReview and
	// SubjectAccessReview (MetalLB's :9120); "" or "0" disables it. MetricsCertDir
	// holds its tls.crt and tls.key (empty: self-signed).
	SecureMetricsAddr, MetricsCertDir string
	// PprofAddr, when set, serves Go's /debug/pprof (off by default).
	PprofAddr string
	// PoolStatusInterval is the least time between two IPAddressPool status
	// rounds; default DefaultPoolInterval.
	PoolStatusInterval time.Duration
	// Workers is the number of concurrent Service reconciles; default DefaultWorkers.
	Workers int
	// Logger receives structured logs (keys: service, pool, ip, reason).
	Logger *slog.Logger
	// Webhook, when Addr is set, serves the validating admission webhook.
	Webhook WebhookOptions
}

// WebhookOptions configure the optional validating webhook (controller/webhook).
type WebhookOptions struct {
	// Addr is the HTTPS bind address (e.g. ":9443"); empty disables the webhook.
	Addr string
	// Service is the webhook's Service (the certificate's DNS names); Secret holds
	// the certificates; Config is the ValidatingWebhookConfiguration whose
	// caBundle is kept current.
	Service, Secret, Config string
	// ExtraIPs become IP SANs of the serving certificate (tests use 127.0.0.1).
	ExtraIPs []net.IP
}

// Controller is a configured, not yet started controller.
type Controller struct {
	mgr      manager.Manager
	st       *state
	col      *collector
	stopping *atomic.Bool // set when Start's context is done (see stopHandler)
}

// New builds the manager and registers the reconcilers; nothing runs until Start.
func New(cfg *rest.Config, opts Options) (*Controller, error) {
	opts.Namespace = cmp.Or(opts.Namespace, config.DefaultNamespace)
	opts.MetricsAddr = cmp.Or(opts.MetricsAddr, DefaultMetricsAddr)
	opts.HealthAddr = cmp.Or(opts.HealthAddr, DefaultHealthAddr)
	opts.PoolStatusInterval = cmp.Or(opts.PoolStatusInterval, DefaultPoolInterval)
	opts.Workers = cmp.Or(opts.Workers, DefaultWorkers)
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.HealthAddr == "0" {
		opts.HealthAddr = "" // controller-runtime's spelling of "off"
	}
	scheme, err := apischeme.New()
	if err != nil {
		return nil, err
	}
	stopping := new(atomic.Bool)
	ns := opts.Namespace
	inNS := cache.ByObject{Namespaces: map[string]cache.Config{ns: {}}}
	mgr, err := ctrl.NewManager(cfg, manager.Options{
		Scheme: scheme,
		Logger: logr.FromSlogHandler(stopHandler{Handler: opts.Logger.Handler(), stopping: stopping}),
		Cache: cache.Options{ByObject: map[client.Object]cache.ByObject{
			&v1beta1.IPAddressPool{}: inNS, &v1beta2.BGPPeer{}: inNS, &v1beta1.BGPAdvertisement{}: inNS,
			&v1beta1.L2Advertisement{}: inNS, &v1beta1.Community{}: inNS, &v1beta1.BFDProfile{}: inNS,
			&corev1.Secret{}: inNS,
		}},
		Metrics:                       metricsserver.Options{BindAddress: opts.MetricsAddr},
		HealthProbeBindAddress:        opts.HealthAddr,
		PprofBindAddress:              opts.PprofAddr,
		LeaderElection:                opts.LeaderElect,
		LeaderElectionID:              LeaseName,
		LeaderElectionNamespace:       ns,
		LeaderElectionReleaseOnCancel: true,
		Controller:                    ctrlcfg.Controller{SkipNameValidation: ptr(true)}, // tests run several managers in one process
		GracefulShutdownTimeout:       ptr(10 * time.Second),
	})
	if err != nil {
		return nil, fmt.Errorf("controller manager: %w", err)
	}
	c := &Controller{mgr: mgr, st: newState(), stopping: stopping}
	if a := opts.SecureMetricsAddr; a != "" && a != "0" {
		err := mgr.Add(everyReplica(func(ctx context.Context) error {
			return securemetrics.Serve(ctx, securemetrics.Options{Addr: a, CertDir: opts.MetricsCertDir,
				Gatherer: ctrlmetrics.Registry, Config: cfg, Logger: opts.Logger})
		}))
		if err != nil {
			return nil, fmt.Errorf("secure metrics server: %w", err)
		}
	}
	if opts.Webhook.Addr != "" {
		if err := addWebhook(mgr, cfg, opts); err != nil {
			return nil, err
		}
	}
	if err := c.register(opts); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Controller) register(opts Options) error {
	mgr, log := c.mgr, opts.Logger
	pools := newPoolStatus(mgr.GetClient(), c.st.alloc, opts.Namespace, opts.PoolStatusInterval, log)
	if err := mgr.Add(pools); err != nil {
		return fmt.Errorf("pool status writer: %w", err)
	}
	// Events are paced (EventRate per second) behind the status writes, never
	// dropped silently: see internal/eventpace.
	paced := eventpace.New(mgr.GetEventRecorderFor(EventSource), eventpace.Options{Rate: EventRate, Burst: EventBurst, Logger: log})
	if err := mgr.Add(alwaysRunnable(func(ctx context.Context) error { paced.Run(ctx); return nil })); err != nil {
		return fmt.Errorf("event pacer: %w", err)
	}
	var rec record.EventRecorder = paced
	cr := &configReconciler{client: mgr.GetClient(), reader: mgr.GetAPIReader(), events: rec, st: c.st,
		ns: opts.Namespace, lbClass: opts.LBClass, log: log, pools: pools}
	toConfig := handler.EnqueueRequestsFromMapFunc(func(context.Context, client.Object) []reconcile.Request {
		return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: opts.Namespace, Name: "config"}}}
	})
	// Status writes (ours to IPAddressPool) do not bump the generation, so they do
	// not re-run the config reconciler.
	specOnly := builder.WithPredicates(predicate.GenerationChangedPredicate{})
	b := ctrl.NewControllerManagedBy(mgr).Named("config").
		WithOptions(controller.Options{MaxConcurrentReconciles: 1}).
		Watches(&v1beta1.IPAddressPool{}, toConfig, specOnly).
		Watches(&v1beta2.BGPPeer{}, toConfig, specOnly).
		Watches(&v1beta1.BGPAdvertisement{}, toConfig, specOnly).
		Watches(&v1beta1.L2Advertisement{}, toConfig, specOnly).
		Watches(&v1beta1.Community{}, toConfig, specOnly).
		Watches(&v1beta1.BFDProfile{}, toConfig, specOnly).
		Watches(&corev1.Secret{}, toConfig).
		Watches(&corev1.Namespace{}, toConfig, builder.WithPredicates(predicate.LabelChangedPredicate{}))
	if err := b.Complete(counted{c.st, cr}); err != nil {
		return fmt.Errorf("config reconciler: %w", err)
	}
	sr := &serviceReconciler{client: mgr.GetClient(), events: rec, st: c.st, lbClass: opts.LBClass, log: log, pools: pools}
	err := ctrl.NewControllerManagedBy(mgr).Named("service").
		WithOptions(controller.Options{MaxConcurrentReconciles: opts.Workers}).
		For(&corev1.Service{}).
		WatchesRawSource(c.st.kick).
		Complete(counted{c.st, sr})
	if err != nil {
		return fmt.Errorf("service reconciler: %w", err)
	}
	err = ctrl.NewControllerManagedBy(mgr).Named("bgppeersummary").For(&v1beta2.BGPPeer{}).
		Complete(counted{c.st, &peerSummary{client: mgr.GetClient()}})
	if err != nil {
		return fmt.Errorf("BGPPeer summary: %w", err)
	}
	if opts.HealthAddr != "" {
		if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
			return fmt.Errorf("healthz: %w", err)
		}
		// Ready once a valid configuration is in force (on the leader) or, on a
		// standby replica, once its caches are up.
		if err := mgr.AddReadyzCheck("config", c.ready); err != nil {
			return fmt.Errorf("readyz: %w", err)
		}
	}
	c.col = newCollector(c.st)
	return nil
}

// Start runs the controller until ctx is cancelled. Its metrics are registered in
// controller-runtime's registry for that time.
func (c *Controller) Start(ctx context.Context) error {
	// A second Controller in one process (tests, two replicas side by side) finds
	// the names taken and runs without exporting its own numbers.
	if err := ctrlmetrics.Registry.Register(c.col); err == nil {
		defer ctrlmetrics.Registry.Unregister(c.col)
	} else if !errors.As(err, new(prometheus.AlreadyRegisteredError)) {
		return fmt.Errorf("register metrics: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { c.stopping.Store(true) })
	defer stop()
	return c.mgr.Start(ctx)
}

// Elected is closed when this replica leads (at once without leader election).
func (c *Controller) Elected() <-chan struct{} { return c.mgr.Elected() }

func (c *Controller) ready(*http.Request) error {
	select {
	case <-c.mgr.Elected():
	default:
		return nil // a standby is ready to take over as soon as its caches are
	}
	if !c.st.isReady() {
		return errors.New("no valid configuration loaded yet")
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// everyReplica is a runnable that runs on standby replicas too (a plain
// manager.RunnableFunc waits for leadership).
type everyReplica func(context.Context) error

func (f everyReplica) Start(ctx context.Context) error { return f(ctx) }
func (everyReplica) NeedLeaderElection() bool          { return false }

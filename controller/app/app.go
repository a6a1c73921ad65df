// Package app is the controller binary's body: flags, logging, client
// configuration and the run loop. cmd/controller only calls Run and exits.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/controller/k8s"
	"github.com/bgplb/bgplb/daemon/securemetrics"
	"github.com/bgplb/bgplb/internal/version"
)

// ErrUsage marks a command-line mistake (exit code 2); the message is already printed.
var ErrUsage = errors.New("usage")

// Flags are the controller's command-line settings.
type Flags struct {
	Kubeconfig  string
	Namespace   string
	LBClass     string
	LeaderElect bool
	MetricsAddr string
	// SecureMetricsAddr and MetricsCertDir: /metrics over HTTPS with authentication.
	SecureMetricsAddr, MetricsCertDir string
	HealthAddr                        string
	PprofAddr                         string
	LogLevel                          string
	QPS                               float64
	Burst                             int
	Version                           bool
	// Webhook: the optional validating webhook (empty Addr: off).
	WebhookAddr, WebhookService, WebhookSecret, WebhookConfig string
}

// Parse reads args (without the program name). Help goes to stderr and returns
// flag.ErrHelp.
func Parse(args []string, stderr io.Writer) (Flags, error) {
	var f Flags
	fs := flag.NewFlagSet("controller", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "controller: the IP-allocating controller of bgplb (MetalLB-compatible).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&f.Kubeconfig, "kubeconfig", "", "path to a kubeconfig; empty uses the in-cluster configuration")
	fs.StringVar(&f.Namespace, "namespace", config.DefaultNamespace, "namespace of the configuration, the ConfigurationState and the leader Lease")
	fs.StringVar(&f.LBClass, "lb-class", "", "manage only Services with this spec.loadBalancerClass (empty: only Services without one)")
	fs.BoolVar(&f.LeaderElect, "leader-elect", true, "run the reconcilers only while holding the Lease "+k8s.LeaseName+" (safe with several replicas)")
	fs.StringVar(&f.MetricsAddr, "metrics-addr", k8s.DefaultMetricsAddr, "Prometheus /metrics bind address (\"0\" disables)")
	fs.StringVar(&f.SecureMetricsAddr, "secure-metrics-addr", securemetrics.DefaultAddr, "/metrics over HTTPS, for bearer tokens allowed to get /metrics (MetalLB's port; \"0\" disables)")
	fs.StringVar(&f.MetricsCertDir, "metrics-cert-dir", "", "tls.crt and tls.key for --secure-metrics-addr (empty: self-signed)")
	fs.StringVar(&f.HealthAddr, "health-addr", k8s.DefaultHealthAddr, "/healthz and /readyz bind address (\"0\" disables)")
	fs.StringVar(&f.PprofAddr, "pprof-addr", "", "serve Go's /debug/pprof on this address, e.g. 127.0.0.1:6060 (empty: off)")
	fs.StringVar(&f.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.Float64Var(&f.QPS, "kube-api-qps", 1000, "client-side request rate limit towards the apiserver: a new Service costs two writes (status, pool annotation), so this allows qps/2 allocations per second; a restart with nothing to change makes no write at all; events are paced separately at 100/s")
	fs.IntVar(&f.Burst, "kube-api-burst", 2000, "client-side request burst towards the apiserver (a restart with 1,000 new Services waiting fits in one burst)")
	fs.StringVar(&f.WebhookAddr, "webhook-addr", "", "serve the validating admission webhook on this HTTPS address, e.g. :9443 (empty: off)")
	fs.StringVar(&f.WebhookService, "webhook-service", "bgplb-webhook", "the webhook's Service, named in its certificate")
	fs.StringVar(&f.WebhookSecret, "webhook-secret", "bgplb-webhook-cert", "Secret in --namespace holding the webhook's self-managed certificates")
	fs.StringVar(&f.WebhookConfig, "webhook-config", "bgplb-validating-webhook", "ValidatingWebhookConfiguration whose caBundle the controller keeps current")
	fs.BoolVar(&f.Version, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return f, err
		}
		return f, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return f, fmt.Errorf("%w: unexpected arguments %q", ErrUsage, fs.Args())
	}
	if _, err := parseLevel(f.LogLevel); err != nil {
		fmt.Fprintln(stderr, err)
		return f, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	return f, nil
}

// Run parses args and runs the controller until ctx is cancelled (SIGTERM in the
// binary), then shuts down gracefully: the reconcilers finish, the Lease is released.
// logger nil means JSON logs to stderr at --log-level.
func Run(ctx context.Context, logger *slog.Logger, args []string, stdout, stderr io.Writer) error {
	f, err := Parse(args, stderr)
	if err != nil {
		return err
	}
	if f.Version {
		fmt.Fprintln(stdout, "controller", version.Version)
		return nil
	}
	if logger == nil {
		lvl, _ := parseLevel(f.LogLevel)
		logger = slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: lvl}))
	}
	cfg, err := k8s.ClientConfig(f.Kubeconfig, float32(f.QPS), f.Burst, "bgplb-controller/"+version.Version)
	if err != nil {
		return err
	}
	c, err := k8s.New(cfg, k8s.Options{
		Namespace: f.Namespace, LBClass: f.LBClass, LeaderElect: f.LeaderElect,
		MetricsAddr: f.MetricsAddr, HealthAddr: f.HealthAddr, PprofAddr: f.PprofAddr, Logger: logger,
		SecureMetricsAddr: f.SecureMetricsAddr, MetricsCertDir: f.MetricsCertDir,
		Webhook: k8s.WebhookOptions{Addr: f.WebhookAddr, Service: f.WebhookService, Secret: f.WebhookSecret, Config: f.WebhookConfig},
	})
	if err != nil {
		return err
	}
	logger.Info("controller starting", "version", version.Version, "namespace", f.Namespace,
		"lbClass", f.LBClass, "leaderElect", f.LeaderElect, "metrics", f.MetricsAddr, "secureMetrics", f.SecureMetricsAddr, "health", f.HealthAddr)
	if err := c.Start(ctx); err != nil {
		return fmt.Errorf("controller: %w", err)
	}
	logger.Info("controller stopped")
	return nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("--log-level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

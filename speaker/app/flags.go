// Package app is the speaker binary's body: flags, logging, the Kubernetes
// watcher, the reconcile loop, the BGP router, status publishing, metrics and
// graceful shutdown. cmd/speaker only calls Run and exits.
package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/daemon/securemetrics"
	"github.com/bgplb/bgplb/speaker/reconcile"
)

// ErrUsage marks a command-line mistake (exit code 2); the message is already printed.
var ErrUsage = errors.New("usage")

// DefaultMetricsAddr is MetalLB's speaker metrics port.
const DefaultMetricsAddr = ":7472"

// Flags are the speaker's command-line settings.
type Flags struct {
	NodeName        string
	Kubeconfig      string
	Namespace       string
	LBClass         string
	IgnoreExcludeLB bool
	MetricsAddr     string
	// SecureMetricsAddr and MetricsCertDir: /metrics over HTTPS with authentication.
	SecureMetricsAddr string
	MetricsCertDir    string
	LogLevel          string
	ReconcileInterval time.Duration
	RouterID          string
	ShutdownTimeout   time.Duration
	Pprof             bool
	Version           bool
}

// Parse reads args (without the program name); getenv supplies NODE_NAME. Help
// goes to stderr and returns flag.ErrHelp.
func Parse(args []string, getenv func(string) string, stderr io.Writer) (Flags, error) {
	var f Flags
	fs := flag.NewFlagSet("speaker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "speaker: the per-node BGP speaker of bgplb (MetalLB-compatible).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&f.NodeName, "node-name", getenv("NODE_NAME"), "this node's name (default $NODE_NAME)")
	fs.StringVar(&f.Kubeconfig, "kubeconfig", "", "path to a kubeconfig; empty uses the in-cluster configuration")
	fs.StringVar(&f.Namespace, "namespace", config.DefaultNamespace, "namespace of the configuration, Secrets and ConfigurationState")
	fs.StringVar(&f.LBClass, "lb-class", "", "announce only Services with this spec.loadBalancerClass (empty: only Services without one)")
	fs.BoolVar(&f.IgnoreExcludeLB, "ignore-exclude-lb", false, "announce even from nodes labelled node.kubernetes.io/exclude-from-external-load-balancers")
	fs.StringVar(&f.MetricsAddr, "metrics-addr", DefaultMetricsAddr, "address of /metrics, /healthz and /readyz (\"0\" disables)")
	fs.StringVar(&f.SecureMetricsAddr, "secure-metrics-addr", securemetrics.DefaultAddr, "/metrics over HTTPS, for bearer tokens allowed to get /metrics (MetalLB's port; \"0\" disables)")
	fs.StringVar(&f.MetricsCertDir, "metrics-cert-dir", "", "tls.crt and tls.key for --secure-metrics-addr (empty: self-signed)")
	fs.StringVar(&f.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.DurationVar(&f.ReconcileInterval, "reconcile-interval", reconcile.DefaultInterval, "longest pause between two reconciles while events keep coming (the pause is 3x the last pass, so a single change is applied at once); events during a pause are batched")
	fs.StringVar(&f.RouterID, "router-id", "", "BGP router ID (IPv4); default a BGPPeer's routerID, else the Node's IPv4 InternalIP")
	fs.DurationVar(&f.ShutdownTimeout, "shutdown-timeout", 10*time.Second, "bound on the graceful shutdown of the BGP sessions")
	fs.BoolVar(&f.Pprof, "pprof", false, "also serve Go's /debug/pprof/ on --metrics-addr (off by default)")
	fs.BoolVar(&f.Version, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return f, err
		}
		return f, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	usage := func(format string, a ...any) (Flags, error) {
		msg := fmt.Sprintf(format, a...)
		fmt.Fprintln(stderr, msg)
		return f, fmt.Errorf("%w: %s", ErrUsage, msg)
	}
	if fs.NArg() > 0 {
		return usage("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if f.Version {
		return f, nil
	}
	if f.NodeName == "" {
		return usage("--node-name is required (or set NODE_NAME)")
	}
	if _, err := parseLevel(f.LogLevel); err != nil {
		return usage("%v", err)
	}
	if f.ReconcileInterval <= 0 {
		return usage("--reconcile-interval must be positive")
	}
	if f.RouterID != "" {
		if a, err := netip.ParseAddr(f.RouterID); err != nil || !a.Is4() {
			return usage("--router-id %q: want an IPv4 address", f.RouterID)
		}
	}
	return f, nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("--log-level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

package serviceplane

import (
	"github.com/bgplb/bgplb/topologies/command"

	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sort"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Options configure New. Nodes and one of RESTConfig or Kubeconfig are required.
type Options struct {
	// RESTConfig reaches the lab apiserver; when nil, Kubeconfig is read.
	RESTConfig *rest.Config
	// Kubeconfig is the path of the lab's admin kubeconfig.
	Kubeconfig string
	// Nodes maps each lab k8s node name to its network namespace.
	Nodes map[string]string
	// Addresses are the nodes' lab addresses for the EndpointSlices. A node
	// missing here uses the InternalIP addresses of its Node object.
	Addresses map[string][]netip.Addr
	// Runner runs `ip`; default command.OS.
	Runner Runner
	// Logger receives progress and problems; default discards.
	Logger *slog.Logger
	// RetryAfter is the wait before a failed reconcile is retried; default 1s.
	RetryAfter time.Duration
}

// ServicePlane is the lab's stand-in for kube-proxy, kubelet and pods. It is
// built by New and does its work in Run.
type ServicePlane struct {
	cfg     *rest.Config
	client  kubernetes.Interface
	nodes   map[string]string
	addrs   map[string][]netip.Addr
	run     Runner
	log     *slog.Logger
	retry   time.Duration
	apiAddr string

	// Owned by Run's goroutine only.
	have      State
	servers   map[Listener]*http.Server
	forwarder []*forwarder
	findings  string
}

// New checks the options and builds the API client; it touches no namespace.
func New(opts Options) (*ServicePlane, error) {
	var errs []error
	if len(opts.Nodes) == 0 {
		errs = append(errs, errors.New("serviceplane: Options.Nodes is empty: name at least one k8s node and its namespace"))
	}
	for n, ns := range opts.Nodes {
		if n == "" || ns == "" || strings.ContainsAny(ns, "/") {
			errs = append(errs, fmt.Errorf("serviceplane: Options.Nodes[%q] = %q: need a node name and a namespace name under %s", n, ns, NetnsDir))
		}
	}
	cfg := opts.RESTConfig
	if cfg == nil {
		if opts.Kubeconfig == "" {
			errs = append(errs, errors.New("serviceplane: set Options.RESTConfig or Options.Kubeconfig"))
		} else {
			c, err := clientcmd.BuildConfigFromFlags("", opts.Kubeconfig)
			if err != nil {
				errs = append(errs, fmt.Errorf("serviceplane: kubeconfig: %w", err))
			}
			cfg = c
		}
	}
	var apiAddr string
	if cfg != nil {
		a, err := loopbackHostPort(cfg.Host)
		if err != nil {
			errs = append(errs, err)
		}
		apiAddr = a
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("serviceplane: client: %w", err)
	}
	sp := &ServicePlane{
		cfg: cfg, client: client, nodes: opts.Nodes, addrs: opts.Addresses,
		run: opts.Runner, log: opts.Logger, retry: opts.RetryAfter, apiAddr: apiAddr,
		have:    State{Bindings: map[Binding]bool{}, Listeners: map[Listener]bool{}},
		servers: map[Listener]*http.Server{},
	}
	if sp.run == nil {
		sp.run = command.OS{}
	}
	if sp.log == nil {
		sp.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if sp.retry == 0 {
		sp.retry = time.Second
	}
	return sp, nil
}

// loopbackHostPort is the host:port of an apiserver URL on a loopback IP: the
// only kind a node namespace can mirror on its own 127.0.0.1 (or ::1).
func loopbackHostPort(server string) (string, error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", fmt.Errorf("serviceplane: apiserver URL %q: %w", server, err)
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "443"
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.IsLoopback() {
		return "", fmt.Errorf("serviceplane: apiserver URL %q: host must be a loopback IP (the lab runs it on 127.0.0.1)", server)
	}
	return net.JoinHostPort(ip.String(), port), nil
}

// namespaces are the node namespaces in a stable order.
func (sp *ServicePlane) namespaces() []string {
	out := make([]string, 0, len(sp.nodes))
	for _, ns := range sp.nodes {
		out = append(out, ns)
	}
	sort.Strings(out)
	return out
}

// startForwarders brings lo up in every node namespace (a fresh namespace has
// it down, and with it 127.0.0.1) and opens the API forwarder there.
func (sp *ServicePlane) startForwarders(ctx context.Context) error {
	for _, ns := range sp.namespaces() {
		if _, err := sp.run.Run(ctx, command.New("ip", "-n", ns, "link", "set", "lo", "up")); err != nil {
			return fmt.Errorf("serviceplane: namespace %s: %w", ns, err)
		}
		f, err := startForwarder(ctx, ns, sp.apiAddr, sp.log)
		if err != nil {
			return fmt.Errorf("serviceplane: %w", err)
		}
		sp.forwarder = append(sp.forwarder, f)
		sp.log.Debug("api forwarder listening", "namespace", ns, "address", sp.apiAddr)
	}
	return nil
}

func (sp *ServicePlane) stopForwarders() {
	for _, f := range sp.forwarder {
		f.Close()
	}
	sp.forwarder = nil
}

package serviceplane

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"sort"
	"strings"
)

// Main is the service plane as a program, for the lab to run as a tracked host
// process (the hidden `bgplb lab agent` command calls it):
//
//	agent --kubeconfig out/lab/two-dc/kubeconfig \
//	      --node node1=<netns> --node node2=<netns> \
//	      [--address node1=192.0.2.11 ...] [--log-level debug]
//
// It runs until ctx ends (the caller cancels it on SIGTERM/SIGINT) and
// returns 0 then, 1 when the service plane fails, 2 for bad arguments.
// stdout is unused today: logs go to stderr, which the lab sends to the
// process's log file.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	_ = stdout
	opts, level, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "lab agent: %v\n", err)
		return 2
	}
	opts.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	sp, err := New(opts)
	if err != nil {
		fmt.Fprintf(stderr, "lab agent: %v\n", err)
		return 2
	}
	if err := sp.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "lab agent: %v\n", err)
		return 1
	}
	return 0
}

// pairs collects repeated NAME=VALUE flags.
type pairs map[string][]string

func (p pairs) String() string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		for _, v := range p[k] {
			out = append(out, k+"="+v)
		}
	}
	return strings.Join(out, ",")
}

func (p pairs) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" || v == "" {
		return fmt.Errorf("%q: want NAME=VALUE", s)
	}
	p[k] = append(p[k], v)
	return nil
}

func parseArgs(args []string, stderr io.Writer) (Options, slog.Level, error) {
	fs := flag.NewFlagSet("lab agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kubeconfig := fs.String("kubeconfig", "", "admin kubeconfig of the lab apiserver (required)")
	nodes, addrs := pairs{}, pairs{}
	fs.Var(nodes, "node", "k8s node and its network namespace, NODE=NETNS (repeat per node)")
	fs.Var(addrs, "address", "a node's lab address for EndpointSlices, NODE=IP (repeatable; default: the Node object's InternalIP)")
	levelName := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return Options{}, 0, err
	}
	var errs []error
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	if *kubeconfig == "" {
		errs = append(errs, errors.New("--kubeconfig is required"))
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*levelName)); err != nil {
		errs = append(errs, fmt.Errorf("--log-level %q: want debug, info, warn or error", *levelName))
	}
	opts := Options{Kubeconfig: *kubeconfig, Nodes: map[string]string{}, Addresses: map[string][]netip.Addr{}}
	for n, nss := range nodes {
		if len(nss) > 1 {
			errs = append(errs, fmt.Errorf("--node %s given %d times: one namespace per node", n, len(nss)))
		}
		opts.Nodes[n] = nss[0]
	}
	for n, ips := range addrs {
		if _, ok := nodes[n]; !ok {
			errs = append(errs, fmt.Errorf("--address %s=...: no --node %s=NETNS", n, n))
		}
		for _, s := range ips {
			ip, err := netip.ParseAddr(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("--address %s=%s: not an IP address", n, s))
				continue
			}
			opts.Addresses[n] = append(opts.Addresses[n], ip)
		}
	}
	return opts, level, errors.Join(errs...)
}

package cli

import (
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/config/manifest"
	"github.com/bgplb/bgplb/topologies/intent"
	"github.com/bgplb/bgplb/topologies/intent/fromconfig"
	"github.com/bgplb/bgplb/topologies/kinds"
)

type routerConfigFlags struct {
	kind, namespace, peer, name string
	paths, nodeAddrs            []string
	routerASN, maxPrefix        uint32
	routerAddr, routerID        string
	gtsm                        bool
}

func newRouterConfigCmd(s Streams) *cobra.Command {
	var f routerConfigFlags
	cmd := &cobra.Command{
		Use:   "router-config --kind frr|bird|gobgp|openbgpd|vyos|eos|iosxe -f MANIFESTS [-f ...]",
		Short: "Generate the upstream router's side of a bgplb/MetalLB configuration",
		Long: `router-config reads the same manifests the cluster gets, validates them like the
controller does (refusing on errors), and prints the configuration of the router at the
other end of a BGPPeer: a passive neighbor per node with the peer's password, timers, BFD
profile and multihop; a prefix-list accepting the pools up to the advertisements'
aggregation length; route-maps that set each advertisement's localPref on routes carrying
its communities (LOCAL_PREF does not cross eBGP, so the router applies it); a
maximum-prefix derived from the pools; and GTSM on request.

The router's AS number and address default to the chosen BGPPeer's peerASN and
peerAddress. Node addresses come from --node-address or from Node objects in the input.
Findings and notes go to standard error; the configuration alone to standard output.

Exit status: 0 printed, 1 invalid configuration or nothing to render, 2 bad usage or input.`,
		Example: `  bgplb router-config --kind frr -f examples/guide/multi-router/ --peer dc1-router-primary \
      --node-address 192.0.2.10 --node-address 192.0.2.11 --node-address 192.0.2.12`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRouterConfig(f, s.In, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.kind, "kind", "frr", "router kind: frr, bird, gobgp, openbgpd, vyos, eos or iosxe (and their aliases)")
	fl.StringArrayVarP(&f.paths, "filename", "f", nil, "manifest file, directory or - for stdin (repeatable)")
	fl.StringVar(&f.peer, "peer", "", "the BGPPeer that describes this router (needed when there are several)")
	fl.Uint32Var(&f.routerASN, "router-asn", 0, "the router's AS number (default the peer's peerASN)")
	fl.StringVar(&f.routerAddr, "router-address", "", "the router's address (default the peer's peerAddress)")
	fl.StringVar(&f.routerID, "router-id", "", "the router's BGP identifier (default its IPv4 address)")
	fl.StringVar(&f.name, "name", "", "the router's host name (default the peer's name)")
	fl.StringArrayVar(&f.nodeAddrs, "node-address", nil, "a node's address (repeatable; default the InternalIPs of Node objects in the input)")
	fl.Uint32Var(&f.maxPrefix, "max-prefix", 0, "maximum-prefix per session (default: what the pools can announce)")
	fl.BoolVar(&f.gtsm, "gtsm", false, "enable GTSM (RFC 5082 TTL security) on the speaker sessions")
	fl.StringVar(&f.namespace, "namespace", config.DefaultNamespace, "the product's namespace; objects without one are placed there")
	return cmd
}

func usage(format string, a ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf("router-config: "+format, a...)}
}

func runRouterConfig(f routerConfigFlags, in io.Reader, out, errOut io.Writer) error {
	reg := kinds.Registry()
	k, err := reg.Router(f.kind)
	if err != nil {
		return usage("--kind %q: want one of %s", f.kind, strings.Join(reg.Names(), ", "))
	}
	if len(f.paths) == 0 {
		return usage("at least one -f MANIFESTS is required")
	}
	opts := fromconfig.Options{Peer: f.peer, RouterASN: f.routerASN, Name: f.name, MaxPrefix: f.maxPrefix, GTSM: f.gtsm}
	for _, a := range []struct {
		flag, val string
		dst       *netip.Addr
	}{{"--router-address", f.routerAddr, &opts.RouterAddress}, {"--router-id", f.routerID, &opts.RouterID}} {
		if a.val == "" {
			continue
		}
		ip, err := netip.ParseAddr(a.val)
		if err != nil {
			return usage("%s %q: not an IP address", a.flag, a.val)
		}
		*a.dst = ip
	}
	for _, s := range f.nodeAddrs {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return usage("--node-address %q: not an IP address", s)
		}
		opts.Nodes = append(opts.Nodes, fromconfig.Node{Name: ip.String(), Addresses: []netip.Addr{ip}})
	}
	set, err := manifest.Load(f.paths, in)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	for _, is := range set.Issues {
		fmt.Fprintln(errOut, "warning:", is)
	}
	res := set.Resources(f.namespace)
	cfg, findings := config.For(res, config.Options{Namespace: f.namespace})
	for _, fd := range findings {
		fmt.Fprintln(errOut, fd)
	}
	if cfg == nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("router-config: the configuration has %d error(s); fix them first (bgplb lint shows them with file:line)", len(findings.Errors()))}
	}
	if len(opts.Nodes) == 0 {
		opts.Nodes = fromconfig.NodesFrom(res.Nodes)
	}
	built, err := fromconfig.Build(cfg, opts)
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("router-config: %w", err)}
	}
	for _, n := range built.Notes {
		fmt.Fprintln(errOut, "note:", n)
	}
	files, err := k.Render(built.Router)
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("router-config: %w", err)}
	}
	return writeFiles(out, files)
}

// writeFiles prints one file as it is, several each under a "# file: NAME" header.
func writeFiles(w io.Writer, files []intent.File) error {
	for _, file := range files {
		if len(files) > 1 {
			if _, err := fmt.Fprintf(w, "# file: %s\n", file.Path); err != nil {
				return err
			}
		}
		content := string(file.Content)
		if !strings.HasSuffix(content, "\n") {
			content += "\n"
		}
		if _, err := io.WriteString(w, content); err != nil {
			return err
		}
	}
	return nil
}

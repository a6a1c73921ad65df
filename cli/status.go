package cli

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/bgplb/bgplb/cli/status"
)

func newStatusCmd(s Streams, now func() time.Time) *cobra.Command {
	var f clusterFlags
	cmd := &cobra.Command{
		Use:   "status [--kubeconfig FILE] [-n NAMESPACE] [-o table|json]",
		Short: "Show sessions, announcements and configuration validity of a cluster",
		Long: `status reads a cluster's bgplb objects and shows:

  configuration  the configuration core's verdict on the objects as they are now, with
                 every finding, and the ConfigurationState each component wrote
  sessions       per node and peer: the BGP session state, uptime, BFD state, prefixes
                 advertised (as the speaker reports them in BGPPeer status.nodes) over
                 prefixes desired (as the configuration says), and the last error
  services       per LoadBalancer Service: its IPs, its pool (metallb.io/ip-allocated-
                 from-pool), which nodes announce it to which peers, and why the others
                 do not, with the speaker's own reasons

Announcements are recomputed from the cluster's objects with the speakers' own code
(config.For, then routes.Desired for every node), so they explain a node whose speaker
is down as well as one that is up. It reads the configuration, Secrets and
ConfigurationStates in the namespace, and Nodes, Namespaces, Services and EndpointSlices
cluster-wide.

-o json writes one object with these stable fields:
  namespace
  configuration: valid, findings[], components[] {name, result, lastError, inForce, findings[]}
      (a finding: severity, code, kind, name, field, message, hint)
  nodes[]: name, reason, sessions[] {peer, address, runs, reason, state, since,
      uptimeSeconds, bfd, advertisedPrefixes, desiredPrefixes, lastError}
  services[]: name, ips[], pool, trafficPolicy, note,
      announced[] and notAnnounced[] {node, peer, ip, reason, advertisement}
      (a decision without peer holds for every peer of the node)

Exit status: 0 shown (whatever the cluster's state), 2 bad usage or unreadable cluster.`,
		Example: `  bgplb status
  bgplb status --kubeconfig ~/.kube/lab -o json | jq '.services[] | {name, notAnnounced}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.checkOutput("status", "table", "json"); err != nil {
				return err
			}
			objs, err := f.read(cmd.Context())
			if err != nil {
				return err
			}
			snap := objs.Snapshot(f.options(false))
			report := status.Build(&snap, status.Options{Now: now()})
			write := report.WriteTable
			if f.output == "json" {
				write = report.WriteJSON
			}
			if err := write(s.Out); err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table or json")
	return cmd
}

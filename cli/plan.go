package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/bgplb/bgplb/cli/cluster"
	"github.com/bgplb/bgplb/cli/plan"
	"github.com/bgplb/bgplb/config/manifest"
)

func newPlanCmd(s Streams) *cobra.Command {
	var (
		f         clusterFlags
		paths     []string
		fromPaths []string
	)
	cmd := &cobra.Command{
		Use:   "plan -f NEW_CONFIG [-f ...] [--kubeconfig FILE | --from FILES] [-o text|json]",
		Short: "Show what applying a new configuration would change, before applying it",
		Long: `plan compares the current configuration — a cluster's (--kubeconfig, default
$KUBECONFIG then ~/.kube/config) or one read from files (--from, with the Services and
Nodes those files hold) — with the configuration that applying the -f documents would
make: each new document replaces the current object of the same kind, namespace and
name, or is added (nothing is deleted). It reports:

  findings   every finding of the resulting configuration, as the controller and
             speakers judge it (lint's rules, without Nodes), placed at the new
             documents' FILE:LINE
  services   Services that would lose or change their address (outside every pool that
             may hand it out, or refused by a serviceAllocation), gain one (pending), or
             move to a pool of another name — the controller's allocator replayed over
             the current addresses with the new pools, in key order
  nodes      per node and peer, the prefixes that would be withdrawn, announced, or
             re-sent with other communities or LOCAL_PREF (the speakers' own
             routes.Desired, old against new), and the sessions that would be opened,
             closed, updated in place or reset

Services read from files have no EndpointSlices; plan assumes each has a ready endpoint
on every node, so that announcements can be compared at all.

-o json writes one object with these stable fields:
  valid, disruptive, notes[]
  findings[]: severity, code, kind, name, field, message, hint, location
  services[]: service, change (lost|changed|gained|pool), oldIPs[], newIPs[], oldPool,
      newPool, reason, disruptive, announcedFrom[], notAnnounced[] (reasons when no
      node would announce the new addresses)
  nodes[]: node, peersAdded[], peersRemoved[], sessions[] {peer, fields[], reset},
      routes[] {peer, withdrawn[], added[] {prefix, localPref, communities[]},
      changed[] {prefix, old, new}}

Exit status: 0 nothing disruptive, 1 the new configuration has errors, 2 bad usage or
unreadable input, 3 disruptive (an address lost or changed, a prefix withdrawn, a
session reset or closed).`,
		Example: `  bgplb plan -f pools.yaml
  bgplb plan -f new/ --from current/ -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.checkOutput("plan", "text", "json"); err != nil {
				return err
			}
			if len(paths) == 0 {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("plan: at least one -f NEW_CONFIG is required")}
			}
			if len(fromPaths) > 0 && cmd.Flags().Changed("kubeconfig") {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("plan: --from and --kubeconfig are alternatives; give one")}
			}
			newSet, err := manifest.Load(paths, s.In)
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: err}
			}
			cur, err := currentObjects(cmd, &f, fromPaths, s)
			if err != nil {
				return err
			}
			p := plan.Compute(cluster.PlanInput(cur, newSet, f.options(len(fromPaths) > 0)))
			return writePlan(p, f.output, s)
		},
	}
	f.register(cmd)
	cmd.Flags().StringArrayVarP(&paths, "filename", "f", nil, "new configuration: file, directory or - for stdin (repeatable)")
	cmd.Flags().StringArrayVar(&fromPaths, "from", nil, "current configuration from files instead of a cluster (repeatable)")
	cmd.Flags().StringVarP(&f.output, "output", "o", "text", "output format: text or json")
	return cmd
}

func currentObjects(cmd *cobra.Command, f *clusterFlags, fromPaths []string, s Streams) (cluster.Objects, error) {
	if len(fromPaths) == 0 {
		return f.read(cmd.Context())
	}
	set, err := manifest.Load(fromPaths, s.In)
	if err != nil {
		return cluster.Objects{}, &ExitError{Code: ExitUsage, Err: err}
	}
	return cluster.FromSet(set, f.namespace), nil
}

func writePlan(p plan.Plan, output string, s Streams) error {
	write := p.WriteText
	if output == "json" {
		write = p.WriteJSON
	}
	if err := write(s.Out); err != nil {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	switch {
	case !p.Valid:
		return &ExitError{Code: ExitFailure}
	case p.Disruptive:
		return &ExitError{Code: ExitDisruptive}
	}
	return nil
}

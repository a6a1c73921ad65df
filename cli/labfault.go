package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bgplb/bgplb/topologies/backend"
)

// faultKinds are the faults a lab takes, in the order help lists them.
var faultKinds = []backend.FaultKind{backend.FaultLinkDown, backend.FaultLinkUp, backend.FaultFreeze, backend.FaultThaw,
	backend.FaultKill, backend.FaultRestart, backend.FaultPartition, backend.FaultHeal}

func newLabFaultCmd(s Streams, f *labFlags) *cobra.Command {
	var node, process string
	cmd := &cobra.Command{
		Use:   "fault KIND TARGET",
		Short: "Inject or heal a failure: link-down|link-up LINK, freeze|thaw|kill|restart NODE, partition|heal SITE",
		Long: `fault breaks (or mends) one thing in a running lab, as the scenarios do:

  link-down, link-up LINK   a link's ends go down or up (--node: only that node's end)
  freeze, thaw NODE         SIGSTOP / SIGCONT the node's processes (--process: one only);
                            returns once the kernel has stopped (or resumed) them
  kill NODE                 SIGKILL the node's processes (--process: one only)
  restart NODE              stop and start the node's routing daemons or --process
  partition, heal SITE      every link leaving the site goes down, or comes back

Link names are in 'lab status -o json'; freezing a k8s node's speaker is
'fault freeze n1 --process speaker'.`,
		Example: `  bgplb lab fault freeze n1 --process speaker
  bgplb lab fault partition dc1
  bgplb lab fault heal dc1`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind := backend.FaultKind(args[0])
			if !slices.Contains(faultKinds, kind) {
				names := make([]string, len(faultKinds))
				for i, k := range faultKinds {
					names[i] = string(k)
				}
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("lab fault: unknown kind %q: want one of %s", args[0], strings.Join(names, ", "))}
			}
			b, err := f.newBackend(s)
			if err != nil {
				return err
			}
			name := f.labName(nil)
			if err := b.Fault(cmd.Context(), name, backend.Fault{Kind: kind, Target: args[1], Node: node, Process: process}); err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			fmt.Fprintf(s.Out, "lab %s: %s %s done\n", name, kind, args[1])
			return nil
		},
	}
	cmd.Flags().StringVar(&node, "node", "", "for link faults: act on this node's end only")
	cmd.Flags().StringVar(&process, "process", "", "for freeze, thaw, kill and restart: this process only (e.g. speaker, bgpd)")
	return cmd
}

package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/bgplb/bgplb/cli/lint"
	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/config/manifest"
)

func newLintCmd(s Streams) *cobra.Command {
	var (
		paths     []string
		output    string
		namespace string
	)
	cmd := &cobra.Command{
		Use:   "lint -f PATH [-f PATH ...] [-o text|json] [--namespace NS]",
		Short: "Check MetalLB/bgplb manifests as one complete configuration",
		Long: `Lint reads manifests (files, directories of *.yaml/*.yml/*.json, or - for stdin;
multi-document YAML) and checks them together as one complete configuration, with the
same rules the controller and speaker apply. A reference to an object that is not in the
input is an error. Secrets, Nodes and Namespaces in the input are used to resolve
references; documents of other kinds (Deployments, ServiceMonitors...) are skipped.

Exit status: 0 valid (warnings allowed), 1 errors found, 2 unreadable input or bad usage.`,
		Example: `  bgplb lint -f examples/guide/multi-router/
  kubectl get ipaddresspools,bgppeers,bgpadvertisements,communities,bfdprofiles -n metallb-system -o yaml | bgplb lint -f - -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(paths) == 0 {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("lint: at least one -f PATH is required")}
			}
			if output != "text" && output != "json" {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("lint: -o must be text or json, not %q", output)}
			}
			set, err := manifest.Load(paths, s.In)
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: err}
			}
			report := lint.Lint(set, lint.Options{Namespace: namespace})
			write := report.WriteText
			if output == "json" {
				write = report.WriteJSON
			}
			if err := write(cmd.OutOrStdout()); err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			if !report.Valid {
				return &ExitError{Code: ExitFailure} // the report already says why
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&paths, "filename", "f", nil, "manifest file, directory or - for stdin (repeatable)")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	cmd.Flags().StringVar(&namespace, "namespace", config.DefaultNamespace, "the product's namespace; objects without one are placed there")
	return cmd
}

package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/bgplb/bgplb/cli/cluster"
	"github.com/bgplb/bgplb/config"
)

// clusterFlags are the flags of the subcommands that read a cluster (status, plan).
type clusterFlags struct {
	kubeconfig      string
	namespace       string
	lbClass         string
	ignoreExcludeLB bool
	output          string
}

func (f *clusterFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file (default $KUBECONFIG, then ~/.kube/config)")
	fl.StringVarP(&f.namespace, "namespace", "n", config.DefaultNamespace, "the product's namespace (configuration, Secrets, ConfigurationStates)")
	fl.StringVar(&f.lbClass, "lb-class", "", "the components' --lb-class: which LoadBalancer Services are bgplb's")
	fl.BoolVar(&f.ignoreExcludeLB, "ignore-exclude-lb", false, "the speakers' --ignore-exclude-lb")
}

// checkOutput validates -o against the formats a subcommand writes.
func (f *clusterFlags) checkOutput(cmd string, formats ...string) error {
	for _, ok := range formats {
		if f.output == ok {
			return nil
		}
	}
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: -o must be one of %v, not %q", cmd, formats, f.output)}
}

func (f *clusterFlags) options(assumeEndpoints bool) cluster.Options {
	return cluster.Options{Namespace: f.namespace, LBClass: f.lbClass, IgnoreExcludeLB: f.ignoreExcludeLB, AssumeEndpoints: assumeEndpoints}
}

// read lists the cluster's objects. An unreachable or unreadable cluster is
// unreadable input (exit 2), not a finding.
func (f *clusterFlags) read(ctx context.Context) (cluster.Objects, error) {
	c, err := cluster.Connect(f.kubeconfig)
	if err != nil {
		return cluster.Objects{}, &ExitError{Code: ExitUsage, Err: err}
	}
	objs, err := cluster.Read(ctx, c, f.namespace)
	if err != nil {
		return cluster.Objects{}, &ExitError{Code: ExitUsage, Err: err}
	}
	return objs, nil
}

// Package cli is the bgplb command line: one file per subcommand, each a thin layer
// of flags over the package that does the work.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/bgplb/bgplb/internal/version"
)

// Streams are the standard streams, injected so commands can be tested in memory.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// Exit codes shared by every subcommand.
const (
	ExitOK      = 0
	ExitFailure = 1 // the command ran and found a problem (an invalid config, a failed check)
	ExitUsage   = 2 // bad flags or unreadable input
	// ExitDisruptive is plan's verdict when applying would cost traffic (an address
	// lost, a prefix withdrawn, a session reset).
	ExitDisruptive = 3
)

// ExitError carries a specific exit code out of a subcommand. Its message, when not
// empty, is printed to standard error.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Run executes the bgplb command line and returns the process exit code.
func Run(ctx context.Context, args []string, s Streams) int {
	root := newRoot(s)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintln(s.Err, "bgplb:", ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintln(s.Err, "bgplb:", err)
	return ExitUsage
}

func newRoot(s Streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "bgplb",
		Short:         "bgplb: a MetalLB-compatible BGP load balancer, its lab and its operator tools",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "bgplb", version.Version)
		},
	})
	// One line per subcommand, each defined in its own file: the whole tree at a glance.
	root.AddCommand(
		newLintCmd(s),
		newLabCmd(s),
		newRouterConfigCmd(s),
		newStatusCmd(s, time.Now),
		newPlanCmd(s),
	)
	return root
}

package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/bgplb/bgplb/topologies"
	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/backend/clab"
	"github.com/bgplb/bgplb/topologies/backend/netns"
	"github.com/bgplb/bgplb/topologies/lab"
	"github.com/bgplb/bgplb/topologies/serviceplane"
)

// labFlags are shared by the lab subcommands.
type labFlags struct {
	root    string
	repo    string
	backend string
	name    string
}

func (f *labFlags) register(cmd *cobra.Command) {
	cmd.PersistentFlags().StringVar(&f.root, "root", "out/lab", "directory holding the labs' state, configs and logs")
	cmd.PersistentFlags().StringVar(&f.repo, "repo", ".", "repository root (deploy/crds, bin/, .cache/bin)")
	cmd.PersistentFlags().StringVar(&f.backend, "backend", "netns", "lab backend: netns (namespaces, no Docker) or clab (containerlab + kind, needs Docker)")
	cmd.PersistentFlags().StringVar(&f.name, "lab", "", "lab name (default: the only lab that is up, else "+topologies.Default+")")
}

func (f *labFlags) newBackend(s Streams) (backend.Backend, error) {
	switch f.backend {
	case "netns":
		return netns.New(netns.Options{Root: f.root, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}), nil
	case "clab":
		// Capabilities fails at once, naming every missing tool, on a machine without
		// Docker, containerlab or kind.
		return clab.New(clab.Options{Root: f.root, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}), nil
	}
	return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("--backend %q: want netns or clab", f.backend)}
}

// labName is the lab a command acts on.
func (f *labFlags) labName(args []string) string {
	if len(args) > 0 && args[0] != "" {
		return args[0]
	}
	if f.name != "" {
		return f.name
	}
	if up := lab.Running(f.root); len(up) == 1 {
		return up[0]
	}
	return topologies.Default
}

func newLabCmd(s Streams) *cobra.Command {
	f := &labFlags{}
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "Bring a test lab up and down: routers, Kubernetes nodes, clients and a control plane",
	}
	f.register(cmd)
	cmd.AddCommand(newLabUpCmd(s, f), newLabDownCmd(s, f), newLabStatusCmd(s, f), newLabExecCmd(s, f),
		newLabLogsCmd(s, f), newLabFaultCmd(s, f), newLabApplyCmd(s, f), newLabTopologiesCmd(s), newLabAgentCmd(s))
	return cmd
}

func newLabUpCmd(s Streams, f *labFlags) *cobra.Command {
	var topo string
	var noDemo bool
	var noStatus bool
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Bring a lab up (default topology " + topologies.Default + ") and print its status",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := f.newBackend(s)
			if err != nil {
				return err
			}
			self, err := os.Executable()
			if err != nil {
				return err
			}
			start := time.Now()
			progress := func(step string) {
				fmt.Fprintf(s.Err, "[%5.1fs] %s\n", time.Since(start).Seconds(), step)
			}
			rec, err := lab.Up(cmd.Context(), lab.Options{Topology: topo, Root: f.root, RepoDir: f.repo, Backend: b,
				AgentArgs: []string{self, "lab", "agent"}, NoDemo: noDemo, Progress: progress})
			if err != nil {
				if rec != nil {
					err = fmt.Errorf("%w\n(run `bgplb lab down %s` to clean up; logs are in %s)", err, rec.Name, rec.Dir)
				}
				return &ExitError{Code: ExitFailure, Err: err}
			}
			for _, st := range rec.Steps {
				fmt.Fprintf(s.Err, "  %-45s %6.2fs\n", st.Name, st.Duration.Seconds())
			}
			if noStatus {
				return nil
			}
			progress("waiting for the BGP sessions and the Service routes (at most 60s)")
			if _, err := lab.Settle(cmd.Context(), lab.StatusOptions{Name: rec.Name, Root: f.root, Backend: b}, 60*time.Second, 500*time.Millisecond); err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			return printStatus(cmd.Context(), s, f, b, rec.Name, "table")
		},
	}
	cmd.Flags().StringVarP(&topo, "topology", "t", topologies.Default, "shipped topology name or a topology file")
	cmd.Flags().BoolVar(&noDemo, "no-demo", false, "do not create the demo LoadBalancer Service")
	cmd.Flags().BoolVar(&noStatus, "no-status", false, "do not print the status at the end")
	return cmd
}

func newLabDownCmd(s Streams, f *labFlags) *cobra.Command {
	var keepLogs bool
	cmd := &cobra.Command{
		Use:   "down [LAB]",
		Short: "Stop and remove a lab (safe to repeat; also cleans a crashed `lab up`)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := f.newBackend(s)
			if err != nil {
				return err
			}
			name := f.labName(args)
			start := time.Now()
			if err := lab.Down(cmd.Context(), lab.DownOptions{Name: name, Root: f.root, Backend: b, KeepLogs: keepLogs}); err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			fmt.Fprintf(s.Out, "lab %s is down (%.2fs)\n", name, time.Since(start).Seconds())
			return nil
		},
	}
	cmd.Flags().BoolVar(&keepLogs, "keep-logs", false, "keep the logs under <root>/<lab>/logs")
	return cmd
}

func newLabStatusCmd(s Streams, f *labFlags) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "status [LAB]",
		Short: "Nodes, BGP and BFD sessions, VIP routes per router, Services",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "table" && output != "json" {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("-o %q: want table or json", output)}
			}
			b, err := f.newBackend(s)
			if err != nil {
				return err
			}
			return printStatus(cmd.Context(), s, f, b, f.labName(args), output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	return cmd
}

func printStatus(ctx context.Context, s Streams, f *labFlags, b backend.Backend, name, output string) error {
	st, err := lab.ReadStatus(ctx, lab.StatusOptions{Name: name, Root: f.root, Backend: b})
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	if output == "json" {
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	if err := lab.WriteTable(s.Out, st); err != nil {
		return err
	}
	for _, n := range st.Nodes {
		if n.Role == "client" {
			self := os.Args[0] // as the user ran it: bin/bgplb from make
			switch ip := demoIP(st); {
			case ip == "":
				fmt.Fprintf(s.Out, "\ntry (once the demo Service has an IP, which needs the controller): %s lab exec %s -- curl -s http://<VIP>/\n", self, n.Name)
			case len(st.Routes) == 0:
				fmt.Fprintf(s.Out, "\ntry: %s lab exec %s -- curl -s http://%s/\n(no router has a route to %s yet: it answers once the speakers announce it)\n", self, n.Name, ip, ip)
			default:
				fmt.Fprintf(s.Out, "\ntry: %s lab exec %s -- curl -s http://%s/\n", self, n.Name, ip)
			}
			break
		}
	}
	return nil
}

func demoIP(st *lab.Status) string {
	for _, svc := range st.Services {
		if svc.Namespace == "default" && svc.Name == lab.Demo && len(svc.IPs) > 0 {
			return svc.IPs[0]
		}
	}
	return ""
}

func newLabExecCmd(s Streams, f *labFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "exec NODE -- CMD [ARGS...]",
		Short: "Run a command in a node (for routers, vtysh/birdc/gobgp reach its daemon)",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := f.newBackend(s)
			if err != nil {
				return err
			}
			name := f.labName(nil)
			if err := lab.Exec(cmd.Context(), b, name, args[0], args[1:], backend.ExecIO{Stdin: s.In, Stdout: s.Out, Stderr: s.Err}); err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			return nil
		},
	}
}

func newLabLogsCmd(s Streams, f *labFlags) *cobra.Command {
	var follow bool
	cmd := &cobra.Command{
		Use:   "logs NODE",
		Short: "Print a node's logs (" + lab.ControlPlaneNode + ": etcd and apiserver; " + lab.HostNode + ": controller and service plane)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := f.newBackend(s)
			if err != nil {
				return err
			}
			files, err := lab.LogFiles(cmd.Context(), b, f.root, f.labName(nil), args[0])
			if err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			offsets := map[string]int64{}
			for _, file := range files {
				data, err := os.ReadFile(file)
				if err != nil {
					continue
				}
				fmt.Fprintf(s.Out, "==> %s <==\n%s", file, data)
				if len(data) > 0 && !strings.HasSuffix(string(data), "\n") {
					fmt.Fprintln(s.Out)
				}
				offsets[file] = int64(len(data))
			}
			if !follow {
				return nil
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return lab.Follow(ctx, s.Out, files, offsets)
		},
	}
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing what is appended")
	return cmd
}

func newLabTopologiesCmd(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "topologies",
		Short: "List the shipped topologies",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			ts, err := lab.Shipped()
			if err != nil {
				return err
			}
			for _, t := range ts {
				def := ""
				if t.Default {
					def = " (default)"
				}
				fmt.Fprintf(s.Out, "%-16s %s%s\n", t.Name, t.Description, def)
			}
			return nil
		},
	}
}

// newLabAgentCmd runs the lab's service plane: a LAB PART the orchestrator starts as a
// host process; hidden because no user runs it by hand.
func newLabAgentCmd(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:                "agent",
		Short:              "Run the lab's service plane (started by `lab up`)",
		Hidden:             true,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if code := serviceplane.Main(ctx, args, s.Out, s.Err); code != 0 {
				return &ExitError{Code: code}
			}
			return nil
		},
	}
}

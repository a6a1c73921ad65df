package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/bgplb/bgplb/config/manifest"
	"github.com/bgplb/bgplb/topologies/lab"
)

func newLabApplyCmd(s Streams, f *labFlags) *cobra.Command {
	var paths []string
	var del bool
	cmd := &cobra.Command{
		Use:   "apply -f PATH [-f PATH ...] [--delete]",
		Short: "Server-side-apply manifests to the lab's API (or delete them), as kubectl would",
		Example: `  bgplb lab up -t guide
  bgplb lab apply -f examples/guide/basic/
  bgplb lab apply -f examples/guide/basic/ --delete`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(paths) == 0 {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("lab apply: at least one -f PATH is required")}
			}
			data, err := readManifests(paths, s.In)
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: err}
			}
			name := f.labName(nil)
			c, err := lab.Client(f.root, name)
			if err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			var done []string
			past := "applied"
			if del {
				past = "deleted"
				done, err = lab.DeleteManifests(cmd.Context(), c, data)
			} else {
				done, err = lab.ApplyManifests(cmd.Context(), c, lab.FieldManager, data)
			}
			for _, d := range done {
				fmt.Fprintf(s.Out, "%s %s\n", d, past)
			}
			if err != nil {
				return &ExitError{Code: ExitFailure, Err: fmt.Errorf("lab %s: %w", name, err)}
			}
			if !del {
				fmt.Fprintf(s.Out, "what the controller made of it: %s status --kubeconfig %s/%s/kubeconfig\n", os.Args[0], f.root, name)
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&paths, "filename", "f", nil, "manifest file, directory or - for stdin (repeatable)")
	cmd.Flags().BoolVar(&del, "delete", false, "delete the objects the manifests name instead (missing ones are fine)")
	return cmd
}

// readManifests reads the files the paths stand for into one YAML stream.
func readManifests(paths []string, stdin io.Reader) ([]byte, error) {
	var out bytes.Buffer
	for _, p := range paths {
		files, err := manifest.Expand(p)
		if err != nil {
			return nil, err
		}
		for _, file := range files {
			var data []byte
			if file == "-" {
				data, err = io.ReadAll(stdin)
			} else {
				data, err = os.ReadFile(file)
			}
			if err != nil {
				return nil, err
			}
			out.WriteString("\n---\n")
			out.Write(data)
		}
	}
	return out.Bytes(), nil
}

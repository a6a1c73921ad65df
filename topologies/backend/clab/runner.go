package clab

import (
	"context"

	"github.com/bgplb/bgplb/topologies/command"
)

// Runner runs docker, containerlab, kind and ip; command.OS is the real one. The
// backend and its deployer never call os/exec themselves, so tests record and script
// every command.
type Runner interface {
	// Run runs c and returns its standard output; standard error is kept apart
	// (containerlab and kind log there, which would corrupt JSON output) and is carried
	// in the error when the command fails.
	Run(ctx context.Context, c command.Cmd) ([]byte, error)
	// LookPath reports where name is on PATH, or an error when it is not.
	LookPath(name string) (string, error)
}

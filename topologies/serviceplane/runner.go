package serviceplane

import (
	"context"

	"github.com/bgplb/bgplb/topologies/command"
)

// Runner runs external commands (here: `ip`); command.OS is the real one. The service
// plane never calls os/exec itself, so tests can record the commands it would run.
type Runner interface {
	Run(ctx context.Context, c command.Cmd) ([]byte, error)
}

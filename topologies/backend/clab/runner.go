// Package clab is the containerlab + kind deployer of the lab: it writes the rendered
// topology and kind configs under out/lab/<name>/clab/ and drives the kind, containerlab
// and docker CLIs through an injected Runner. It needs Docker, so it runs on users'
// machines; the lab's own machines (no Docker engine) exercise it through a recording
// Runner in unit tests and through Check, which fails at once with what is missing.
package clab

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// Runner runs external commands. The deployer never calls os/exec directly, so tests
// can record and script every command.
type Runner interface {
	// Run runs name with args and returns its standard output. Standard error is kept
	// apart (containerlab and kind log there, which would corrupt JSON output) and is
	// carried in the error when the command fails.
	Run(ctx context.Context, name string, args ...string) ([]byte, error)
	// LookPath reports where name is on PATH, or an error when it is not.
	LookPath(name string) (string, error)
}

// OSRunner runs commands on this machine.
type OSRunner struct{}

// Run implements Runner with os/exec.
func (OSRunner) Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	c := exec.CommandContext(ctx, name, args...)
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return stdout.Bytes(), fmt.Errorf("%w: %s", err, msg)
		}
		return stdout.Bytes(), err
	}
	return stdout.Bytes(), nil
}

// LookPath implements Runner with exec.LookPath.
func (OSRunner) LookPath(name string) (string, error) { return exec.LookPath(name) }

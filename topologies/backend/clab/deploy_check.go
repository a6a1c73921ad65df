package clab

import (
	"github.com/bgplb/bgplb/topologies/command"

	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrMissingTools is wrapped by Check's error, so callers can tell "this machine cannot
// run the backend" from a failed deployment.
var ErrMissingTools = errors.New("missing prerequisites")

// KindVersion is the kind release whose config API (v1alpha4) kindcluster.go
// renders; it is the version go.mod requires.
const KindVersion = "v0.30.0"

// checkTimeout bounds `docker info`: a client without a daemon answers at once, but a
// hung daemon socket must not hang `lab up`.
const checkTimeout = 15 * time.Second

// Check verifies that Docker's daemon answers and that containerlab and kind are on
// PATH. It returns one error naming everything missing and how to get it.
func (d *Deployer) Check(ctx context.Context) error {
	var missing []string
	if _, err := d.run.LookPath("docker"); err != nil {
		missing = append(missing, "Docker (docker is not on PATH: install Docker Engine, https://docs.docker.com/engine/install/)")
	} else {
		cctx, cancel := context.WithTimeout(ctx, checkTimeout)
		_, err := d.run.Run(cctx, command.New("docker", "info", "--format", "{{.ServerVersion}}"))
		cancel()
		if err != nil {
			missing = append(missing, fmt.Sprintf("Docker (docker info failed: %s: start the Docker daemon, e.g. systemctl start docker)", firstLine(err)))
		}
	}
	if _, err := d.run.LookPath("containerlab"); err != nil {
		missing = append(missing, "containerlab (not on PATH: see https://containerlab.dev/install)")
	}
	if _, err := d.run.LookPath("kind"); err != nil {
		missing = append(missing, "kind (not on PATH: go install sigs.k8s.io/kind@"+KindVersion+")")
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%w: containerlab backend needs %s; or use the default backend: --backend netns",
		ErrMissingTools, joinAnd(missing))
}

// firstLine keeps a failed command's error to its first non-empty line: docker prints
// a paragraph of advice after the one line that matters.
func firstLine(err error) string {
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return err.Error()
}

// joinAnd joins items as "a, b and c".
func joinAnd(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

package clab

import (
	"github.com/bgplb/bgplb/topologies/command"

	"context"
	"errors"
	"io"
	"log/slog"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestCheckWithRealTools runs Check against this machine's real PATH and Docker socket.
// On the lab machines Docker's client exists but no daemon runs, and containerlab and
// kind are absent: Check must say so at once, naming each.
func TestCheckWithRealTools(t *testing.T) {
	d, err := NewDeployer(command.OS{}, slog.New(slog.NewTextHandler(io.Discard, nil)), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = d.Check(context.Background())
	took := time.Since(start)
	if err == nil {
		t.Skip("Docker, containerlab and kind are all usable here: nothing missing to report")
	}
	t.Logf("Check took %v: %v", took, err)
	if !errors.Is(err, ErrMissingTools) {
		t.Errorf("error does not wrap ErrMissingTools: %v", err)
	}
	if took > 5*time.Second {
		t.Errorf("Check took %v: it must fail fast", took)
	}
	var wants []string
	if _, lerr := exec.LookPath("docker"); lerr != nil {
		wants = append(wants, "Docker (docker is not on PATH")
	} else if exec.Command("docker", "info").Run() != nil {
		wants = append(wants, "Docker (docker info failed: ")
	}
	if _, lerr := exec.LookPath("containerlab"); lerr != nil {
		wants = append(wants, "containerlab (not on PATH: see https://containerlab.dev/install)")
	}
	if _, lerr := exec.LookPath("kind"); lerr != nil {
		wants = append(wants, "kind (not on PATH: go install sigs.k8s.io/kind@v0.30.0)")
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("message lacks %q:\n%v", w, err)
		}
	}
}

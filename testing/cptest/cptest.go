// Package cptest starts a real etcd + kube-apiserver for an integration test:
// skipped, saying why, with -short or when `make controlplane-tools` has not been
// run; stopped when the test ends.
package cptest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/bgplb/bgplb/topologies/controlplane"
)

// Start starts a control plane; repo is a directory inside the repository (for
// .cache/bin).
func Start(t testing.TB, repo string) *controlplane.ControlPlane {
	t.Helper()
	if testing.Short() {
		t.Skip("integration: needs the kube-apiserver build (not with -short)")
	}
	bins, err := controlplane.FindBinaries(controlplane.Binaries{}, os.Getenv, repo)
	if err != nil {
		t.Skipf("integration: control plane binaries missing (make controlplane-tools): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cp, err := controlplane.Start(ctx, controlplane.Options{Binaries: bins, StateDir: t.TempDir(), DieWithParent: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cp.Stop(); err != nil {
			t.Errorf("stop control plane: %v", err)
		}
	})
	return cp
}

package controlplane

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestIntegrationControlPlaneStop proves Stop leaves no process behind and
// keeps what the caller still needs (kubeconfig, logs).
func TestIntegrationControlPlaneStop(t *testing.T) {
	cp := startForTest(t, "")
	pids := cp.PIDs()
	if len(pids) != 2 {
		t.Fatalf("PIDs = %v, want etcd and kube-apiserver", pids)
	}
	for _, pid := range pids {
		if !alive(pid) {
			t.Fatalf("pid %d not running before Stop", pid)
		}
	}
	begin := time.Now()
	if err := cp.Stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("Stop took %v", time.Since(begin).Round(time.Millisecond))
	assertGone(t, pids)
	for _, f := range []string{"kubeconfig", "kube-apiserver.log", "etcd.log"} {
		if _, err := os.Stat(filepath.Join(cp.StateDir(), f)); err != nil {
			t.Errorf("Stop removed %s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(cp.StateDir(), pidFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("PID file still there after Stop: %v", err)
	}
}

// TestIntegrationControlPlaneCleanup stands in for a crashed run: the
// processes are left running and Cleanup, knowing only the state directory,
// must stop them; a new Start in the same directory then works.
func TestIntegrationControlPlaneCleanup(t *testing.T) {
	dir := t.TempDir()
	cp := startForTest(t, dir)
	pids := cp.PIDs()
	if err := Cleanup(dir); err != nil {
		t.Fatal(err)
	}
	assertGone(t, pids)
	if err := Cleanup(dir); err != nil {
		t.Errorf("second Cleanup: %v", err)
	}
	again := startForTest(t, dir)
	if len(again.PIDs()) != 2 {
		t.Errorf("restart in the same state dir: PIDs %v", again.PIDs())
	}
}

// TestIntegrationControlPlaneStartup prints the start times: the first start
// in a new state dir (binaries maybe not yet in the page cache), then a
// restart in the same dir (warm). Printed, not asserted: the machine is shared.
func TestIntegrationControlPlaneStartup(t *testing.T) {
	dir := t.TempDir()
	var times []time.Duration
	for i := range 3 {
		cp := startForTest(t, dir)
		times = append(times, cp.StartupDuration())
		begin := time.Now()
		if err := cp.Stop(); err != nil {
			t.Fatal(err)
		}
		t.Logf("start %d: ready in %v, stopped in %v", i+1,
			cp.StartupDuration().Round(time.Millisecond), time.Since(begin).Round(time.Millisecond))
	}
	fmt.Printf("controlplane startup: cold %v, warm %v, %v (etcd + kube-apiserver to /readyz ok)\n",
		times[0].Round(time.Millisecond), times[1].Round(time.Millisecond), times[2].Round(time.Millisecond))
}

func assertGone(t *testing.T, pids []int) {
	t.Helper()
	for _, pid := range pids {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil && alive(pid) {
			t.Errorf("pid %d still running", pid)
		}
	}
}

// recordingStarter remembers what it started, so a test can check processes
// that Start never handed back.
type recordingStarter struct{ procs []Process }

func (r *recordingStarter) Start(ctx context.Context, c Command) (Process, error) {
	p, err := ExecStarter{}.Start(ctx, c)
	if err == nil {
		r.procs = append(r.procs, p)
	}
	return p, err
}

// TestIntegrationControlPlaneFailedStart: an apiserver that dies at once makes
// Start fail fast with the log in the error, and the etcd it had already
// started is stopped.
func TestIntegrationControlPlaneFailedStart(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs etcd; skipped with -short")
	}
	bins, err := FindBinaries(Binaries{}, os.Getenv, ".")
	if err != nil {
		t.Skipf("control plane binaries missing: %v", err)
	}
	rec := &recordingStarter{}
	begin := time.Now()
	_, err = Start(t.Context(), Options{
		StateDir:      t.TempDir(),
		Binaries:      Binaries{APIServer: "/bin/false", Etcd: bins.Etcd},
		Starter:       rec,
		DieWithParent: true,
	})
	if err == nil || !strings.Contains(err.Error(), "kube-apiserver exited before the apiserver was ready") {
		t.Fatalf("Start with a dying apiserver: got %v", err)
	}
	t.Logf("failed in %v: %v", time.Since(begin).Round(time.Millisecond), err)
	if len(rec.procs) != 2 {
		t.Fatalf("started %d processes, want 2", len(rec.procs))
	}
	var pids []int
	for _, p := range rec.procs {
		pids = append(pids, p.PID())
	}
	assertGone(t, pids)
}

package controlplane

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
)

// waitReady polls /readyz until it answers "ok", a process exits, or the
// timeout or ctx ends. The error carries the tail of the process logs, which
// is where the reason always is.
func (cp *ControlPlane) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cfg := cp.RESTConfig()
	cfg.Timeout = 2 * time.Second
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("controlplane: client: %w", err)
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err == nil && strings.TrimSpace(string(body)) == "ok" {
			return nil
		}
		last = err
		for _, r := range cp.procs {
			select {
			case <-r.proc.Done():
				return fmt.Errorf("controlplane: %s exited before the apiserver was ready (%v):\n%s",
					r.name, r.proc.Err(), cp.logTail(r.name))
			default:
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("controlplane: apiserver not ready after %v (last: %v): %w\n%s",
				timeout, last, context.Cause(ctx), cp.logTail("kube-apiserver"))
		case <-tick.C:
		}
	}
}

// logTail returns the last lines of a process log, for error messages.
func (cp *ControlPlane) logTail(name string) string {
	const lines = 15
	path := filepath.Join(cp.stateDir, name+".log")
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", errors.Unwrap(err))
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return fmt.Sprintf("--- last lines of %s ---\n%s", path, strings.Join(all, "\n"))
}

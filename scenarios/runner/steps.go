package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/scenarios"
	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/controlplane"
	"github.com/bgplb/bgplb/topologies/lab"
	"github.com/bgplb/bgplb/topologies/procstat"
	"github.com/bgplb/bgplb/topologies/serviceplane"
)

// fieldOwner is the server-side-apply manager of what scenarios apply.
const fieldOwner = "bgplb-e2e"

// pollEvery is how often Await reads the lab's status.
const pollEvery = 200 * time.Millisecond

// Do performs one action.
func (l *Lab) Do(ctx context.Context, a scenarios.Action) error {
	switch {
	case a.Fault != nil:
		return l.Backend.Fault(ctx, l.Name, *a.Fault)
	case a.Apply != "":
		return l.Apply(ctx, a.Apply)
	case a.Delete != "":
		return l.Delete(ctx, a.Delete)
	case a.Label != nil:
		return l.label(ctx, *a.Label)
	case a.Backends != nil:
		return l.backends(ctx, *a.Backends)
	case a.Restart != nil:
		switch a.Restart.Process {
		case "speaker":
			return l.Backend.Fault(ctx, l.Name, backend.Fault{Kind: backend.FaultRestart, Target: a.Restart.Node, Process: "speaker"})
		case "controller":
			return lab.RestartHost(l.Record.Dir, "controller")
		}
		return fmt.Errorf("runner: restart of %q: want speaker or controller", a.Restart.Process)
	case a.ControlPlane != "":
		return l.controlPlane(a.ControlPlane)
	}
	return nil
}

// Await waits until every expectation holds (then, with hold, keeps holding for
// that long) or within passes; it returns how long they took to hold. The error
// names the expectation that failed last and what the lab showed.
func (l *Lab) Await(ctx context.Context, es []scenarios.Expectation, within, hold time.Duration) (time.Duration, error) {
	if len(es) == 0 && hold == 0 {
		return 0, nil // nothing to wait for; a status read could itself block on a frozen daemon
	}
	start := time.Now()
	deadline := start.Add(within)
	var last error
	var heldSince time.Time
	for {
		v, _, err := l.View(ctx)
		if err == nil {
			err = scenarios.All(v, es)
		}
		now := time.Now()
		switch {
		case err == nil && heldSince.IsZero():
			heldSince = now
			fallthrough
		case err == nil:
			if now.Sub(heldSince) >= hold {
				return heldSince.Sub(start), nil
			}
		case !heldSince.IsZero():
			return 0, fmt.Errorf("held for %s, then: %w", now.Sub(heldSince).Round(time.Millisecond), err)
		default:
			last = err
		}
		if now.After(deadline) {
			return 0, fmt.Errorf("not within %s: %w", within, last)
		}
		select {
		case <-ctx.Done():
			return 0, errors.Join(ctx.Err(), last)
		case <-time.After(pollEvery):
		}
	}
}

// Apply server-side-applies multi-document YAML; namespaced objects without a
// namespace go to the product's.
func (l *Lab) Apply(ctx context.Context, yaml string) error {
	_, err := lab.ApplyManifests(ctx, l.Client, fieldOwner, []byte(yaml))
	return err
}

// Delete deletes the objects the YAML names (missing ones are fine).
func (l *Lab) Delete(ctx context.Context, yaml string) error {
	_, err := lab.DeleteManifests(ctx, l.Client, []byte(yaml))
	return err
}

func (l *Lab) label(ctx context.Context, nl scenarios.NodeLabel) error {
	var value any = nl.Value
	if nl.Value == "" {
		value = nil // a merge patch removes the key
	}
	return l.mergePatch(ctx, &corev1.Node{}, types.NamespacedName{Name: nl.Node},
		map[string]any{"metadata": map[string]any{"labels": map[string]any{nl.Key: value}}})
}

func (l *Lab) backends(ctx context.Context, b scenarios.Backends) error {
	ns, name, ok := strings.Cut(b.Service, "/")
	if !ok {
		return fmt.Errorf("runner: service %q is not namespace/name", b.Service)
	}
	return l.mergePatch(ctx, &corev1.Service{}, types.NamespacedName{Namespace: ns, Name: name},
		map[string]any{"metadata": map[string]any{"annotations": map[string]any{
			serviceplane.AnnotationBackends: strings.Join(b.Nodes, ",")}}})
}

func (l *Lab) mergePatch(ctx context.Context, obj client.Object, key types.NamespacedName, patch map[string]any) error {
	obj.SetName(key.Name)
	obj.SetNamespace(key.Namespace)
	data, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	return l.Client.Patch(ctx, obj, client.RawPatch(types.MergePatchType, data))
}

// controlPlane freezes or thaws the lab's kube-apiserver: from the nodes' side
// the API is gone (connections hang, as behind a partition) while nothing of it
// is lost, so a thaw is a clean return.
func (l *Lab) controlPlane(what string) error {
	sig := map[string]syscall.Signal{"freeze": syscall.SIGSTOP, "thaw": syscall.SIGCONT}[what]
	if sig == 0 {
		return fmt.Errorf("runner: control plane action %q: want freeze or thaw", what)
	}
	pid, err := controlplane.PIDOf(l.Record.ControlPlane, "kube-apiserver")
	if err != nil {
		return err
	}
	if err := syscall.Kill(pid, sig); err != nil {
		return fmt.Errorf("runner: signal kube-apiserver (pid %d): %w", pid, err)
	}
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		st, err := procstat.Read(pid)
		if err != nil {
			return err
		}
		if st.Stopped() == (sig == syscall.SIGSTOP) {
			return nil
		}
	}
	return fmt.Errorf("runner: kube-apiserver did not %s within 2 s", what)
}

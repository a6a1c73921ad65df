package k8s

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/bgplb/bgplb/daemon/lister"
	"github.com/bgplb/bgplb/speaker/reconcile"
)

// ErrNotSynced is returned by Snapshot before the caches have listed once: an
// empty cache is not an empty cluster.
var ErrNotSynced = errors.New("k8s: caches not synced yet")

// Snapshot implements reconcile.Source from the caches. It fails only before the
// first sync (or when this Node is not in the cache): after that, the caches hold
// the last known state even while the apiserver is unreachable.
func (w *Watcher) Snapshot() (reconcile.Snapshot, error) {
	w.mu.Lock()
	synced := w.synced
	w.mu.Unlock()
	if !synced {
		return reconcile.Snapshot{}, ErrNotSynced
	}
	ctx := context.Background() // cache reads never block on the network
	var snap reconcile.Snapshot
	var node corev1.Node
	if err := w.cache.Get(ctx, types.NamespacedName{Name: w.o.NodeName}, &node); err != nil {
		return snap, fmt.Errorf("k8s: node %s: %w", w.o.NodeName, err)
	}
	snap.Node = NodeFrom(&node)
	if err := w.resources(ctx, &snap); err != nil {
		return snap, err
	}
	if err := w.services(ctx, &snap); err != nil {
		return snap, err
	}
	w.mu.Lock()
	w.nodeIP = NodeIPv4(&node)
	w.mu.Unlock()
	return snap, nil
}

func (w *Watcher) resources(ctx context.Context, snap *reconcile.Snapshot) error {
	r, err := lister.Resources(ctx, w.cache, w.o.Namespace, lister.Options{})
	if err != nil {
		return fmt.Errorf("k8s: %w", err)
	}
	snap.Resources = r
	return nil
}

// NodeIP returns this node's IPv4 address from the latest snapshot (zero if none).
func (w *Watcher) NodeIP() netip.Addr {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.nodeIP
}

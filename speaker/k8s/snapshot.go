package k8s

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
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
	r, err := ListResources(ctx, w.cache, w.o.Namespace)
	if err != nil {
		return fmt.Errorf("k8s: %w", err)
	}
	snap.Resources = r
	return nil
}

// ListResources lists the configuration objects and Secrets of namespace ns into the
// configuration core's snapshot, as the speaker reads them (bgplb status and plan
// read a cluster through it too, so both see the same kinds).
func ListResources(ctx context.Context, c client.Reader, ns string) (config.Resources, error) {
	var (
		r     config.Resources
		pools v1beta1.IPAddressPoolList
		peers v1beta2.BGPPeerList
		advs  v1beta1.BGPAdvertisementList
		l2s   v1beta1.L2AdvertisementList
		comms v1beta1.CommunityList
		bfds  v1beta1.BFDProfileList
		secs  corev1.SecretList
	)
	for _, l := range []client.ObjectList{&pools, &peers, &advs, &l2s, &comms, &bfds, &secs} {
		if err := c.List(ctx, l, client.InNamespace(ns)); err != nil {
			return r, fmt.Errorf("list %T: %w", l, err)
		}
	}
	r.Pools, r.Peers, r.BGPAdvertisements = pools.Items, peers.Items, advs.Items
	r.L2Advertisements, r.Communities, r.BFDProfiles, r.Secrets = l2s.Items, comms.Items, bfds.Items, secs.Items
	return r, nil
}

// NodeIP returns this node's IPv4 address from the latest snapshot (zero if none).
func (w *Watcher) NodeIP() netip.Addr {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.nodeIP
}

// Package lister reads the objects the configuration is built from out of a
// cluster (or a daemon's cache) into config.Resources. The controller, the
// speaker, `bgplb status`/`plan` and the lab's scenario runner all read through
// it, so they never disagree on what "the configuration" is.
package lister

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
)

// Options say what to list beyond the product namespace's objects.
type Options struct {
	// Namespaces also lists every Namespace: IPAddressPool serviceAllocation
	// selects namespaces by label (the controller needs them; the speaker does not).
	Namespaces bool
}

// Resources lists the metallb.io objects and Secrets of namespace ns.
func Resources(ctx context.Context, c client.Reader, ns string, o Options) (config.Resources, error) {
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
	if o.Namespaces {
		var nss corev1.NamespaceList
		if err := c.List(ctx, &nss); err != nil {
			return r, fmt.Errorf("list namespaces: %w", err)
		}
		r.Namespaces = nss.Items
	}
	return r, nil
}

package k8s

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
)

// snapshot lists every object the configuration is built from: the MetalLB kinds and
// Secrets in the product namespace, and all Namespaces (serviceAllocation selects
// them by label). It reads the manager's cache.
// Snapshot reads the configuration objects of namespace ns (and every Namespace,
// for serviceAllocation's namespaceSelectors) into config.Resources.
func Snapshot(ctx context.Context, c client.Reader, ns string) (config.Resources, error) {
	var (
		r     config.Resources
		pools v1beta1.IPAddressPoolList
		peers v1beta2.BGPPeerList
		advs  v1beta1.BGPAdvertisementList
		l2s   v1beta1.L2AdvertisementList
		comms v1beta1.CommunityList
		bfds  v1beta1.BFDProfileList
		secs  corev1.SecretList
		nss   corev1.NamespaceList
	)
	for _, l := range []client.ObjectList{&pools, &peers, &advs, &l2s, &comms, &bfds, &secs} {
		if err := c.List(ctx, l, client.InNamespace(ns)); err != nil {
			return r, fmt.Errorf("snapshot: list %T: %w", l, err)
		}
	}
	if err := c.List(ctx, &nss); err != nil {
		return r, fmt.Errorf("snapshot: list namespaces: %w", err)
	}
	r.Pools, r.Peers, r.BGPAdvertisements = pools.Items, peers.Items, advs.Items
	r.L2Advertisements, r.Communities, r.BFDProfiles = l2s.Items, comms.Items, bfds.Items
	r.Secrets, r.Namespaces = secs.Items, nss.Items
	return r, nil
}

// digest identifies what a snapshot says, ignoring what does not change the
// configuration (resource versions, status, managed fields, Namespaces), so that a reconcile
// triggered by a status write or a resync is recognised as "same config".
func digest(r config.Resources) string {
	type obj struct {
		Kind, Name string
		Labels     map[string]string
		Body       any
	}
	var objs []obj
	add := func(kind string, m metav1.ObjectMeta, body any) {
		objs = append(objs, obj{kind, m.Name, m.Labels, body})
	}
	for _, o := range r.Pools {
		add("IPAddressPool", o.ObjectMeta, o.Spec)
	}
	for _, o := range r.Peers {
		add("BGPPeer", o.ObjectMeta, o.Spec)
	}
	for _, o := range r.BGPAdvertisements {
		add("BGPAdvertisement", o.ObjectMeta, o.Spec)
	}
	for _, o := range r.L2Advertisements {
		add("L2Advertisement", o.ObjectMeta, o.Spec)
	}
	for _, o := range r.Communities {
		add("Community", o.ObjectMeta, o.Spec)
	}
	for _, o := range r.BFDProfiles {
		add("BFDProfile", o.ObjectMeta, o.Spec)
	}
	for _, o := range r.Secrets {
		add("Secret", o.ObjectMeta, o.Data)
	}
	// Namespaces are left out: their labels matter to allocation, which reads them
	// per Service, not to the pools, so a label change is not a new configuration.
	slices.SortFunc(objs, func(a, b obj) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
	data, err := json.Marshal(objs)
	if err != nil {
		// Only unmarshalable types fail here, and the API types are all plain data.
		panic(fmt.Sprintf("digest: %v", err))
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:6])
}

// objectFor returns the snapshot object a finding names, for a Warning event on it.
func objectFor(r *config.Resources, kind, name string) client.Object {
	pick := func(n int, nameAt func(int) string, objAt func(int) client.Object) client.Object {
		for i := range n {
			if nameAt(i) == name {
				return objAt(i)
			}
		}
		return nil
	}
	switch kind {
	case config.KindIPAddressPool:
		return pick(len(r.Pools), func(i int) string { return r.Pools[i].Name }, func(i int) client.Object { return &r.Pools[i] })
	case config.KindBGPPeer:
		return pick(len(r.Peers), func(i int) string { return r.Peers[i].Name }, func(i int) client.Object { return &r.Peers[i] })
	case config.KindBGPAdvertisement:
		return pick(len(r.BGPAdvertisements), func(i int) string { return r.BGPAdvertisements[i].Name }, func(i int) client.Object { return &r.BGPAdvertisements[i] })
	case config.KindL2Advertisement:
		return pick(len(r.L2Advertisements), func(i int) string { return r.L2Advertisements[i].Name }, func(i int) client.Object { return &r.L2Advertisements[i] })
	case config.KindCommunity:
		return pick(len(r.Communities), func(i int) string { return r.Communities[i].Name }, func(i int) client.Object { return &r.Communities[i] })
	case config.KindBFDProfile:
		return pick(len(r.BFDProfiles), func(i int) string { return r.BFDProfiles[i].Name }, func(i int) client.Object { return &r.BFDProfiles[i] })
	}
	return nil
}

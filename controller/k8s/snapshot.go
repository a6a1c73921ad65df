package k8s

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/daemon/lister"
)

// Snapshot reads the configuration objects of namespace ns, and every Namespace
// (serviceAllocation's namespaceSelectors), into config.Resources.
func Snapshot(ctx context.Context, c client.Reader, ns string) (config.Resources, error) {
	r, err := lister.Resources(ctx, c, ns, lister.Options{Namespaces: true})
	if err != nil {
		return r, fmt.Errorf("snapshot: %w", err)
	}
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

// Package cluster reads what bgplb status and bgplb plan need — the configuration
// objects, Secrets, Nodes, Namespaces, LoadBalancer Services, their EndpointSlices and
// the ConfigurationStates — from an apiserver or from manifest files, and translates
// them into a snapshot.Snapshot with the controller's and the speaker's own
// translators (controller/k8s.Translate, speaker/k8s.NodeFrom and ServiceFrom), so
// the pure cores see exactly what the components see.
package cluster

import (
	"context"
	"fmt"
	"maps"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	apischeme "github.com/bgplb/bgplb/api/scheme"
	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/config/manifest"
	"github.com/bgplb/bgplb/daemon/lister"
)

// Objects are the API objects as read, before translation.
type Objects struct {
	// Resources are the configuration objects plus Secrets, Nodes and Namespaces.
	Resources    config.Resources
	Services     []corev1.Service
	Slices       []discoveryv1.EndpointSlice
	ConfigStates []v1beta1.ConfigurationState
}

// FromSet takes the objects of a manifest set, placing those written without a
// namespace in ns (as `kubectl apply -n ns` would). Files carry no EndpointSlices.
func FromSet(set *manifest.Set, ns string) Objects {
	return Objects{Resources: set.Resources(ns), Services: set.Services(ns)}
}

// named is what overlay needs of an object.
type named[T any] interface {
	*T
	GetNamespace() string
	GetName() string
}

// Overlay returns cur with every object of next replacing the object of the same
// kind, namespace and name (or added when there is none): what `kubectl apply -f
// next` does to cur. Nothing is deleted. A BGPPeer is one object whatever its API
// version, so a v1beta1 BGPPeer in next replaces a v1beta2 one of the same name and
// the other way round. What applying a manifest never changes is kept from cur: the
// status of Services and Nodes, and the controller's pool annotation on Services.
func Overlay(cur, next Objects) Objects {
	r, n := cur.Resources, next.Resources
	out := cur
	out.Resources = config.Resources{
		Pools:             replace(r.Pools, n.Pools, nil),
		Peers:             replace(dropNamed(r.Peers, n.LegacyPeers), n.Peers, nil),
		LegacyPeers:       replace(dropNamed(r.LegacyPeers, n.Peers), n.LegacyPeers, nil),
		BGPAdvertisements: replace(r.BGPAdvertisements, n.BGPAdvertisements, nil),
		L2Advertisements:  replace(r.L2Advertisements, n.L2Advertisements, nil),
		Communities:       replace(r.Communities, n.Communities, nil),
		BFDProfiles:       replace(r.BFDProfiles, n.BFDProfiles, nil),
		Secrets:           replace(r.Secrets, n.Secrets, nil),
		Nodes:             replace(r.Nodes, n.Nodes, keepNodeStatus),
		Namespaces:        replace(r.Namespaces, n.Namespaces, nil),
	}
	out.Services = replace(cur.Services, next.Services, keepServiceState)
	out.Slices = replace(cur.Slices, next.Slices, nil)
	out.ConfigStates = replace(cur.ConfigStates, next.ConfigStates, nil)
	return out
}

// replace returns cur with each item of next in place of the item of the same
// namespace and name, appending the new ones in next's order; keep, when set, copies
// what the replaced item keeps into its replacement. cur is not modified.
func replace[T any, P named[T]](cur, next []T, keep func(old, repl *T)) []T {
	if len(next) == 0 {
		return cur
	}
	out := append([]T(nil), cur...)
	index := make(map[string]int, len(out))
	for i := range out {
		index[key[T, P](&out[i])] = i
	}
	for i := range next {
		k := key[T, P](&next[i])
		if j, ok := index[k]; ok {
			old := out[j]
			out[j] = next[i]
			if keep != nil {
				keep(&old, &out[j])
			}
			continue
		}
		index[k] = len(out)
		out = append(out, next[i])
	}
	return out
}

// dropNamed returns items without those sharing a namespace and name with any of by.
func dropNamed[T any, P named[T], U any, Q named[U]](items []T, by []U) []T {
	if len(by) == 0 {
		return items
	}
	gone := make(map[string]bool, len(by))
	for i := range by {
		gone[key[U, Q](&by[i])] = true
	}
	var out []T
	for i := range items {
		if !gone[key[T, P](&items[i])] {
			out = append(out, items[i])
		}
	}
	return out
}

func key[T any, P named[T]](o *T) string {
	p := P(o)
	return p.GetNamespace() + "/" + p.GetName()
}

// keepServiceState keeps a Service's status (the controller's addresses) and the
// controller's pool annotation, which the Service's manifest does not carry.
func keepServiceState(old, repl *corev1.Service) {
	repl.Status = old.Status
	if pool, ok := old.Annotations[config.AnnotationAllocatedFrom]; ok {
		repl.Annotations = maps.Clone(repl.Annotations)
		if repl.Annotations == nil {
			repl.Annotations = map[string]string{}
		}
		repl.Annotations[config.AnnotationAllocatedFrom] = pool
	}
}

// keepNodeStatus keeps a Node's conditions (NetworkUnavailable) and addresses.
func keepNodeStatus(old, repl *corev1.Node) { repl.Status = old.Status }

// Connect builds a client from a kubeconfig: the file given, else $KUBECONFIG, else
// ~/.kube/config (kubectl's rules), with the kubeconfig's current context.
func Connect(kubeconfig string) (client.Client, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	return newClient(cfg)
}

func newClient(cfg *rest.Config) (client.Client, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.UserAgent = "bgplb-cli"
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second // a one-shot command should fail, not hang
	}
	scheme, err := apischeme.New()
	if err != nil {
		return nil, err
	}
	return client.New(cfg, client.Options{Scheme: scheme})
}

// Read lists everything the operator tools need: configuration, Secrets and
// ConfigurationStates in ns; Nodes, Namespaces, Services and EndpointSlices
// cluster-wide (Services live in every namespace). Every list must succeed: a report
// built from half a cluster would explain announcements wrongly.
func Read(ctx context.Context, c client.Reader, ns string) (Objects, error) {
	res, err := lister.Resources(ctx, c, ns, lister.Options{})
	if err != nil {
		return Objects{}, fmt.Errorf("in %s: %w", ns, err)
	}
	var (
		states v1beta1.ConfigurationStateList
		nodes  corev1.NodeList
		nss    corev1.NamespaceList
		svcs   corev1.ServiceList
		eps    discoveryv1.EndpointSliceList
	)
	if err := c.List(ctx, &states, client.InNamespace(ns)); err != nil {
		return Objects{}, fmt.Errorf("list ConfigurationStates in %s: %w", ns, err)
	}
	for _, l := range []client.ObjectList{&nodes, &nss, &svcs, &eps} {
		if err := c.List(ctx, l); err != nil {
			return Objects{}, fmt.Errorf("list %T: %w", l, err)
		}
	}
	res.Nodes, res.Namespaces = nodes.Items, nss.Items
	return Objects{Resources: res, Services: svcs.Items, Slices: eps.Items, ConfigStates: states.Items}, nil
}

package k8s

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/netip"
	"sync"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/api/scheme"
	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
)

// Options configure a Watcher.
type Options struct {
	// Namespace is the product namespace (configuration objects and Secrets).
	Namespace string
	// NodeName is this node.
	NodeName string
	// LBClass is --lb-class.
	LBClass string
	Logger  *slog.Logger
}

// Watcher keeps informer caches of everything the speaker reads and turns them into
// reconcile.Snapshots. Caches outlive apiserver outages: a failed watch is retried
// by the informers while the cache keeps its last contents, so an outage never
// looks like "everything was deleted".
type Watcher struct {
	o     Options
	log   *slog.Logger
	cache cache.Cache

	mu     sync.Mutex
	synced bool
	// translated holds the latest snapshot's Services by key (see services.go).
	translated map[string]*translated
	nodeIP     netip.Addr
}

// kinds the snapshot reads from the product namespace.
func configLists() []client.ObjectList {
	return []client.ObjectList{&v1beta1.IPAddressPoolList{}, &v1beta2.BGPPeerList{}, &v1beta1.BGPAdvertisementList{},
		&v1beta1.L2AdvertisementList{}, &v1beta1.CommunityList{}, &v1beta1.BFDProfileList{}, &corev1.SecretList{}}
}

// NewWatcher builds the caches (nothing runs until Start). Services are watched with
// the field selector spec.type=LoadBalancer (kube-apiserver 1.30+), this Node by
// name, configuration and Secrets in the product namespace only.
func NewWatcher(cfg *rest.Config, o Options) (*Watcher, error) {
	if o.NodeName == "" {
		return nil, errors.New("k8s: node name is required")
	}
	if o.Namespace == "" {
		o.Namespace = config.DefaultNamespace
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s, err := scheme.New()
	if err != nil {
		return nil, err
	}
	ns := map[string]cache.Config{o.Namespace: {}}
	byObject := map[client.Object]cache.ByObject{
		&corev1.Service{}: {Field: fields.OneTermEqualSelector("spec.type", string(corev1.ServiceTypeLoadBalancer)),
			Transform: trimService},
		&discoveryv1.EndpointSlice{}: {Transform: trimSlice},
		&corev1.Node{}:               {Field: fields.OneTermEqualSelector("metadata.name", o.NodeName)},
		&corev1.Secret{}:             {Namespaces: ns},
		&v1beta1.IPAddressPool{}:     {Namespaces: ns},
		&v1beta2.BGPPeer{}:           {Namespaces: ns},
		&v1beta1.BGPAdvertisement{}:  {Namespaces: ns},
		&v1beta1.L2Advertisement{}:   {Namespaces: ns},
		&v1beta1.Community{}:         {Namespaces: ns},
		&v1beta1.BFDProfile{}:        {Namespaces: ns},
	}
	c, err := cache.New(cfg, cache.Options{
		Scheme: s, ByObject: byObject, DefaultTransform: stripManaged,
		// Snapshots only read; copying 100,000 Services per reconcile is the cost
		// this avoids. Nothing here modifies a cached object.
		DefaultUnsafeDisableDeepCopy: ptr.To(true),
	})
	if err != nil {
		return nil, fmt.Errorf("k8s: cache: %w", err)
	}
	return &Watcher{o: o, log: log, cache: c}, nil
}

// OnChange registers fn for every add, update and delete of every watched kind
// (the loop's Trigger). Call before Start.
func (w *Watcher) OnChange(ctx context.Context, fn func()) error {
	h := toolscache.ResourceEventHandlerFuncs{
		AddFunc: func(any) { fn() },
		UpdateFunc: func(old, cur any) {
			if !statusOnly(old, cur) {
				fn()
			}
		},
		DeleteFunc: func(any) { fn() },
	}
	objs := []client.Object{&corev1.Service{}, &discoveryv1.EndpointSlice{}, &corev1.Node{}, &corev1.Secret{},
		&v1beta1.IPAddressPool{}, &v1beta2.BGPPeer{}, &v1beta1.BGPAdvertisement{}, &v1beta1.L2Advertisement{},
		&v1beta1.Community{}, &v1beta1.BFDProfile{}}
	for _, o := range objs {
		inf, err := w.cache.GetInformer(ctx, o)
		if err != nil {
			return fmt.Errorf("k8s: informer for %T: %w", o, err)
		}
		if _, err := inf.AddEventHandler(h); err != nil {
			return fmt.Errorf("k8s: handler for %T: %w", o, err)
		}
	}
	return nil
}

// Start runs the informers until ctx is done.
func (w *Watcher) Start(ctx context.Context) error { return w.cache.Start(ctx) }

// WaitForSync blocks until every informer has listed once (or ctx is done).
func (w *Watcher) WaitForSync(ctx context.Context) bool {
	ok := w.cache.WaitForCacheSync(ctx)
	w.mu.Lock()
	w.synced = w.synced || ok
	w.mu.Unlock()
	return ok
}

// Reader gives read access to the caches (status writers read BGPPeers from it).
func (w *Watcher) Reader() client.Reader { return w.cache }

// statusOnly says an update changed nothing a speaker reads: a metallb.io object
// (all have a status subresource) whose generation, labels and annotations are as
// before. Without this, every status write — each speaker's BGPPeer nodes[] entry,
// the controller's IPAddressPool counters after each allocation — made every
// speaker reconcile: O(nodes) passes per write, O(nodes²) across the cluster.
func statusOnly(old, cur any) bool {
	o, ok1 := old.(client.Object)
	c, ok2 := cur.(client.Object)
	if !ok1 || !ok2 {
		return false
	}
	switch c.(type) {
	case *v1beta1.IPAddressPool, *v1beta2.BGPPeer, *v1beta1.BGPAdvertisement, *v1beta1.L2Advertisement,
		*v1beta1.Community, *v1beta1.BFDProfile:
	default: // a Service's status holds its IPs; Nodes, slices and Secrets have no spec generation
		return false
	}
	return c.GetGeneration() != 0 && o.GetGeneration() == c.GetGeneration() &&
		maps.Equal(o.GetLabels(), c.GetLabels()) && maps.Equal(o.GetAnnotations(), c.GetAnnotations())
}

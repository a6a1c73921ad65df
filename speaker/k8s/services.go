package k8s

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/types"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/speaker/reconcile"
	"github.com/bgplb/bgplb/speaker/routes"
)

// translated is one Service's translation and the resource versions it was made
// from. A snapshot re-translates a Service only when its own version or one of its
// EndpointSlices' changed: with thousands of Services, translating all of them on
// every pass was the largest share of a single change's cost (pprof, 4,000 Services).
type translated struct {
	rv       string
	sliceRVs []string // in the order of slicesOf
	uid      types.UID
	svc      routes.Service
}

func (t *translated) current(svc *corev1.Service, sl []*discoveryv1.EndpointSlice) bool {
	return t.rv == svc.ResourceVersion && slices.EqualFunc(t.sliceRVs, sl,
		func(rv string, s *discoveryv1.EndpointSlice) bool { return rv == s.ResourceVersion })
}

// services fills snap.Services from the caches, reusing the previous pass's
// translations of unchanged Services. It walks the informers' stores directly: a
// typed List copies every cached object into a new slice, O(Services) of memory
// traffic per pass for objects that are only read.
func (w *Watcher) services(ctx context.Context, snap *reconcile.Snapshot) error {
	svcs, err := w.stored(ctx, &corev1.Service{})
	if err != nil {
		return err
	}
	eps, err := w.stored(ctx, &discoveryv1.EndpointSlice{})
	if err != nil {
		return err
	}
	byService := make(map[string][]*discoveryv1.EndpointSlice, len(svcs))
	for _, o := range eps {
		s, ok := o.(*discoveryv1.EndpointSlice)
		if !ok {
			continue
		}
		if name := s.Labels[discoveryv1.LabelServiceName]; name != "" {
			k := s.Namespace + "/" + name
			byService[k] = append(byService[k], s)
		}
	}
	w.mu.Lock()
	prev := w.translated
	w.mu.Unlock()
	next := make(map[string]*translated, len(svcs))
	snap.Services = make([]routes.Service, 0, len(svcs))
	for _, o := range svcs {
		svc, ok := o.(*corev1.Service)
		if !ok || !Handles(svc, w.o.LBClass) {
			continue
		}
		k := svc.Namespace + "/" + svc.Name
		sl := slicesOf(byService[k])
		t := prev[k]
		if t == nil || !t.current(svc, sl) {
			t = &translated{rv: svc.ResourceVersion, uid: svc.UID, svc: ServiceFrom(svc, sl, w.log)}
			for _, s := range sl {
				t.sliceRVs = append(t.sliceRVs, s.ResourceVersion)
			}
		}
		next[k] = t
		snap.Services = append(snap.Services, t.svc)
	}
	w.mu.Lock()
	w.translated = next
	w.mu.Unlock()
	return nil
}

// slicesOf orders a Service's EndpointSlices by name, so that the endpoints (and
// the versions compared) do not depend on the store's map order.
func slicesOf(sl []*discoveryv1.EndpointSlice) []*discoveryv1.EndpointSlice {
	if len(sl) > 1 {
		slices.SortFunc(sl, func(a, b *discoveryv1.EndpointSlice) int { return cmp.Compare(a.Name, b.Name) })
	}
	return sl
}

// stored returns the objects in the informer store of obj's kind, uncopied: callers
// only read them.
func (w *Watcher) stored(ctx context.Context, obj client.Object) ([]any, error) {
	inf, err := w.cache.GetInformer(ctx, obj)
	if err != nil {
		return nil, fmt.Errorf("k8s: informer for %T: %w", obj, err)
	}
	s, ok := inf.(interface{ GetStore() toolscache.Store })
	if !ok {
		return nil, fmt.Errorf("k8s: informer for %T has no store (%T)", obj, inf)
	}
	return s.GetStore().List(), nil
}

// ServiceUID returns the UID of a Service of the latest snapshot (for events).
func (w *Watcher) ServiceUID(key string) types.UID {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t := w.translated[key]; t != nil {
		return t.uid
	}
	return ""
}

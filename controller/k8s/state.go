package k8s

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/bgplb/bgplb/controller/allocator"
)

// state is what the reconcilers share: the allocator, whether the start-up pass has
// run, the configuration in force, and the Services waiting for something (the
// start-up pass, or free addresses after an allocation failure).
type state struct {
	alloc *allocator.Allocator
	kick  *kicker

	mu      sync.Mutex
	ready   bool                // start-up pass done: new allocations allowed
	parked  map[string]struct{} // Services seen before ready
	failed  map[string]string   // Services without addresses -> last reported error
	loaded  bool                // a valid config has been in force at least once
	stale   bool                // the latest config is invalid; the last good one stays
	inForce string              // identity of the config in force
	digest  string              // digest of the snapshot in force

	updates, updateErrs atomic.Uint64 // reconciles run and failed (metrics)
}

func newState() *state {
	return &state{
		alloc:  allocator.New(),
		kick:   &kicker{},
		parked: map[string]struct{}{},
		failed: map[string]string{},
	}
}

// admit reports whether Services may be converged yet; if not it parks key so the
// end of the start-up pass re-queues it.
func (s *state) admit(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ready {
		s.parked[key] = struct{}{}
	}
	return s.ready
}

// open ends the start-up phase and re-queues every parked Service.
func (s *state) open() {
	s.mu.Lock()
	s.ready = true
	keys := slices.Collect(maps.Keys(s.parked))
	clear(s.parked)
	s.mu.Unlock()
	s.kick.enqueue(keys...)
}

func (s *state) isReady() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ready
}

// lastErr returns the allocation error last reported for key.
func (s *state) lastErr(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed[key]
}

// setFailed records (msg != "") or forgets (msg == "") that key has no addresses.
func (s *state) setFailed(key, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if msg == "" {
		delete(s.failed, key)
	} else {
		s.failed[key] = msg
	}
}

// retryFailed re-queues the Services that could not get addresses: something was
// freed or the pools changed.
func (s *state) retryFailed() {
	s.mu.Lock()
	keys := slices.Collect(maps.Keys(s.failed))
	s.mu.Unlock()
	s.kick.enqueue(keys...)
}

func (s *state) configStatus() (loaded, stale bool, inForce, digest string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loaded, s.stale, s.inForce, s.digest
}

func (s *state) setConfig(stale bool, inForce, digest string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stale = stale
	if !stale {
		s.loaded, s.inForce, s.digest = true, inForce, digest
	}
}

// kicker is a controller-runtime source through which the config reconciler and the
// start-up pass re-queue Services by key. Keys sent before the controller starts are
// kept and delivered at Start.
type kicker struct {
	mu      sync.Mutex
	q       workqueue.TypedRateLimitingInterface[reconcile.Request]
	pending []string
}

// Start implements source.Source.
func (k *kicker) Start(_ context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) error {
	k.mu.Lock()
	k.q = q
	pending := k.pending
	k.pending = nil
	k.mu.Unlock()
	k.enqueue(pending...)
	return nil
}

func (k *kicker) enqueue(keys ...string) {
	k.mu.Lock()
	q := k.q
	if q == nil {
		k.pending = append(k.pending, keys...)
	}
	k.mu.Unlock()
	if q == nil {
		return
	}
	for _, key := range keys {
		ns, name, _ := strings.Cut(key, "/")
		q.Add(reconcile.Request{NamespacedName: types.NamespacedName{Namespace: ns, Name: name}})
	}
}

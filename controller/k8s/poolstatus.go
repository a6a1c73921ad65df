package k8s

import (
	"context"
	"log/slog"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/controller/allocator"
)

// poolStatus writes each IPAddressPool's assigned/available counts back to its
// status. Reconcilers only touch() it; it writes at most once per interval, and
// only pools whose counts changed, so allocating 2,000 Services costs a handful of
// pool writes rather than 2,000.
type poolStatus struct {
	client   client.Client
	alloc    *allocator.Allocator
	ns       string
	interval time.Duration
	log      *slog.Logger
	dirty    chan struct{}
	written  map[string]allocator.PoolCounters
}

func newPoolStatus(c client.Client, a *allocator.Allocator, ns string, interval time.Duration, log *slog.Logger) *poolStatus {
	return &poolStatus{client: c, alloc: a, ns: ns, interval: interval, log: log,
		dirty: make(chan struct{}, 1), written: map[string]allocator.PoolCounters{}}
}

// touch says the counts may have changed.
func (p *poolStatus) touch() {
	select {
	case p.dirty <- struct{}{}:
	default:
	}
}

// Start implements manager.Runnable; it runs only on the leader.
func (p *poolStatus) Start(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-p.dirty:
		}
		if err := p.flush(ctx); err != nil && ctx.Err() == nil {
			p.log.Warn("pool status not written, will retry", "reason", err)
			p.touch()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(p.interval):
		}
	}
}

func (p *poolStatus) flush(ctx context.Context) error {
	for _, pc := range p.alloc.Counters() {
		if p.written[pc.Pool] == pc {
			continue
		}
		var pool v1beta1.IPAddressPool
		if err := p.client.Get(ctx, types.NamespacedName{Namespace: p.ns, Name: pc.Pool}, &pool); err != nil {
			if apierrors.IsNotFound(err) {
				continue // deleted since; the next config drops it from the allocator
			}
			return err
		}
		want := PoolStatusOf(pc)
		if pool.Status != want {
			upd := pool.DeepCopy()
			upd.Status = want
			if err := p.client.Status().Patch(ctx, upd, client.MergeFrom(&pool)); err != nil {
				return err
			}
		}
		p.written[pc.Pool] = pc
	}
	return nil
}

// PoolStatusOf renders allocator counters as an IPAddressPool status.
func PoolStatusOf(pc allocator.PoolCounters) v1beta1.IPAddressPoolStatus {
	return v1beta1.IPAddressPoolStatus{
		AssignedIPv4: pc.AssignedIPv4, AssignedIPv6: pc.AssignedIPv6,
		AvailableIPv4: pc.AvailableIPv4, AvailableIPv6: pc.AvailableIPv6,
	}
}

package k8s

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrl "sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/controller/allocator"
)

// serviceReconciler converges one Service: release what a Service that is gone or no
// longer ours held, otherwise keep or allocate its addresses and write them to
// status.loadBalancer.ingress and metallb.io/ip-allocated-from-pool.
type serviceReconciler struct {
	client  client.Client
	events  record.EventRecorder
	st      *state
	lbClass string
	log     *slog.Logger
	pools   *poolStatus
}

func (r *serviceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	res, err := r.reconcile(ctx, req)
	if err != nil && ctx.Err() != nil {
		return res, nil // shutting down: the next leader converges this Service
	}
	return res, err
}

func (r *serviceReconciler) reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	key := req.Namespace + "/" + req.Name
	if !r.st.admit(key) {
		// No allocation before the start-up pass has re-taken every address already
		// in a Service status; the pass re-queues this key when it ends.
		return ctrl.Result{}, nil
	}
	var svc corev1.Service
	if err := r.client.Get(ctx, req.NamespacedName, &svc); err != nil {
		if apierrors.IsNotFound(err) {
			r.release(key, "service deleted")
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, fmt.Errorf("get service %s: %w", key, err)
	}
	if !svc.DeletionTimestamp.IsZero() {
		r.release(key, "service being deleted")
		return ctrl.Result{}, nil
	}
	if !Manages(&svc, r.lbClass) {
		return ctrl.Result{}, r.unmanaged(ctx, &svc)
	}
	return ctrl.Result{}, r.converge(ctx, &svc)
}

// converge is MetalLB's convergeBalancer on our allocator.
func (r *serviceReconciler) converge(ctx context.Context, svc *corev1.Service) error {
	key := Key(svc)
	nsLabels, err := r.namespaceLabels(ctx, svc.Namespace)
	if err != nil {
		return err
	}
	areq, deprecated, err := Translate(svc, nsLabels)
	if err != nil {
		// The Service is malformed; what it holds stays until it is fixed.
		r.report(svc, Outcome{Err: err, LastErr: r.st.lastErr(key)})
		r.st.setFailed(key, err.Error())
		return nil
	}
	o := Outcome{StatusIPs: IngressIPs(svc), LastErr: r.st.lastErr(key), Deprecated: deprecated,
		PreferDual: areq.Policy == allocator.PreferDualStack, ClusterIPsErr: ClusterIPsErr(svc)}
	if len(o.StatusIPs) > 0 {
		if cur, held := r.st.alloc.Get(key); !held || !sameSet(cur.IPs, o.StatusIPs) {
			if _, o.AssignErr = r.st.alloc.Assign(areq, o.StatusIPs); o.AssignErr != nil {
				r.log.Info("status addresses no longer allowed", "service", key, "ip", o.StatusIPs, "reason", o.AssignErr)
			}
		}
	}
	o.Result, o.Err = r.st.alloc.Ensure(areq)
	plan := Decide(key, o)
	if err := r.apply(ctx, svc, plan); err != nil {
		return err
	}
	if o.Err != nil {
		r.st.setFailed(key, o.Err.Error())
		if o.LastErr != o.Err.Error() {
			r.log.Warn("allocation failed", "service", key, "reason", o.Err)
		}
	} else {
		r.st.setFailed(key, "")
		if o.Result.Changed {
			r.log.Info("IP allocated", "service", key, "ip", o.Result.IPs, "pool", o.Result.Pool)
		}
	}
	if len(o.Result.Cleared) > 0 || o.Result.Changed {
		r.pools.touch()
	}
	if len(o.Result.Cleared) > 0 {
		r.st.retryFailed()
	}
	return nil
}

// unmanaged handles a Service that is not (or no longer) a LoadBalancer of our class.
func (r *serviceReconciler) unmanaged(ctx context.Context, svc *corev1.Service) error {
	key := Key(svc)
	_, held := r.st.alloc.Get(key)
	why := "service is no longer of type LoadBalancer"
	if svc.Spec.Type == corev1.ServiceTypeLoadBalancer {
		why = "service's loadBalancerClass is not this controller's"
	}
	plan, act := DecideUnmanaged(svc, held, why)
	if !act {
		return nil
	}
	if err := r.apply(ctx, svc, plan); err != nil {
		return err
	}
	r.release(key, why)
	return nil
}

func (r *serviceReconciler) release(key, why string) {
	r.st.setFailed(key, "")
	if r.st.alloc.Release(key) {
		r.log.Info("IP released", "service", key, "reason", why)
		r.pools.touch()
		r.st.retryFailed()
	}
}

// apply writes the plan: status first (the record a restarted controller rebuilds
// from), then the annotation, then the events, so an event never announces a write
// that failed.
func (r *serviceReconciler) apply(ctx context.Context, svc *corev1.Service, p Plan) error {
	key := Key(svc)
	if NeedsStatus(svc, p.IPs) {
		upd := svc.DeepCopy()
		upd.Status.LoadBalancer.Ingress = Ingress(p.IPs)
		if err := r.client.Status().Patch(ctx, upd, client.MergeFrom(svc)); err != nil {
			return fmt.Errorf("write status of service %s: %w", key, err)
		}
	}
	if NeedsAnnotation(svc, p.Pool) {
		upd := svc.DeepCopy()
		if p.Pool == "" {
			delete(upd.Annotations, config.AnnotationAllocatedFrom)
		} else {
			if upd.Annotations == nil {
				upd.Annotations = map[string]string{}
			}
			upd.Annotations[config.AnnotationAllocatedFrom] = p.Pool
		}
		if err := r.client.Patch(ctx, upd, client.MergeFrom(svc)); err != nil {
			return fmt.Errorf("write annotation of service %s: %w", key, err)
		}
	}
	r.emit(svc, p.Events)
	return nil
}

func (r *serviceReconciler) report(svc *corev1.Service, o Outcome) {
	r.emit(svc, Decide(Key(svc), o).Events)
}

func (r *serviceReconciler) emit(svc *corev1.Service, evs []Event) {
	for _, e := range evs {
		r.events.Event(svc, e.Type, e.Reason, e.Message)
	}
}

func (r *serviceReconciler) namespaceLabels(ctx context.Context, ns string) (map[string]string, error) {
	var obj corev1.Namespace
	if err := r.client.Get(ctx, types.NamespacedName{Name: ns}, &obj); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("get namespace %s: %w", ns, err)
	}
	return obj.Labels, nil
}

func sameSet(a, b []netip.Addr) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(x netip.Addr) bool { return !slices.Contains(b, x) })
}

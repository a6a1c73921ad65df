package serviceplane

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	corelisters "k8s.io/client-go/listers/core/v1"
	discoverylisters "k8s.io/client-go/listers/discovery/v1"
	"k8s.io/client-go/tools/cache"
)

// cleanupTimeout bounds the removal of addresses when Run ends; its own
// context is already cancelled by then.
const cleanupTimeout = 10 * time.Second

// listers are the informer caches one reconcile reads.
type listers struct {
	services corelisters.ServiceLister
	nodes    corelisters.NodeLister
	slices   discoverylisters.EndpointSliceLister
}

// Run opens the API forwarders, then follows Services, Nodes and its own
// EndpointSlices and keeps slices, addresses and listeners in line, until ctx
// ends. Then it closes every listener and forwarder and removes every address
// it added (EndpointSlices stay: they are API state, and the next Run adopts
// them by their managed-by label). Call Run once.
func (sp *ServicePlane) Run(ctx context.Context) error {
	if err := sp.startForwarders(ctx); err != nil {
		sp.stopForwarders()
		return err
	}
	defer sp.stopForwarders()

	trigger := make(chan struct{}, 1)
	poke := func() {
		select {
		case trigger <- struct{}{}:
		default: // a reconcile is already due; it will see this change too
		}
	}
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { poke() },
		UpdateFunc: func(any, any) { poke() },
		DeleteFunc: func(any) { poke() },
	}
	all := informers.NewSharedInformerFactory(sp.client, 0)
	own := informers.NewSharedInformerFactoryWithOptions(sp.client, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.LabelSelector = discoveryv1.LabelManagedBy + "=" + ManagedBy
		}))
	svcInf, nodeInf := all.Core().V1().Services(), all.Core().V1().Nodes()
	sliceInf := own.Discovery().V1().EndpointSlices()
	for _, inf := range []cache.SharedIndexInformer{svcInf.Informer(), nodeInf.Informer(), sliceInf.Informer()} {
		if _, err := inf.AddEventHandler(handler); err != nil {
			return fmt.Errorf("serviceplane: informer: %w", err)
		}
	}
	stop := make(chan struct{})
	all.Start(stop)
	own.Start(stop)
	defer func() {
		close(stop)
		all.Shutdown()
		own.Shutdown()
	}()
	for _, synced := range []map[any]bool{anyMap(all.WaitForCacheSync(ctx.Done())), anyMap(own.WaitForCacheSync(ctx.Done()))} {
		for typ, ok := range synced {
			if !ok {
				return errors.Join(fmt.Errorf("serviceplane: cache of %v did not sync: %w", typ, ctx.Err()), sp.cleanup())
			}
		}
	}
	ls := listers{services: svcInf.Lister(), nodes: nodeInf.Lister(), slices: sliceInf.Lister()}
	sp.log.Info("service plane running", "nodes", len(sp.nodes), "apiserver", sp.apiAddr)

	poke()
	var retry <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return sp.cleanup()
		case <-trigger:
		case <-retry:
		}
		retry = nil
		if err := sp.reconcile(ctx, ls); err != nil && ctx.Err() == nil {
			sp.log.Warn("service plane reconcile incomplete; retrying", "after", sp.retry, "err", err)
			retry = time.After(sp.retry)
		}
	}
}

func anyMap[K comparable](m map[K]bool) map[any]bool {
	out := make(map[any]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// reconcile computes the desired state from the caches and applies it.
func (sp *ServicePlane) reconcile(ctx context.Context, ls listers) error {
	svcs, err := ls.services.List(labels.Everything())
	if err != nil {
		return fmt.Errorf("list services: %w", err)
	}
	d := Compute(svcs, sp.nodeInfos(ls.nodes))
	if f := strings.Join(d.Findings, "\n"); f != sp.findings {
		sp.findings = f
		for _, line := range d.Findings {
			sp.log.Warn("service plane ignored a value", "finding", line)
		}
	}
	return errors.Join(sp.applySlices(ctx, d.Slices, ls.slices), sp.applyLocal(ctx, d.State))
}

// nodeInfos joins namespaces with addresses: given ones first, else the
// InternalIP addresses of the Node object.
func (sp *ServicePlane) nodeInfos(nodes corelisters.NodeLister) map[string]NodeInfo {
	out := make(map[string]NodeInfo, len(sp.nodes))
	for name, ns := range sp.nodes {
		info := NodeInfo{Namespace: ns, Addresses: sp.addrs[name]}
		if len(info.Addresses) == 0 {
			if n, err := nodes.Get(name); err == nil {
				for _, a := range n.Status.Addresses {
					if ip, err := netip.ParseAddr(a.Address); err == nil && a.Type == corev1.NodeInternalIP {
						info.Addresses = append(info.Addresses, ip)
					}
				}
			}
		}
		out[name] = info
	}
	return out
}

// cleanup removes every listener and address when Run ends.
func (sp *ServicePlane) cleanup() error {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	err := sp.applyLocal(ctx, State{Bindings: map[Binding]bool{}, Listeners: map[Listener]bool{}})
	sp.log.Info("service plane stopped", "err", err)
	return err
}

package serviceplane

import (
	"github.com/bgplb/bgplb/topologies/command"

	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	discoverylisters "k8s.io/client-go/listers/discovery/v1"
)

// apiTimeout bounds each write to the apiserver.
const apiTimeout = 10 * time.Second

// applySlices creates, updates and deletes the service plane's own
// EndpointSlices so that exactly the wanted ones exist.
func (sp *ServicePlane) applySlices(ctx context.Context, want []*discoveryv1.EndpointSlice, lister discoverylisters.EndpointSliceLister) error {
	have, err := lister.List(labels.Everything())
	if err != nil {
		return fmt.Errorf("list endpointslices: %w", err)
	}
	current := map[string]*discoveryv1.EndpointSlice{}
	for _, s := range have {
		current[s.Namespace+"/"+s.Name] = s
	}
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	var errs []error
	for _, w := range want {
		k := w.Namespace + "/" + w.Name
		h, ok := current[k]
		delete(current, k)
		api := sp.client.DiscoveryV1().EndpointSlices(w.Namespace)
		switch {
		case !ok:
			if _, err := api.Create(ctx, w, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
				errs = append(errs, fmt.Errorf("create endpointslice %s: %w", k, err))
				continue
			}
			sp.log.Info("endpointslice created", "slice", k, "endpoints", len(w.Endpoints))
		case SliceChanged(h, w):
			u := w.DeepCopy()
			u.ResourceVersion = h.ResourceVersion
			if _, err := api.Update(ctx, u, metav1.UpdateOptions{}); err != nil {
				// A conflict means the cache is behind; its event pokes the loop again.
				errs = append(errs, fmt.Errorf("update endpointslice %s: %w", k, err))
				continue
			}
			sp.log.Info("endpointslice updated", "slice", k, "endpoints", len(w.Endpoints))
		}
	}
	for k, h := range current {
		err := sp.client.DiscoveryV1().EndpointSlices(h.Namespace).Delete(ctx, h.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete endpointslice %s: %w", k, err))
			continue
		}
		sp.log.Info("endpointslice deleted", "slice", k)
	}
	return errors.Join(errs...)
}

// applyLocal moves the nodes from sp.have to want. sp.have records each step
// that succeeded, so after an error it is still what the nodes really have.
func (sp *ServicePlane) applyLocal(ctx context.Context, want State) error {
	plan := PlanFor(sp.have, want)
	var errs []error
	for _, l := range plan.Close {
		if srv := sp.servers[l]; srv != nil {
			srv.Close()
		}
		delete(sp.servers, l)
		delete(sp.have.Listeners, l)
		sp.log.Info("listener closed", "node", l.Node, "address", hostPort(l))
	}
	for _, b := range plan.DelBindings {
		_, err := sp.run.Run(ctx, command.New("ip", "-n", b.Namespace, "addr", "del", prefix(b), "dev", "lo"))
		if err != nil && !strings.Contains(err.Error(), "Cannot assign requested address") {
			errs = append(errs, fmt.Errorf("remove %s from lo in %s: %w", prefix(b), b.Namespace, err))
			continue
		}
		delete(sp.have.Bindings, b)
		sp.log.Info("service IP removed", "namespace", b.Namespace, "ip", b.IP)
	}
	for _, b := range plan.AddBindings {
		args := []string{"-n", b.Namespace, "addr", "replace", prefix(b), "dev", "lo"}
		if b.IP.Is6() {
			args = append(args, "nodad") // bind at once; lo has no neighbours to clash with
		}
		if _, err := sp.run.Run(ctx, command.New("ip", args...)); err != nil {
			errs = append(errs, fmt.Errorf("add %s to lo in %s: %w", prefix(b), b.Namespace, err))
			continue
		}
		sp.have.Bindings[b] = true
		sp.log.Info("service IP added", "namespace", b.Namespace, "ip", b.IP)
	}
	for _, l := range plan.Open {
		if !sp.have.Bindings[Binding{Namespace: l.Namespace, IP: l.IP}] {
			errs = append(errs, fmt.Errorf("listen on %s in %s: its address is not on lo yet", hostPort(l), l.Namespace))
			continue
		}
		ln, err := ListenIn(ctx, l.Namespace, hostPort(l))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sp.servers[l] = serveNodeName(ln, l.Node)
		sp.have.Listeners[l] = true
		sp.log.Info("listener opened", "node", l.Node, "address", hostPort(l))
	}
	return errors.Join(errs...)
}

func prefix(b Binding) string {
	return fmt.Sprintf("%s/%d", b.IP, b.IP.BitLen())
}

func hostPort(l Listener) string {
	return net.JoinHostPort(l.IP.String(), strconv.Itoa(int(l.Port)))
}

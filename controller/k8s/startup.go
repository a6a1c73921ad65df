package k8s

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// restore is the start-up pass that makes a restart churn-free: before any new
// address is handed out, every Service we manage that shows addresses in its status
// takes them back in the allocator (sharing included, as Assign checks it). Only then
// does the Service reconciler allocate, so a newcomer can never grab an address a
// running Service already has.
//
// Services are restored in key order so the outcome does not depend on list order;
// one whose addresses no longer fit is left to its reconcile, which says why in an
// event and allocates again.
func (c *configReconciler) restore(ctx context.Context) error {
	var svcs corev1.ServiceList
	if err := c.client.List(ctx, &svcs); err != nil {
		return fmt.Errorf("start-up pass: list services: %w", err)
	}
	var nss corev1.NamespaceList
	if err := c.client.List(ctx, &nss); err != nil {
		return fmt.Errorf("start-up pass: list namespaces: %w", err)
	}
	nsLabels := make(map[string]map[string]string, len(nss.Items))
	for _, ns := range nss.Items {
		nsLabels[ns.Name] = ns.Labels
	}
	items := svcs.Items
	slices.SortFunc(items, func(a, b corev1.Service) int { return cmp.Compare(Key(&a), Key(&b)) })
	restored, refused := 0, 0
	for i := range items {
		svc := &items[i]
		ips := IngressIPs(svc)
		if len(ips) == 0 || !Manages(svc, c.lbClass) || !svc.DeletionTimestamp.IsZero() {
			continue
		}
		req, _, err := Translate(svc, nsLabels[svc.Namespace])
		if err == nil {
			_, err = c.st.alloc.Assign(req, ips)
		}
		if err != nil {
			refused++
			c.log.Info("start-up pass: status addresses not restored", "service", Key(svc), "ip", ips, "reason", err)
			continue
		}
		restored++
	}
	c.log.Info("start-up pass done", "restored", restored, "refused", refused, "services", len(items))
	return nil
}

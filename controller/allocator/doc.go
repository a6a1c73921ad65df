// Package allocator hands out LoadBalancer IPs from the address pools of a validated
// config.Config, with MetalLB's semantics, on its own Request type: it knows nothing
// of Kubernetes objects. The controller's Service reconciler (controller/k8s)
// translates each Service into a Request, calls Ensure, and writes the result to the
// Service status; on a config change it calls SetPools and re-reconciles every Service
// SetPools reports.
//
// # What the translator must do (controller/k8s)
//
//   - Key: "namespace/name". Namespace: the Service's namespace. NamespaceLabels: the
//     labels of that Namespace object. ServiceLabels: the Service's labels. The
//     labels feed serviceAllocation (namespaces, namespaceSelectors, serviceSelectors).
//   - Family and Policy: from spec.ipFamilies and spec.ipFamilyPolicy as the
//     apiserver filled them in. One family listed: SingleStack with that family (also
//     when the policy says PreferDualStack in a single-stack cluster, as MetalLB
//     aligns the LB IPs with the cluster IPs). Two families: Family = ipFamilies[0]
//     and Policy = PreferDualStack or RequireDualStack. Use FamilyFromString and
//     PolicyFromString for the strings.
//   - RequestedIPs: metallb.io/loadBalancerIPs (comma separated, legacy
//     metallb.universe.tf/loadBalancerIPs read through config.ServiceAnnotation, with
//     the deprecation event config.ServiceFindings describes) or spec.loadBalancerIP;
//     ParseRequestedIPs does the parsing and refuses both at once, as MetalLB does.
//   - RequestedPool: metallb.io/address-pool (legacy spelling accepted the same way).
//   - SharingKey: metallb.io/allow-shared-ip; empty means the Service shares with no one.
//   - Ports: spec.ports as {Protocol, Port}. Two Services share an IP only when no
//     protocol+port pair is used by both.
//   - Backends: BackendKey(externalTrafficPolicy == Local, spec.selector). MetalLB's
//     rule: Services with externalTrafficPolicy Local share an IP only when their
//     selectors are equal (the traffic must reach the same nodes); Cluster Services
//     have an empty backend key and share regardless of backends. Local and Cluster
//     Services therefore never share.
//   - spec.loadBalancerClass / --lb-class: decided before the allocator is called; a
//     Service that is not ours is never turned into a Request (Release it if it was).
//   - Services that are not of type LoadBalancer, or deleted: Release(key).
//
// # Restart without churn
//
// Before allocating anything, a (re)started controller calls Assign(req, statusIPs)
// for every Service that has IPs in status.loadBalancer.ingress, so that those IPs are
// taken before Ensure hands any address out; Ensure then keeps them if they still fit.
//
// # Concurrency
//
// An Allocator is safe for concurrent use; every method holds one mutex.
package allocator

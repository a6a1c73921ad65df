// Package routes computes what one speaker node announces, and how to get there.
//
// Desired takes the validated configuration (config), this node and the
// LoadBalancer Services with their endpoints, and returns the State the node should
// run: which BGP peers it opens sessions to (peer nodeSelectors) and, per peer, the
// exact RouteSet (prefix, next hop, communities, LOCAL_PREF). Every announce and
// not-announce decision is returned with a reason, MetalLB's where MetalLB has one,
// so `bgplb status` can explain why a node does not announce a service.
//
// Diff compares the State a router runs with the desired State and returns a Plan:
// peers to remove, update (saying whether the change needs a session reset) and add,
// then per peer the routes to add, replace and withdraw. State.Apply executes a Plan
// on a State; the router fake and the property tests use it, and the reconcile loop
// can use it to record what an adapter applied.
//
// The package is pure: standard library, apimachinery labels and config.
// It defines its own inputs (Node, Service, Endpoint) so it never sees a Kubernetes
// object; speaker/k8s translates corev1/discoveryv1 objects into them. Costs are
// O(services × peers) for Desired and O(routes) for Diff, with maps keyed by prefix.
package routes

// Package serviceplane is a LAB PART: it stands in for kube-proxy, kubelet and
// pods inside the bgplb lab and never ships in the product (no product binary
// imports it; only the hidden `bgplb lab agent` command and lab tests do).
//
// The lab runs each Kubernetes node as a network namespace with no route out
// of the lab, and kube-apiserver on the host's 127.0.0.1. One host process —
// the service plane — serves the whole lab:
//
//   - API access: inside every node namespace it listens on 127.0.0.1:<apiserver
//     port> and forwards each connection to the host's apiserver (plain TCP,
//     TLS passes through). Node processes use the admin kubeconfig unchanged.
//     No route is created: it is IPC through this process, bounded to one port.
//   - Endpoints: for every Service of type LoadBalancer that carries the
//     annotation below it writes EndpointSlices (label kubernetes.io/service-name,
//     one endpoint per backend node with nodeName and ready/serving conditions),
//     so the speaker's externalTrafficPolicy logic reads something real.
//   - Service IPs: once the Service has status.loadBalancer.ingress IPs, each IP
//     is added as /32 (/128) on lo of the nodes that take its traffic, and a
//     tiny HTTP server on IP:port (each TCP port) answers with the node's name,
//     so `curl http://VIP/` from a lab client shows which node served it. As
//     kube-proxy: externalTrafficPolicy Local, the ready backend nodes only;
//     Cluster, every node while any backend is ready (the node the request
//     entered answers, standing in for kube-proxy's forwarding).
//
// Placement is declared on the Service by the lab's demo manifests and by
// scenarios:
//
//	lab.bgplb.io/backends: node1,node2     backend nodes (default: none)
//	lab.bgplb.io/backends-ready: node1     the ready subset (absent: all ready)
//
// Services without lab.bgplb.io/backends are left alone (a test may write
// their EndpointSlices itself). Not-ready backends appear in the EndpointSlice
// with ready=false and do not answer on the service IP, like a pod failing its
// readiness probe. Nodes that are not backends do not answer either: there is
// no kube-proxy forwarding between nodes, so with externalTrafficPolicy
// Cluster only backend nodes serve traffic in the lab.
//
// The package is an adapter: the desired state (desired.go, slice.go, plan.go)
// is computed by pure functions; namespaces are entered with setns(2) on a
// locked OS thread (netns.go) and addresses are changed through an injected
// command runner (`ip -n <ns> addr ...`).
package serviceplane

package clab

import (
	"fmt"
	"maps"
	"path"
	"slices"

	"github.com/bgplb/bgplb/topologies/kind"
)

// containerlab kind names this package emits itself; router and host kinds name
// theirs in their Container (topologies/kinds/<kind>). KindVyOS is the kind
// containerlab registers for VyOS (nodes/vyosnetworks_vyos); the schema copy in testdata
// predates it, see testdata/SCHEMA-SOURCE.md.
const (
	KindLinux        = "linux"
	KindCEOS         = "arista_ceos"
	KindVyOS         = "vyosnetworks_vyos"
	KindK8sKind      = "k8s-kind"
	KindExtContainer = "ext-container"
)

// RouterNode maps router name of kind k to a containerlab node whose rendered files
// live in dir (relative to the topology file). image overrides the kind's default.
func RouterNode(name string, k kind.Router, image, dir string) (TopoNode, error) {
	c := k.Container()
	if image == "" {
		image = c.Image
	}
	if image == "" {
		return TopoNode{}, fmt.Errorf("router %s: kind %s has no default container image: set image for it in the topology", name, k.Name())
	}
	n := TopoNode{Name: name, Kind: c.ClabKind, Image: image, Labels: map[string]string{"bgplb.router-kind": k.Name()}}
	for _, f := range slices.Sorted(maps.Keys(c.Binds)) {
		n.Binds = append(n.Binds, path.Join(dir, f)+":"+c.Binds[f])
	}
	if c.Startup != "" {
		n.StartupConfig = path.Join(dir, c.Startup)
	}
	return n, nil
}

// HostNode is a client (or other plain host) container of host kind h.
func HostNode(name string, h kind.Host, image string) TopoNode {
	c := h.Container()
	if image == "" {
		image = c.Image
	}
	return TopoNode{Name: name, Kind: c.ClabKind, Image: image, Labels: map[string]string{"bgplb.role": h.Name()}}
}

// KindNodeNames returns the container names kind gives a cluster's nodes, in kind's
// order: <cluster>-control-plane, then <cluster>-worker, <cluster>-worker2, ...
func KindNodeNames(cluster string, workers int) []string {
	names := []string{cluster + "-control-plane"}
	for i := 1; i <= workers; i++ {
		if i == 1 {
			names = append(names, cluster+"-worker")
		} else {
			names = append(names, fmt.Sprintf("%s-worker%d", cluster, i))
		}
	}
	return names
}

// ClusterNodes returns the nodes that wire a kind cluster into the lab: one ext-container
// node per kind node container (so links can reach them), preceded, when
// clabCreates is true, by a k8s-kind node whose startup-config is the kind config and
// which makes containerlab create and delete the cluster itself. When the cluster is
// created with the kind CLI instead, leave clabCreates false: containerlab would
// otherwise try to create the same cluster again and fail.
func ClusterNodes(cluster, kindConfig string, workers int, clabCreates bool) []TopoNode {
	var nodes []TopoNode
	if clabCreates {
		nodes = append(nodes, TopoNode{Name: cluster, Kind: KindK8sKind, StartupConfig: kindConfig})
	}
	for _, n := range KindNodeNames(cluster, workers) {
		nodes = append(nodes, TopoNode{Name: n, Kind: KindExtContainer, Group: cluster,
			Labels: map[string]string{"bgplb.role": "k8s-node"}})
	}
	return nodes
}

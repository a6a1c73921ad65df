package clab

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// containerlab kind names this package emits. KindVyOS is the kind containerlab
// registers for VyOS (nodes/vyosnetworks_vyos, KindNames = {"vyosnetworks_vyos"}); the
// schema copy in testdata predates it, see testdata/SCHEMA-SOURCE.md.
const (
	KindLinux        = "linux"
	KindCEOS         = "arista_ceos"
	KindVyOS         = "vyosnetworks_vyos"
	KindK8sKind      = "k8s-kind"
	KindExtContainer = "ext-container"
)

// Default images. FRR publishes its own; cEOS and VyOS images are not pullable (Arista
// requires a login, VyOS publishes none), so these are the names containerlab's docs
// use for a locally imported image, and users override them in the topology.
const (
	ImageFRR    = "quay.io/frrouting/frr:9.1.0"
	ImageCEOS   = "ceos:4.32.0F"
	ImageVyOS   = "vyos:latest"
	ImageClient = "ghcr.io/srl-labs/network-multitool:latest"
)

// routerKind says how one bgplb router kind runs under containerlab.
type routerKind struct {
	clabKind string
	image    string // default image; empty means the topology must name one
	// binds maps a rendered file name to where the NOS reads it inside the container.
	binds map[string]string
	// startup is the rendered file handed over as startup-config (NOSes containerlab
	// configures itself); empty when the config is bind-mounted instead.
	startup string
}

var routerKinds = map[string]routerKind{
	"frr": {clabKind: KindLinux, image: ImageFRR, binds: map[string]string{
		"frr.conf": "/etc/frr/frr.conf",
		"daemons":  "/etc/frr/daemons",
	}},
	"bird":  {clabKind: KindLinux, binds: map[string]string{"bird.conf": "/etc/bird/bird.conf"}},
	"gobgp": {clabKind: KindLinux, binds: map[string]string{"gobgpd.toml": "/etc/gobgp/gobgpd.toml"}},
	"vyos":  {clabKind: KindVyOS, image: ImageVyOS, startup: "config.boot"},
	"ceos":  {clabKind: KindCEOS, image: ImageCEOS, startup: "startup-config"},
}

// RouterKinds lists the bgplb router kinds RouterNode maps, sorted.
func RouterKinds() []string {
	out := make([]string, 0, len(routerKinds))
	for k := range routerKinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// RouterNode maps a bgplb router (kind frr, bird, gobgp, vyos or ceos) to a containerlab
// node whose rendered config files live in dir (relative to the topology file). image
// overrides the kind's default; bird and gobgp have none and need one.
func RouterNode(name, kind, image, dir string) (Node, error) {
	rk, ok := routerKinds[kind]
	if !ok {
		return Node{}, fmt.Errorf("router %s: kind %q has no containerlab mapping (valid kinds: %s)",
			name, kind, strings.Join(RouterKinds(), ", "))
	}
	if image == "" {
		image = rk.image
	}
	if image == "" {
		return Node{}, fmt.Errorf("router %s: kind %s has no default container image: set image for it in the topology", name, kind)
	}
	n := Node{Name: name, Kind: rk.clabKind, Image: image, Labels: map[string]string{"bgplb.router-kind": kind}}
	files := make([]string, 0, len(rk.binds))
	for f := range rk.binds {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		n.Binds = append(n.Binds, path.Join(dir, f)+":"+rk.binds[f])
	}
	if rk.startup != "" {
		n.StartupConfig = path.Join(dir, rk.startup)
	}
	return n, nil
}

// ClientNode is a plain Linux traffic source.
func ClientNode(name string) Node {
	return Node{Name: name, Kind: KindLinux, Image: ImageClient, Labels: map[string]string{"bgplb.role": "client"}}
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

// KindCluster returns the nodes that wire a kind cluster into the lab: one ext-container
// node per kind node container (so links can reach them), preceded, when
// clabCreates is true, by a k8s-kind node whose startup-config is the kind config and
// which makes containerlab create and delete the cluster itself. When the cluster is
// created with the kind CLI instead, leave clabCreates false: containerlab would
// otherwise try to create the same cluster again and fail.
func KindCluster(cluster, kindConfig string, workers int, clabCreates bool) []Node {
	var nodes []Node
	if clabCreates {
		nodes = append(nodes, Node{Name: cluster, Kind: KindK8sKind, StartupConfig: kindConfig})
	}
	for _, n := range KindNodeNames(cluster, workers) {
		nodes = append(nodes, Node{Name: n, Kind: KindExtContainer, Group: cluster,
			Labels: map[string]string{"bgplb.role": "k8s-node"}})
	}
	return nodes
}

// Package snapshottest builds snapshots for the table tests of the operator tools'
// pure cores (cli/status, cli/plan): a small cluster that each case then
// changes in one way.
package snapshottest

import (
	"net/netip"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/cli/snapshot"
	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/controller/allocator"
	"github.com/bgplb/bgplb/speaker/routes"
)

// Meta names an object in the product namespace.
func Meta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: config.DefaultNamespace}
}

// Pool is an IPAddressPool.
func Pool(name string, addrs ...string) v1beta1.IPAddressPool {
	return v1beta1.IPAddressPool{ObjectMeta: Meta(name), Spec: v1beta1.IPAddressPoolSpec{Addresses: addrs}}
}

// Peer is an eBGP BGPPeer (64513 to 64512).
func Peer(name, addr string) v1beta2.BGPPeer {
	return v1beta2.BGPPeer{ObjectMeta: Meta(name), Spec: v1beta2.BGPPeerSpec{MyASN: 64513, ASN: 64512, Address: addr}}
}

// Adv is a BGPAdvertisement.
func Adv(name string, spec v1beta1.BGPAdvertisementSpec) v1beta1.BGPAdvertisement {
	return v1beta1.BGPAdvertisement{ObjectMeta: Meta(name), Spec: spec}
}

// Node is a node with a hostname label and the extra labels given as pairs.
func Node(name string, kv ...string) routes.Node {
	l := labels.Set{"kubernetes.io/hostname": name}
	for i := 0; i+1 < len(kv); i += 2 {
		l[kv[i]] = kv[i+1]
	}
	return routes.Node{Name: name, Labels: l}
}

// Service is a Cluster-policy Service in default/ with the given status IPs and one
// ready endpoint on every node named.
func Service(name string, ips []string, nodes ...string) snapshot.Service {
	s := snapshot.Service{Service: routes.Service{Key: "default/" + name, TrafficPolicy: routes.TrafficCluster}}
	for _, ip := range ips {
		s.IPs = append(s.IPs, netip.MustParseAddr(ip))
	}
	for _, n := range nodes {
		s.Endpoints = append(s.Endpoints, routes.Endpoint{Node: n, Address: "10.0.0." + n, Ready: true})
	}
	s.Request = allocator.Request{Key: s.Key, Namespace: "default"}
	return s
}

// Base is two nodes, n1 and n2, peering with router tor (192.0.2.1); pool
// 198.51.100.0/24 announced everywhere by advertisement all; Service web on
// 198.51.100.10 from the pool with an endpoint on n1.
func Base() snapshot.Snapshot {
	web := Service("web", []string{"198.51.100.10"}, "n1")
	web.Pool = "pool"
	return snapshot.Snapshot{
		Namespace: config.DefaultNamespace,
		Resources: config.Resources{
			Pools:             []v1beta1.IPAddressPool{Pool("pool", "198.51.100.0/24")},
			Peers:             []v1beta2.BGPPeer{Peer("tor", "192.0.2.1")},
			BGPAdvertisements: []v1beta1.BGPAdvertisement{Adv("all", v1beta1.BGPAdvertisementSpec{})},
		},
		Nodes:    []routes.Node{Node("n1"), Node("n2")},
		Services: []snapshot.Service{web},
	}
}

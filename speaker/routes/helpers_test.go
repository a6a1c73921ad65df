package routes

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
)

func meta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: config.DefaultNamespace}
}

func ptr[T any](v T) *T { return &v }

func pool(name string, addrs ...string) v1beta1.IPAddressPool {
	return v1beta1.IPAddressPool{ObjectMeta: meta(name), Spec: v1beta1.IPAddressPoolSpec{Addresses: addrs}}
}

func peer(name string, my, asn uint32, addr string) v1beta2.BGPPeer {
	return v1beta2.BGPPeer{ObjectMeta: meta(name), Spec: v1beta2.BGPPeerSpec{MyASN: my, ASN: asn, Address: addr}}
}

func adv(name string, s v1beta1.BGPAdvertisementSpec) v1beta1.BGPAdvertisement {
	return v1beta1.BGPAdvertisement{ObjectMeta: meta(name), Spec: s}
}

func sel(kv ...string) metav1.LabelSelector {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return metav1.LabelSelector{MatchLabels: m}
}

// mustConfig runs the real config.For; warnings are fine, errors fail the test.
func mustConfig(t testing.TB, r config.Resources) *config.Config {
	t.Helper()
	cfg, fs := config.For(r, config.Options{})
	if cfg == nil {
		var b strings.Builder
		for _, f := range fs {
			b.WriteString("  " + f.String() + "\n")
		}
		t.Fatalf("config.For failed:\n%s", b.String())
	}
	return cfg
}

// baseResources: pool-a (IPv4 and IPv6), eBGP router-a, one advertisement of every
// pool to every peer from every node.
func baseResources() config.Resources {
	return config.Resources{
		Pools:             []v1beta1.IPAddressPool{pool("pool-a", "198.51.100.0/24", "2001:db8:1::/64")},
		Peers:             []v1beta2.BGPPeer{peer("router-a", 64513, 64512, "192.0.2.1")},
		BGPAdvertisements: []v1beta1.BGPAdvertisement{adv("adv-a", v1beta1.BGPAdvertisementSpec{})},
	}
}

const myNode = "node-1"

func baseNode() Node {
	return Node{Name: myNode, Labels: labels.Set{"kubernetes.io/hostname": myNode, "zone": "a"}}
}

func ips(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

// baseService has one address and one ready endpoint on another node.
func baseService() Service {
	return Service{
		Key: "default/web", IPs: ips("198.51.100.10"), TrafficPolicy: TrafficCluster,
		Endpoints: []Endpoint{{Node: "node-2", Address: "10.0.2.5", Ready: true}},
	}
}

// decisionKeys renders decisions as "peer:reason[:advertisement]" ("-" for a
// service-wide reason), the form the rule tables compare.
func decisionKeys(ds []Decision) []string {
	var out []string
	for _, d := range ds {
		p := d.Peer
		if p == "" {
			p = "-"
		}
		k := p + ":" + d.Reason
		if d.Advertisement != "" {
			k += ":" + d.Advertisement
		}
		if d.Announced != (d.Reason == ReasonAnnounced) {
			k += ":INCONSISTENT"
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func routeKeys(rs RouteSet) []string {
	var out []string
	for _, r := range rs.Sorted() {
		out = append(out, routeKey(r))
	}
	return out
}

func routeKey(r Route) string {
	var cs []string
	for _, c := range r.Communities {
		cs = append(cs, c.String())
	}
	return fmt.Sprintf("%s lp=%d c=[%s]", r.Prefix, r.LocalPref, strings.Join(cs, " "))
}

// netipPrefix is the host prefix of an address (the default aggregation).
func netipPrefix(a netip.Addr) netip.Prefix {
	return netip.PrefixFrom(a, a.BitLen())
}

type metav1Duration = metav1.Duration

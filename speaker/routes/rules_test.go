package routes

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
)

type ruleCase struct {
	name string
	res  func(r *config.Resources)
	node func(n *Node)
	svc  func(s *Service)
	opts Options
	// want are the decisions for the one service, as decisionKeys renders them.
	want []string
}

func advSpec(f func(s *v1beta1.BGPAdvertisementSpec)) func(*config.Resources) {
	return func(r *config.Resources) { f(&r.BGPAdvertisements[0].Spec) }
}

func addPeer(p v1beta2.BGPPeer) func(*config.Resources) {
	return func(r *config.Resources) { r.Peers = append(r.Peers, p) }
}

func endpoints(eps ...Endpoint) func(*Service) {
	return func(s *Service) { s.Endpoints = eps }
}

func local(f func(*Service)) func(*Service) {
	return func(s *Service) { s.TrafficPolicy = TrafficLocal; f(s) }
}

// TestAnnounceRules checks every rule both ways, through configurations made by the
// real config.For. Each case changes one thing from a base that announces.
func TestAnnounceRules(t *testing.T) {
	const ann = "router-a:announced:adv-a"
	runRules(t, []ruleCase{
		{name: "base announces", want: []string{ann}},

		{name: "no IP allocated", svc: func(s *Service) { s.IPs = nil }, want: []string{"-:noIPAllocated"}},
		{name: "IP outside every pool", svc: func(s *Service) { s.IPs = ips("203.0.113.10") }, want: []string{"-:ipNotAllowed"}},
		{name: "IPs split across pools", res: func(r *config.Resources) {
			r.Pools = append(r.Pools, pool("pool-b", "203.0.113.0/24"))
		}, svc: func(s *Service) { s.IPs = ips("198.51.100.10", "203.0.113.10") }, want: []string{"-:ipNotAllowed", "-:ipNotAllowed"}},
		{name: "annotated pool holds the IP", svc: func(s *Service) { s.Pool = "pool-a" }, want: []string{ann}},
		{name: "annotated pool does not hold the IP", res: func(r *config.Resources) {
			r.Pools = append(r.Pools, pool("pool-b", "203.0.113.0/24"))
		}, svc: func(s *Service) { s.Pool = "pool-b" }, want: []string{"-:ipNotAllowed"}},
		{name: "annotated pool unknown", svc: func(s *Service) { s.Pool = "pool-x" }, want: []string{"-:ipNotAllowed"}},

		{name: "no advertisement for the pool", res: func(r *config.Resources) { r.BGPAdvertisements = nil },
			want: []string{"-:noAdvertisementForPool"}},
		{name: "advertisement names another pool", res: func(r *config.Resources) {
			r.Pools = append(r.Pools, pool("pool-b", "203.0.113.0/24"))
			r.BGPAdvertisements[0].Spec.IPAddressPools = []string{"pool-b"}
		}, want: []string{"-:noAdvertisementForPool"}},
		{name: "advertisement names this pool", res: advSpec(func(s *v1beta1.BGPAdvertisementSpec) { s.IPAddressPools = []string{"pool-a"} }),
			want: []string{ann}},
		{name: "pool selector matches", res: func(r *config.Resources) {
			r.Pools[0].Labels = map[string]string{"tier": "prod"}
			r.BGPAdvertisements[0].Spec.IPAddressPoolSelectors = []metav1.LabelSelector{sel("tier", "prod")}
		}, want: []string{ann}},
		{name: "pool selector does not match", res: func(r *config.Resources) {
			r.Pools[0].Labels = map[string]string{"tier": "dev"}
			r.BGPAdvertisements[0].Spec.IPAddressPoolSelectors = []metav1.LabelSelector{sel("tier", "prod")}
		}, want: []string{"-:noAdvertisementForPool"}},

		{name: "advertisement node selector leaves the node out", res: advSpec(func(s *v1beta1.BGPAdvertisementSpec) {
			s.NodeSelectors = []metav1.LabelSelector{sel("zone", "b")}
		}), want: []string{"-:notOwner"}},
		{name: "advertisement node selector selects the node", res: advSpec(func(s *v1beta1.BGPAdvertisementSpec) {
			s.NodeSelectors = []metav1.LabelSelector{sel("zone", "b"), sel("zone", "a")}
		}), want: []string{ann}},

		{name: "network unavailable", node: func(n *Node) { n.NetworkUnavailable = true }, want: []string{"-:nodeNetworkUnavailable"}},
		{name: "excluded from load balancers", node: func(n *Node) { n.Labels[LabelExcludeBalancers] = "" },
			want: []string{"-:nodeLabeledExcludeBalancers"}},
		{name: "excluded but --ignore-exclude-lb", node: func(n *Node) { n.Labels[LabelExcludeBalancers] = "true" },
			opts: Options{IgnoreExcludeLB: true}, want: []string{ann}},

		{name: "Local without local endpoint", svc: local(func(*Service) {}), want: []string{"-:noLocalEndpoints"}},
		{name: "Local with a ready local endpoint", svc: local(endpoints(Endpoint{Node: myNode, Address: "10.0.1.5", Ready: true})),
			want: []string{ann}},
		{name: "Local with a serving terminating local endpoint", svc: local(endpoints(Endpoint{Node: myNode, Address: "10.0.1.5", Serving: true})),
			want: []string{ann}},
		{name: "Local with an unready local endpoint", svc: local(endpoints(
			Endpoint{Node: myNode, Address: "10.0.1.5"}, Endpoint{Node: "node-2", Address: "10.0.2.5", Ready: true})),
			want: []string{"-:noLocalEndpoints"}},
		{name: "Local with no endpoint at all", svc: local(endpoints()), want: []string{"-:noLocalEndpoints"}},
		{name: "Cluster without endpoints", svc: endpoints(), want: []string{"-:noEndpoints"}},
		{name: "Cluster with only unready endpoints", svc: endpoints(Endpoint{Node: "node-2", Address: "10.0.2.5"}),
			want: []string{"-:noEndpoints"}},
		{name: "Cluster with a serving endpoint elsewhere", svc: endpoints(Endpoint{Node: "node-3", Address: "10.0.3.5", Serving: true}),
			want: []string{ann}},
		{name: "Cluster: an address unready in one slice is unready", svc: endpoints(
			Endpoint{Node: "node-2", Address: "10.0.2.5", Ready: true}, Endpoint{Node: "node-2", Address: "10.0.2.5"}),
			want: []string{"-:noEndpoints"}},
		{name: "Cluster: another address still serves", svc: endpoints(
			Endpoint{Node: "node-2", Address: "10.0.2.5"}, Endpoint{Node: "node-3", Address: "10.0.3.5", Ready: true}),
			want: []string{ann}},

		{name: "advertisement peers leave the peer out", res: func(r *config.Resources) {
			addPeer(peer("router-b", 64513, 64512, "192.0.2.2"))(r)
			r.BGPAdvertisements[0].Spec.Peers = []string{"router-b"}
		}, want: []string{"router-a:peerNotSelected", "router-b:announced:adv-a"}},
		{name: "no peers listed means every peer", res: addPeer(peer("router-b", 64513, 64512, "192.0.2.2")),
			want: []string{ann, "router-b:announced:adv-a"}},
		{name: "the peer's advertisement leaves the node out", res: func(r *config.Resources) {
			addPeer(peer("router-b", 64513, 64512, "192.0.2.2"))(r)
			r.BGPAdvertisements[0].Spec.Peers = []string{"router-a"}
			r.BGPAdvertisements = append(r.BGPAdvertisements, adv("adv-b", v1beta1.BGPAdvertisementSpec{
				Peers: []string{"router-b"}, NodeSelectors: []metav1.LabelSelector{sel("zone", "b")}}))
		}, want: []string{ann, "router-b:advertisementNodeSelector:adv-b"}},

		{name: "IPv6 address to an IPv4 session", svc: func(s *Service) { s.IPs = ips("2001:db8:1::10") },
			want: []string{"router-a:addressFamily"}},
		{name: "IPv6 address to a dual-stack session", res: func(r *config.Resources) { r.Peers[0].Spec.DualStackAddressFamily = true },
			svc: func(s *Service) { s.IPs = ips("2001:db8:1::10") }, want: []string{ann}},
		{name: "IPv6 address to an IPv6 session", res: func(r *config.Resources) { r.Peers[0].Spec.Address = "2001:db8::1" },
			svc: func(s *Service) { s.IPs = ips("2001:db8:1::10") }, want: []string{ann}},

		{name: "peer node selector leaves the node out", res: func(r *config.Resources) {
			r.Peers[0].Spec.NodeSelectors = []metav1.LabelSelector{sel("zone", "b")}
		}, want: nil},
		{name: "peer node selectors: AND within an entry", res: func(r *config.Resources) {
			r.Peers[0].Spec.NodeSelectors = []metav1.LabelSelector{sel("zone", "a", "rack", "r2")}
		}, want: nil},
		{name: "peer node selectors: OR across entries", res: func(r *config.Resources) {
			r.Peers[0].Spec.NodeSelectors = []metav1.LabelSelector{sel("zone", "b"), sel("zone", "a")}
		}, want: []string{ann}},
	})
}

func runRules(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := baseResources()
			if tc.res != nil {
				tc.res(&r)
			}
			n, s := baseNode(), baseService()
			if tc.node != nil {
				tc.node(&n)
			}
			if tc.svc != nil {
				tc.svc(&s)
			}
			cfg := mustConfig(t, r)
			res := Desired(cfg, n, []Service{s}, tc.opts)
			got := decisionKeys(res.Decisions)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("decisions:\n got  %q\n want %q", got, want)
			}
			checkConsistent(t, res, cfg)
		})
	}
}

// checkConsistent ties the three outputs together: a peer runs exactly when its
// PeerDecision says so, and a peer holds a route for an address exactly when a
// decision announces that address to it.
func checkConsistent(t *testing.T, res Result, cfg *config.Config) {
	t.Helper()
	if len(res.PeerDecisions) != len(cfg.Peers) {
		t.Errorf("%d peer decisions for %d peers", len(res.PeerDecisions), len(cfg.Peers))
	}
	for _, pd := range res.PeerDecisions {
		_, runs := res.State.Peers[pd.Peer]
		if runs != pd.Runs || (pd.Runs != (pd.Reason == ReasonPeerRuns)) {
			t.Errorf("peer decision %+v, but running = %v", pd, runs)
		}
	}
	announced := map[string]int{}
	for _, d := range res.Decisions {
		if d.Announced {
			announced[d.Peer]++
			if _, ok := res.State.Peers[d.Peer].Routes[netipPrefix(d.IP)]; !ok {
				t.Errorf("decision announces %s to %s, but the route set lacks it", d.IP, d.Peer)
			}
		}
	}
	for name, p := range res.State.Peers {
		if len(p.Routes) > 0 && announced[name] == 0 {
			t.Errorf("peer %s has routes %v but no decision announces to it", name, routeKeys(p.Routes))
		}
	}
}

package config

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
)

func TestAdvertisementRules(t *testing.T) {
	spec := func(f func(s *v1beta1.BGPAdvertisementSpec)) func(*Resources) {
		return func(r *Resources) { f(&r.BGPAdvertisements[0].Spec) }
	}
	ibgp := func(r *Resources) { r.Peers[0].Spec.ASN = r.Peers[0].Spec.MyASN }
	second := func(s v1beta1.BGPAdvertisementSpec, extra ...func(*Resources)) func(*Resources) {
		return func(r *Resources) {
			r.BGPAdvertisements = append(r.BGPAdvertisements, adv("adv-b", s))
			for _, f := range extra {
				f(r)
			}
		}
	}
	const aa = "BGPAdvertisement/adv-a"
	runRules(t, []ruleCase{
		{name: "ok", mut: spec(func(s *v1beta1.BGPAdvertisementSpec) {
			s.IPAddressPools, s.Peers, s.AggregationLength, s.AggregationLengthV6 = []string{"pool-a"}, []string{"router-a"}, ptr[int32](24), ptr[int32](64)
		})},
		{name: "aggregation too long", mut: spec(func(s *v1beta1.BGPAdvertisementSpec) { s.AggregationLength = ptr[int32](33) }),
			want: []string{E("adv-aggregation-invalid", aa, "spec.aggregationLength")}},
		{name: "aggregation v6 too long", mut: spec(func(s *v1beta1.BGPAdvertisementSpec) { s.AggregationLengthV6 = ptr[int32](129) }),
			want: []string{E("adv-aggregation-invalid", aa, "spec.aggregationLengthV6")}},
		{name: "service selectors alone", mut: spec(func(s *v1beta1.BGPAdvertisementSpec) {
			s.ServiceSelectors = []metav1.LabelSelector{{MatchLabels: map[string]string{"tier": "web"}}}
		})},
		{name: "service selectors with default lengths written out", mut: spec(func(s *v1beta1.BGPAdvertisementSpec) {
			s.ServiceSelectors = []metav1.LabelSelector{{MatchLabels: map[string]string{"tier": "web"}}}
			s.AggregationLength, s.AggregationLengthV6 = ptr[int32](32), ptr[int32](128)
		})},
		{name: "service selectors with aggregation", mut: spec(func(s *v1beta1.BGPAdvertisementSpec) {
			s.ServiceSelectors = []metav1.LabelSelector{{MatchLabels: map[string]string{"tier": "web"}}}
			s.AggregationLength = ptr[int32](24)
		}), want: []string{E("adv-service-selectors-aggregation", aa, "spec.aggregationLength")}},
		{name: "service selectors with v6 aggregation", mut: spec(func(s *v1beta1.BGPAdvertisementSpec) {
			s.ServiceSelectors = []metav1.LabelSelector{{MatchLabels: map[string]string{"tier": "web"}}}
			s.AggregationLengthV6 = ptr[int32](64)
		}), want: []string{E("adv-service-selectors-aggregation", aa, "spec.aggregationLengthV6")}},
		{name: "aggregation zero", mut: spec(func(s *v1beta1.BGPAdvertisementSpec) { s.AggregationLength = ptr[int32](0) }),
			want: []string{E("adv-aggregation-invalid", aa, "spec.aggregationLength")}},
		{name: "aggregation wider than pool", mut: spec(func(s *v1beta1.BGPAdvertisementSpec) { s.AggregationLength = ptr[int32](16) }),
			want: []string{E("adv-aggregation-pool", aa, "spec.aggregationLength")}},
		{name: "aggregation wider than v6 pool", mut: func(r *Resources) {
			r.Pools[0].Spec.Addresses = append(r.Pools[0].Spec.Addresses, "2001:db8::/64")
			r.BGPAdvertisements[0].Spec.AggregationLengthV6 = ptr[int32](48)
		}, want: []string{E("adv-aggregation-pool", aa, "spec.aggregationLengthV6")}},
		{name: "aggregation fits summarized range", mut: func(r *Resources) {
			r.Pools[0].Spec.Addresses = []string{"198.51.100.0-198.51.100.255"}
			r.BGPAdvertisements[0].Spec.AggregationLength = ptr[int32](24)
		}},
		{name: "pool missing", mut: spec(func(s *v1beta1.BGPAdvertisementSpec) { s.IPAddressPools = []string{"pool-a", "pool-x"} }),
			want: []string{W("adv-pool-missing", aa, "spec.ipAddressPools[1]")}},
		{name: "pool selector ok", mut: func(r *Resources) {
			r.Pools[0].Labels = map[string]string{"tier": "prod"}
			r.BGPAdvertisements[0].Spec.IPAddressPoolSelectors = []metav1.LabelSelector{{MatchLabels: map[string]string{"tier": "prod"}}}
		}},
		{name: "pool selector matches nothing", mut: spec(func(s *v1beta1.BGPAdvertisementSpec) {
			s.IPAddressPoolSelectors = []metav1.LabelSelector{{MatchLabels: map[string]string{"tier": "prod"}}}
		}), want: []string{W("adv-no-pools", aa, "spec.ipAddressPoolSelectors"), W("pool-unadvertised", "IPAddressPool/pool-a", "")}},
		{name: "peer missing", mut: spec(func(s *v1beta1.BGPAdvertisementSpec) { s.Peers = []string{"router-x"} }),
			want: []string{W("adv-peer-missing", aa, "spec.peers[0]")}},
		{name: "duplicate peer entry", mut: spec(func(s *v1beta1.BGPAdvertisementSpec) { s.Peers = []string{"router-a", "router-a"} }),
			want: []string{E("duplicate-entry", aa, "spec.peers[1]")}},
		{name: "duplicate pool entry", mut: spec(func(s *v1beta1.BGPAdvertisementSpec) { s.IPAddressPools = []string{"pool-a", "pool-a"} }),
			want: []string{E("duplicate-entry", aa, "spec.ipAddressPools[1]")}},
		{name: "node selector duplicate", mut: spec(func(s *v1beta1.BGPAdvertisementSpec) {
			s.NodeSelectors = []metav1.LabelSelector{{MatchLabels: map[string]string{"a": "b"}}, {MatchLabels: map[string]string{"a": "b"}}}
		}), want: []string{E("selector-duplicate", aa, "spec.nodeSelectors[1]")}},
		{name: "identical advertisements", mut: second(v1beta1.BGPAdvertisementSpec{}),
			want: []string{W("adv-duplicate", "BGPAdvertisement/adv-b", "spec")}},
		{name: "duplicate name", mut: func(r *Resources) {
			r.BGPAdvertisements = append(r.BGPAdvertisements, adv("adv-a", v1beta1.BGPAdvertisementSpec{LocalPref: 5}))
		},
			want: []string{E("duplicate-name", aa, "metadata.name")}},
		{name: "localPref on iBGP ok", mut: func(r *Resources) { ibgp(r); r.BGPAdvertisements[0].Spec.LocalPref = 200 }},
		{name: "localPref on eBGP only", mut: spec(func(s *v1beta1.BGPAdvertisementSpec) { s.LocalPref = 200 }),
			want: []string{W("adv-localpref-ebgp", aa, "spec.localPref")}},
		{name: "localPref conflict", mut: second(v1beta1.BGPAdvertisementSpec{LocalPref: 100}, ibgp, func(r *Resources) { r.BGPAdvertisements[0].Spec.LocalPref = 200 }),
			want: []string{E("adv-localpref-conflict", "BGPAdvertisement/adv-b", "spec.localPref")}},
		{name: "localPref kept apart by peers", mut: second(v1beta1.BGPAdvertisementSpec{LocalPref: 100, Peers: []string{"router-b"}}, ibgp, func(r *Resources) {
			r.Peers = append(r.Peers, peer("router-b", 64513, 64513, "192.0.2.2"))
			r.BGPAdvertisements[0].Spec.LocalPref, r.BGPAdvertisements[0].Spec.Peers = 200, []string{"router-a"}
		})},
		{name: "localPref kept apart by aggregation", mut: second(v1beta1.BGPAdvertisementSpec{LocalPref: 100, AggregationLength: ptr[int32](24)}, ibgp,
			func(r *Resources) { r.BGPAdvertisements[0].Spec.LocalPref = 200 })},
		{name: "localPref conflict with serviceSelectors is the speaker's", mut: second(v1beta1.BGPAdvertisementSpec{LocalPref: 100,
			ServiceSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"tier": "gold"}}}}, ibgp,
			func(r *Resources) { r.BGPAdvertisements[0].Spec.LocalPref = 200 })},
		{name: "aggregationLengthV6 0 without IPv6 pools", mut: spec(func(s *v1beta1.BGPAdvertisementSpec) { s.AggregationLengthV6 = ptr[int32](0) }),
			want: []string{W("adv-aggregation-v6-unusable", aa, "spec.aggregationLengthV6")}},
		{name: "localPref kept apart by nodes", mut: second(v1beta1.BGPAdvertisementSpec{LocalPref: 100,
			NodeSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"site": "b"}}}}, ibgp,
			func(r *Resources) {
				r.BGPAdvertisements[0].Spec.LocalPref = 200
				r.BGPAdvertisements[0].Spec.NodeSelectors = []metav1.LabelSelector{{MatchLabels: map[string]string{"site": "a"}}}
				r.Nodes = append(r.Nodes, node("n1", map[string]string{"site": "a"}), node("n2", map[string]string{"site": "b"}))
			})},
		{name: "dynamic internal counts as iBGP", mut: func(r *Resources) {
			r.Peers[0].Spec.ASN, r.Peers[0].Spec.DynamicASN = 0, v1beta2.InternalASNMode
			r.BGPAdvertisements[0].Spec.LocalPref = 200
		}},
	})
}

func TestCommunityRules(t *testing.T) {
	comms := func(cs ...string) func(*Resources) {
		return func(r *Resources) { r.BGPAdvertisements[0].Spec.Communities = cs }
	}
	withRes := func(c v1beta1.Community, cs ...string) func(*Resources) {
		return func(r *Resources) {
			r.Communities = append(r.Communities, c)
			r.BGPAdvertisements[0].Spec.Communities = cs
		}
	}
	const aa = "BGPAdvertisement/adv-a"
	runRules(t, []ruleCase{
		{name: "literals ok", mut: comms("64512:100", "0:0", "65535:65535", "large:4294967295:0:1")},
		{name: "standard out of range", mut: comms("64512:100", "65536:1"), want: []string{E("community-value-invalid", aa, "spec.communities[1]")}},
		{name: "large out of range", mut: comms("large:1:2:4294967296"), want: []string{E("community-value-invalid", aa, "spec.communities[0]")}},
		{name: "unknown", mut: comms("gold"), want: []string{E("community-unknown", aa, "spec.communities[0]")}},
		{name: "duplicate", mut: comms("64512:100", "64512:100"), want: []string{E("duplicate-entry", aa, "spec.communities[1]")}},
		{name: "alias ok", mut: withRes(community("c1", "gold", "64512:100", "silver", "large:1:2:3"), "gold", "silver")},
		{name: "alias bad value", mut: withRes(community("c1", "gold", "64512:70000"), "gold"),
			want: []string{E("community-value-invalid", "Community/c1", "spec.communities[0].value")}},
		{name: "alias without name", mut: withRes(community("c1", "", "64512:1", "gold", "64512:2"), "gold"),
			want: []string{W("community-name-missing", "Community/c1", "spec.communities[0].name"), W("community-unused", "Community/c1", "spec.communities[0]")}},
		{name: "alias duplicate across resources", mut: func(r *Resources) {
			r.Communities = append(r.Communities, community("c1", "gold", "64512:1"), community("c2", "gold", "64512:2"))
			r.BGPAdvertisements[0].Spec.Communities = []string{"gold"}
		}, want: []string{E("community-alias-duplicate", "Community/c2", "spec.communities[0].name")}},
		{name: "well-known in advertisement", mut: comms("no-export"), want: []string{W("community-well-known", aa, "spec.communities[0]")}},
		{name: "well-known as alias value", mut: withRes(community("c1", "local-only", "no-advertise"), "local-only"),
			want: []string{W("community-well-known", "Community/c1", "spec.communities[0].value")}},
		{name: "resource name instead of alias", mut: withRes(community("c1", "gold", "64512:1", "silver", "64512:2"), "c1"),
			want: []string{W("community-resource-reference", aa, "spec.communities[0]")}},
		{name: "unused alias", mut: withRes(community("c1", "gold", "64512:1", "silver", "64512:2"), "gold"),
			want: []string{W("community-unused", "Community/c1", "spec.communities[1]")}},
	})
}

func TestBFDRules(t *testing.T) {
	prof := func(s v1beta1.BFDProfileSpec) func(*Resources) {
		return func(r *Resources) {
			r.BFDProfiles = append(r.BFDProfiles, bfd("fast", s))
			r.Peers[0].Spec.BFDProfile = "fast"
		}
	}
	u := func(v uint32) *uint32 { return &v }
	const bf = "BFDProfile/fast"
	runRules(t, []ruleCase{
		{name: "bounds ok", mut: prof(v1beta1.BFDProfileSpec{ReceiveInterval: u(10), TransmitInterval: u(60000), EchoInterval: u(10),
			DetectMultiplier: u(255), MinimumTTL: u(1), PassiveMode: ptr(true), EchoMode: ptr(false)})},
		{name: "receive too short", mut: prof(v1beta1.BFDProfileSpec{ReceiveInterval: u(9)}), want: []string{E("bfd-value-invalid", bf, "spec.receiveInterval")}},
		{name: "transmit too long", mut: prof(v1beta1.BFDProfileSpec{TransmitInterval: u(60001)}), want: []string{E("bfd-value-invalid", bf, "spec.transmitInterval")}},
		{name: "echo interval", mut: prof(v1beta1.BFDProfileSpec{EchoInterval: u(5)}), want: []string{E("bfd-value-invalid", bf, "spec.echoInterval")}},
		{name: "multiplier 1", mut: prof(v1beta1.BFDProfileSpec{DetectMultiplier: u(1)}), want: []string{E("bfd-value-invalid", bf, "spec.detectMultiplier")}},
		{name: "multiplier 256", mut: prof(v1beta1.BFDProfileSpec{DetectMultiplier: u(256)}), want: []string{E("bfd-value-invalid", bf, "spec.detectMultiplier")}},
		{name: "ttl 255", mut: prof(v1beta1.BFDProfileSpec{MinimumTTL: u(255)}), want: []string{E("bfd-value-invalid", bf, "spec.minimumTtl")}},
		{name: "ttl 0", mut: prof(v1beta1.BFDProfileSpec{MinimumTTL: u(0)}), want: []string{E("bfd-value-invalid", bf, "spec.minimumTtl")}},
		{name: "echo on IPv4 only", mut: prof(v1beta1.BFDProfileSpec{EchoMode: ptr(true)}), want: []string{W("bfd-echo-unsupported", bf, "spec.echoMode")}},
		{name: "echo toward IPv6 pool", mut: func(r *Resources) {
			prof(v1beta1.BFDProfileSpec{EchoMode: ptr(true)})(r)
			r.Pools[0].Spec.Addresses = append(r.Pools[0].Spec.Addresses, "2001:db8::/64")
		}, want: []string{W("bfd-echo-unsupported", bf, "spec.echoMode"), E("peer-bfd-echo-ipv6", "BGPPeer/router-a", "spec.bfdProfile")}},
		{name: "echo with IPv6 pool sent to another peer", mut: func(r *Resources) {
			prof(v1beta1.BFDProfileSpec{EchoMode: ptr(true)})(r)
			r.Peers = append(r.Peers, peer("router-b", 64513, 64512, "2001:db8::1"))
			r.Pools = append(r.Pools, pool("pool-v6", "2001:db8:1::/64"))
			r.BGPAdvertisements[0].Spec.IPAddressPools = []string{"pool-a"}
			r.BGPAdvertisements = append(r.BGPAdvertisements, adv("adv-v6", v1beta1.BGPAdvertisementSpec{IPAddressPools: []string{"pool-v6"}, Peers: []string{"router-b"}}))
		}, want: []string{W("bfd-echo-unsupported", bf, "spec.echoMode")}},
		{name: "unused", mut: func(r *Resources) { r.BFDProfiles = append(r.BFDProfiles, bfd("fast", v1beta1.BFDProfileSpec{})) },
			want: []string{W("bfd-unused", bf, "")}},
		{name: "duplicate name", mut: func(r *Resources) {
			prof(v1beta1.BFDProfileSpec{})(r)
			r.BFDProfiles = append(r.BFDProfiles, bfd("fast", v1beta1.BFDProfileSpec{}))
		}, want: []string{E("duplicate-name", bf, "metadata.name")}},
		{name: "l2 advertisement", mut: func(r *Resources) {
			r.L2Advertisements = append(r.L2Advertisements, v1beta1.L2Advertisement{ObjectMeta: meta("l2")})
		}, want: []string{W("l2-unsupported", "L2Advertisement/l2", "")}},
	})
}

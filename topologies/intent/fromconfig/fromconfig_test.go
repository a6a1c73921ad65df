package fromconfig

import (
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/topologies/intent"
)

const ns = config.DefaultNamespace

func meta(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name, Namespace: ns} }

func u32(v uint32) *uint32 { return &v }

// resources is a small, valid configuration: one /24 pool announced as /32 (and a /64
// v6 range as /128) to an eBGP peer with MD5 and BFD, with a community+localPref.
func resources() config.Resources {
	return config.Resources{
		Pools: []v1beta1.IPAddressPool{{ObjectMeta: meta("pool"), Spec: v1beta1.IPAddressPoolSpec{
			Addresses: []string{"203.0.113.0/24"}}}},
		Peers: []v1beta2.BGPPeer{{ObjectMeta: meta("r1"), Spec: v1beta2.BGPPeerSpec{
			MyASN: 64513, ASN: 64512, Address: "192.0.2.1", Password: "s3cret",
			HoldTime: &metav1.Duration{Duration: 9 * time.Second}, BFDProfile: "fast"}}},
		BFDProfiles: []v1beta1.BFDProfile{{ObjectMeta: meta("fast"), Spec: v1beta1.BFDProfileSpec{
			ReceiveInterval: u32(200), TransmitInterval: u32(250), DetectMultiplier: u32(4)}}},
		BGPAdvertisements: []v1beta1.BGPAdvertisement{{ObjectMeta: meta("adv"), Spec: v1beta1.BGPAdvertisementSpec{
			IPAddressPools: []string{"pool"}, Communities: []string{"64512:100"}, LocalPref: 200}}},
	}
}

func build(t *testing.T, r config.Resources, opts Options) (Result, error) {
	t.Helper()
	cfg, fs := config.For(r, config.Options{})
	if cfg == nil {
		t.Fatalf("config.For: %v", fs.Err())
	}
	if opts.Nodes == nil {
		opts.Nodes = []Node{{Name: "n1", Addresses: []netip.Addr{netip.MustParseAddr("192.0.2.10")}}}
	}
	return Build(cfg, opts)
}

func TestBuildMirrorsThePeer(t *testing.T) {
	res, err := build(t, resources(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := res.Router
	if r.Name != "r1" || r.ASN != 64512 || r.RouterID != netip.MustParseAddr("192.0.2.1") {
		t.Errorf("router %s AS%d id %v, want r1 AS64512 id 192.0.2.1 (from the peer)", r.Name, r.ASN, r.RouterID)
	}
	if len(r.Neighbors) != 1 {
		t.Fatalf("%d neighbors, want 1", len(r.Neighbors))
	}
	n := r.Neighbors[0]
	want := intent.Neighbor{
		Address: netip.MustParseAddr("192.0.2.10"), ASN: 64513, Role: intent.RoleSpeaker, Description: "bgplb n1",
		Password: "s3cret", HoldTime: 9 * time.Second, KeepaliveTime: 3 * time.Second, Passive: true,
		MaximumPrefix: 256,
	}
	if n.BFD == nil || *n.BFD != (intent.BFD{Profile: "fast", ReceiveInterval: 200, TransmitInterval: 250, DetectMultiplier: 4}) {
		t.Errorf("BFD = %+v, want the profile's 200/250 ms x4", n.BFD)
	}
	n.BFD = nil
	if n != want {
		t.Errorf("neighbor\n got %+v\nwant %+v", n, want)
	}
	pol := r.SpeakerPolicy
	if len(pol.Accept) != 1 || pol.Accept[0] != (intent.PrefixRange{Prefix: netip.MustParsePrefix("203.0.113.0/24"), Le: 32}) {
		t.Errorf("accept = %+v, want 203.0.113.0/24 le 32", pol.Accept)
	}
	if len(pol.CommunityActions) != 1 || pol.CommunityActions[0] != (intent.CommunityAction{Community: "64512:100", LocalPref: 200}) {
		t.Errorf("community actions = %+v, want 64512:100 -> 200", pol.CommunityActions)
	}
}

func TestBuildTable(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*config.Resources)
		opts    Options
		check   func(t *testing.T, r Result)
		wantErr string
	}{
		{name: "aggregation sets le and maximum-prefix", edit: func(r *config.Resources) {
			r.BGPAdvertisements[0].Spec.AggregationLength = ptr(int32(28))
		}, check: func(t *testing.T, r Result) {
			if a := r.Router.SpeakerPolicy.Accept[0]; a.Le != 28 {
				t.Errorf("le %d, want 28", a.Le)
			}
			if m := r.Router.Neighbors[0].MaximumPrefix; m != 16 {
				t.Errorf("maximum-prefix %d, want 16 (/24 in /28s)", m)
			}
		}},
		{name: "IPv6 pool caps maximum-prefix", edit: func(r *config.Resources) {
			r.Pools[0].Spec.Addresses = append(r.Pools[0].Spec.Addresses, "2001:db8:1::/64")
		}, check: func(t *testing.T, r Result) {
			if m := r.Router.Neighbors[0].MaximumPrefix; m != math.MaxUint32 {
				t.Errorf("maximum-prefix %d, want the 32-bit cap", m)
			}
		}},
		{name: "max-prefix flag wins", opts: Options{MaxPrefix: 42}, check: func(t *testing.T, r Result) {
			if m := r.Router.Neighbors[0].MaximumPrefix; m != 42 {
				t.Errorf("maximum-prefix %d, want 42", m)
			}
		}},
		{name: "ebgp multihop with multihop BFD", edit: func(r *config.Resources) {
			r.Peers[0].Spec.EBGPMultiHop = true
		}, check: func(t *testing.T, r Result) {
			n := r.Router.Neighbors[0]
			if n.EBGPMultihop != 255 || n.BFD == nil || n.BFD.MinimumTTL != 254 {
				t.Errorf("multihop %d BFD %+v, want 255 and minimum TTL 254", n.EBGPMultihop, n.BFD)
			}
		}},
		{name: "gtsm", edit: func(r *config.Resources) { r.Peers[0].Spec.EBGPMultiHop = true }, opts: Options{GTSM: true},
			check: func(t *testing.T, r Result) {
				n := r.Router.Neighbors[0]
				if n.TTLSecurityHops != 1 || n.EBGPMultihop != 0 {
					t.Errorf("ttl-security %d multihop %d, want 1 and 0", n.TTLSecurityHops, n.EBGPMultihop)
				}
			}},
		{name: "gtsm refused when the speaker sends TTL 1", opts: Options{GTSM: true}, wantErr: "spec.ebgpMultiHop"},
		{name: "router flags override the peer", opts: Options{RouterASN: 65000, RouterID: netip.MustParseAddr("198.51.100.1"), Name: "edge"},
			check: func(t *testing.T, r Result) {
				if r.Router.ASN != 65000 || r.Router.RouterID.String() != "198.51.100.1" || r.Router.Name != "edge" {
					t.Errorf("router %+v", r.Router)
				}
			}},
		{name: "local ASN is what the router sees", edit: func(r *config.Resources) { r.Peers[0].Spec.LocalASN = 65010 },
			check: func(t *testing.T, r Result) {
				if a := r.Router.Neighbors[0].ASN; a != 65010 {
					t.Errorf("remote-as %d, want the peer's localASN 65010", a)
				}
			}},
		{name: "dual stack", edit: func(r *config.Resources) { r.Peers[0].Spec.DualStackAddressFamily = true },
			check: func(t *testing.T, r Result) {
				if n := r.Router.Neighbors[0]; !n.IPv4 || !n.IPv6 {
					t.Errorf("families v4 %v v6 %v, want both", n.IPv4, n.IPv6)
				}
			}},
		{name: "advertisement for another peer is not accepted", edit: func(r *config.Resources) {
			r.BGPAdvertisements[0].Spec.Peers = []string{"other"}
			r.Peers = append(r.Peers, v1beta2.BGPPeer{ObjectMeta: meta("other"), Spec: v1beta2.BGPPeerSpec{MyASN: 64513, ASN: 64512, Address: "192.0.2.2"}})
		}, opts: Options{Peer: "r1"}, check: func(t *testing.T, r Result) {
			if p := r.Router.SpeakerPolicy; len(p.Accept) != 0 || len(p.CommunityActions) != 0 {
				t.Errorf("policy %+v, want nothing accepted", p)
			}
			if m := r.Router.Neighbors[0].MaximumPrefix; m != 0 {
				t.Errorf("maximum-prefix %d, want 0 (no limit: nothing announced)", m)
			}
			if !strings.Contains(strings.Join(r.Notes, "\n"), "accepts nothing") {
				t.Errorf("notes %q do not say nothing is accepted", r.Notes)
			}
		}},
		{name: "several peers need a choice", edit: func(r *config.Resources) {
			r.Peers = append(r.Peers, v1beta2.BGPPeer{ObjectMeta: meta("other"), Spec: v1beta2.BGPPeerSpec{MyASN: 64513, ASN: 64512, Address: "192.0.2.2"}})
		}, wantErr: "--peer NAME"},
		{name: "unknown peer", opts: Options{Peer: "nope"}, wantErr: "no such BGPPeer"},
		{name: "node selectors honoured with labelled nodes", edit: func(r *config.Resources) {
			r.Peers[0].Spec.NodeSelectors = []metav1.LabelSelector{{MatchLabels: map[string]string{"bgp": "yes"}}}
		}, opts: Options{Nodes: NodesFrom([]corev1.Node{node("a", "192.0.2.10", "yes"), node("b", "192.0.2.11", "no")})},
			check: func(t *testing.T, r Result) {
				if len(r.Router.Neighbors) != 1 || r.Router.Neighbors[0].Description != "bgplb a" {
					t.Errorf("neighbors %+v, want only node a", r.Router.Neighbors)
				}
			}},
		{name: "node without the peer's family", opts: Options{Nodes: []Node{{Name: "v6", Addresses: []netip.Addr{netip.MustParseAddr("2001:db8::10")}}}},
			wantErr: "no address of the family"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := resources()
			if tc.edit != nil {
				tc.edit(&r)
			}
			res, err := build(t, r, tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, res)
		})
	}
}

func node(name, addr, bgp string) corev1.Node {
	return corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"bgp": bgp}},
		Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{
			{Type: corev1.NodeHostName, Address: name}, {Type: corev1.NodeInternalIP, Address: addr}}},
	}
}

func TestNodesFrom(t *testing.T) {
	got := NodesFrom([]corev1.Node{
		node("b", "192.0.2.11", "x"),
		{ObjectMeta: metav1.ObjectMeta{Name: "ext"}, Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{{Type: corev1.NodeExternalIP, Address: "198.51.100.5"}}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "none"}},
		node("a", "192.0.2.10", "x"),
	})
	var names []string
	for _, n := range got {
		names = append(names, n.Name+"="+n.Addresses[0].String())
	}
	if s := strings.Join(names, ","); s != "a=192.0.2.10,b=192.0.2.11,ext=198.51.100.5" {
		t.Errorf("nodes %s", s)
	}
}

func ptr[T any](v T) *T { return &v }

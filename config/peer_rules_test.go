package config

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
)

func TestPeerRules(t *testing.T) {
	spec := func(f func(s *v1beta2.BGPPeerSpec)) func(*Resources) {
		return func(r *Resources) { f(&r.Peers[0].Spec) }
	}
	withSecret := func(s corev1.Secret, f func(s *v1beta2.BGPPeerSpec)) func(*Resources) {
		return func(r *Resources) { r.Secrets = append(r.Secrets, s); f(&r.Peers[0].Spec) }
	}
	secretRef := func(s *v1beta2.BGPPeerSpec) { s.PasswordSecret = corev1.SecretReference{Name: "bgp-auth"} }
	pw := map[string]string{"password": "s3cret"}
	nodeSel := func(op metav1.LabelSelectorOperator, vals ...string) metav1.LabelSelector {
		return metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "rack", Operator: op, Values: vals}}}
	}
	const ra = "BGPPeer/router-a"
	runRules(t, []ruleCase{
		{name: "ok"},
		{name: "myASN missing", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.MyASN = 0 }), want: []string{E("peer-myasn-missing", ra, "spec.myASN")}},
		{name: "peer ASN missing", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.ASN = 0 }), want: []string{E("peer-asn-missing", ra, "spec.peerASN")}},
		{name: "dynamic ASN ok", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.ASN, s.DynamicASN = 0, v1beta2.ExternalASNMode })},
		{name: "ASN and dynamic", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.DynamicASN = v1beta2.ExternalASNMode }),
			want: []string{E("peer-asn-conflict", ra, "spec.dynamicASN")}},
		{name: "dynamic invalid", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.ASN, s.DynamicASN = 0, "sometimes" }),
			want: []string{E("peer-dynamicasn-invalid", ra, "spec.dynamicASN")}},
		{name: "no address", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.Address = "" }), want: []string{E("peer-address-missing", ra, "spec.peerAddress")}},
		// Valid MetalLB, but this speaker cannot run it yet: said at lint time.
		{name: "interface ok", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.Address, s.Interface = "", "eth1" }),
			want: []string{W("peer-interface-unsupported", ra, "spec.interface")}},
		{name: "address and interface", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.Interface = "eth1" }),
			want: []string{E("peer-address-conflict", ra, "spec.interface"), W("peer-interface-unsupported", ra, "spec.interface")}},
		{name: "bad interface", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.Address, s.Interface = "", "eth1\nneighbor" }),
			want: []string{W("peer-interface-unsupported", ra, "spec.interface")}},
		{name: "vrf with blank (MetalLB accepts)", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.VRFName = "red vrf" }),
			want: []string{W("peer-vrf-unsupported", ra, "spec.vrf")}},
		{name: "vrf", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.VRFName = "red" }),
			want: []string{W("peer-vrf-unsupported", ra, "spec.vrf")}},
		{name: "bad address", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.Address = "192.0.2.300" }), want: []string{E("peer-address-invalid", ra, "spec.peerAddress")}},
		{name: "v6 address ok", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.Address, s.SrcAddress = "2001:db8::1", "2001:db8::2" })},
		{name: "bad source", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.SrcAddress = "node" }), want: []string{E("peer-source-address-invalid", ra, "spec.sourceAddress")}},
		{name: "source family", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.SrcAddress = "2001:db8::2" }),
			want: []string{E("peer-source-address-invalid", ra, "spec.sourceAddress")}},
		{name: "router ID ok", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.RouterID = "192.0.2.10" })},
		{name: "router ID v6", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.RouterID = "2001:db8::10" }), want: []string{E("peer-router-id-invalid", ra, "spec.routerID")}},
		{name: "hold 0 ok", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.HoldTime = dur("0s") })},
		{name: "hold 3s ok", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.HoldTime = dur("3s") })},
		{name: "hold 2s", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.HoldTime = dur("2s") }), want: []string{E("peer-holdtime-invalid", ra, "spec.holdTime")}},
		{name: "hold too long", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.HoldTime = dur("65536s") }), want: []string{E("peer-holdtime-invalid", ra, "spec.holdTime")}},
		{name: "keepalive above hold", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.HoldTime, s.KeepaliveTime = dur("30s"), dur("60s") }),
			want: []string{E("peer-keepalive-invalid", ra, "spec.keepaliveTime")}},
		{name: "keepalive only ok", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.KeepaliveTime = dur("1s") })},
		{name: "keepalive only too short", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.KeepaliveTime = dur("500ms") }),
			want: []string{E("peer-holdtime-invalid", ra, "spec.keepaliveTime")}},
		{name: "connect ok", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.ConnectTime = dur("10s") })},
		{name: "connect fraction", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.ConnectTime = dur("1500ms") }),
			want: []string{E("peer-connecttime-invalid", ra, "spec.connectTime")}},
		{name: "port ok", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.Port = 1179 })},
		{name: "port too high", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.Port = 20000 }), want: []string{E("peer-port-invalid", ra, "spec.peerPort")}},
		{name: "multihop ebgp ok", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.EBGPMultiHop = true })},
		{name: "multihop ibgp", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.EBGPMultiHop, s.ASN = true, 64513 }),
			want: []string{E("peer-ebgp-multihop-ibgp", ra, "spec.ebgpMultiHop")}},
		{name: "multihop dynamic internal", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.EBGPMultiHop, s.ASN, s.DynamicASN = true, 0, "internal" }),
			want: []string{W("peer-ebgp-multihop-ibgp", ra, "spec.ebgpMultiHop")}},
		{name: "literal password ok", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.Password = "s3cret" })},
		{name: "password and secret", mut: withSecret(secret("bgp-auth", corev1.SecretTypeBasicAuth, pw), func(s *v1beta2.BGPPeerSpec) {
			s.Password = "x"
			secretRef(s)
		}), want: []string{E("peer-password-conflict", ra, "spec.password")}},
		{name: "secret ok", mut: withSecret(secret("bgp-auth", corev1.SecretTypeBasicAuth, pw), secretRef)},
		{name: "secret missing", mut: spec(secretRef), want: []string{W("peer-password-secret-missing", ra, "spec.passwordSecret.name")}},
		{name: "secret in other namespace", mut: func(r *Resources) {
			s := secret("bgp-auth", corev1.SecretTypeBasicAuth, pw)
			s.Namespace = "default"
			r.Secrets = append(r.Secrets, s)
			secretRef(&r.Peers[0].Spec)
		}, want: []string{W("peer-password-secret-missing", ra, "spec.passwordSecret.name")}},
		{name: "secret ref namespace", mut: withSecret(secret("bgp-auth", corev1.SecretTypeBasicAuth, pw), func(s *v1beta2.BGPPeerSpec) {
			s.PasswordSecret = corev1.SecretReference{Name: "bgp-auth", Namespace: "default"}
		}), want: []string{W("peer-password-secret-namespace", ra, "spec.passwordSecret.namespace")}},
		{name: "secret wrong type", mut: withSecret(secret("bgp-auth", corev1.SecretTypeTLS, pw), secretRef),
			want: []string{E("peer-password-secret-type", ra, "spec.passwordSecret.name")}},
		{name: "secret opaque", mut: withSecret(secret("bgp-auth", corev1.SecretTypeOpaque, pw), secretRef),
			want: []string{W("peer-password-secret-opaque", ra, "spec.passwordSecret.name")}},
		{name: "secret without key", mut: withSecret(secret("bgp-auth", corev1.SecretTypeBasicAuth, map[string]string{"username": "x"}), secretRef),
			want: []string{E("peer-password-secret-key", ra, "spec.passwordSecret.name")}},
		{name: "password names an opaque secret", mut: withSecret(secret("bgp-auth", corev1.SecretTypeOpaque, pw), func(s *v1beta2.BGPPeerSpec) { s.Password = "bgp-auth" }),
			want: []string{W("peer-password-names-secret", ra, "spec.password"), W("peer-password-secret-opaque", ra, "spec.password")}},
		{name: "password names a basic-auth secret", mut: withSecret(secret("bgp-auth", corev1.SecretTypeBasicAuth, pw), func(s *v1beta2.BGPPeerSpec) { s.Password = "bgp-auth" }),
			want: []string{W("peer-password-names-secret", ra, "spec.password")}},
		{name: "password names a secret without key", mut: withSecret(secret("bgp-auth", corev1.SecretTypeOpaque, nil), func(s *v1beta2.BGPPeerSpec) { s.Password = "bgp-auth" }),
			want: []string{W("peer-password-names-secret", ra, "spec.password")}},
		{name: "password with newline", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.Password = "a\nb" }), want: []string{W("peer-password-line-break", ra, "spec.password")}},
		{name: "bfd profile ok", mut: func(r *Resources) {
			r.BFDProfiles = append(r.BFDProfiles, bfd("fast", v1beta1.BFDProfileSpec{}))
			r.Peers[0].Spec.BFDProfile = "fast"
		}},
		{name: "bfd profile missing", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.BFDProfile = "fast" }),
			want: []string{E("peer-bfd-profile-missing", ra, "spec.bfdProfile")}},
		{name: "node selectors ok", mut: spec(func(s *v1beta2.BGPPeerSpec) {
			s.NodeSelectors = []metav1.LabelSelector{{MatchLabels: map[string]string{"edge": "true"}}, nodeSel(metav1.LabelSelectorOpIn, "r1")}
		})},
		{name: "node selector bad operator", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.NodeSelectors = []metav1.LabelSelector{nodeSel("Like", "r1")} }),
			want: []string{E("selector-invalid", ra, "spec.nodeSelectors[0]")}},
		{name: "node selector Exists with values", mut: spec(func(s *v1beta2.BGPPeerSpec) {
			s.NodeSelectors = []metav1.LabelSelector{nodeSel(metav1.LabelSelectorOpExists, "r1")}
		}),
			want: []string{E("selector-invalid", ra, "spec.nodeSelectors[0]")}},
		{name: "node selector duplicate", mut: spec(func(s *v1beta2.BGPPeerSpec) {
			s.NodeSelectors = []metav1.LabelSelector{nodeSel(metav1.LabelSelectorOpIn, "r1"), nodeSel(metav1.LabelSelectorOpIn, "r1")}
		}), want: []string{E("selector-duplicate", ra, "spec.nodeSelectors[1]")}},
		{name: "node selector duplicate expression", mut: spec(func(s *v1beta2.BGPPeerSpec) {
			e := nodeSel(metav1.LabelSelectorOpIn, "r1", "r2")
			e.MatchExpressions = append(e.MatchExpressions, metav1.LabelSelectorRequirement{Key: "rack", Operator: "In", Values: []string{"r2", "r1"}})
			s.NodeSelectors = []metav1.LabelSelector{e}
		}), want: []string{E("selector-duplicate", ra, "spec.nodeSelectors[0].matchExpressions[1]")}},
		{name: "duplicate peer", mut: func(r *Resources) { r.Peers = append(r.Peers, peer("router-b", 64513, 64512, "192.0.2.1")) },
			want: []string{W("peer-duplicate", "BGPPeer/router-b", "spec")}},
		{name: "same router from disjoint nodes ok", mut: func(r *Resources) {
			b := peer("router-b", 64513, 64512, "192.0.2.1")
			b.Spec.NodeSelectors = []metav1.LabelSelector{nodeSel(metav1.LabelSelectorOpIn, "r2")}
			r.Peers[0].Spec.NodeSelectors = []metav1.LabelSelector{nodeSel(metav1.LabelSelectorOpIn, "r1")}
			r.Peers = append(r.Peers, b)
			r.Nodes = append(r.Nodes, node("n1", map[string]string{"rack": "r1"}), node("n2", map[string]string{"rack": "r2"}))
		}},
		{name: "same router from overlapping nodes", mut: func(r *Resources) {
			b := peer("router-b", 64513, 64512, "192.0.2.1")
			b.Spec.NodeSelectors = []metav1.LabelSelector{nodeSel(metav1.LabelSelectorOpExists)}
			r.Peers[0].Spec.NodeSelectors = []metav1.LabelSelector{nodeSel(metav1.LabelSelectorOpIn, "r1")}
			r.Peers = append(r.Peers, b)
			r.Nodes = append(r.Nodes, node("n1", map[string]string{"rack": "r1"}))
		}, want: []string{W("peer-duplicate", "BGPPeer/router-b", "spec")}},
		{name: "routerID differs on a shared node", mut: func(r *Resources) {
			r.Peers[0].Spec.RouterID = "192.0.2.100"
			r.Peers = append(r.Peers, peer("router-b", 64513, 64512, "192.0.2.2"))
		}, want: []string{E("peer-router-id-differs", "BGPPeer/router-b", "spec.routerID")}},
		{name: "routerID differs on disjoint nodes ok", mut: func(r *Resources) {
			b := peer("router-b", 64513, 64512, "192.0.2.2")
			b.Spec.RouterID, b.Spec.NodeSelectors = "192.0.2.101", []metav1.LabelSelector{nodeSel(metav1.LabelSelectorOpIn, "r2")}
			r.Peers[0].Spec.NodeSelectors = []metav1.LabelSelector{nodeSel(metav1.LabelSelectorOpIn, "r1")}
			r.Peers = append(r.Peers, b)
			r.Nodes = append(r.Nodes, node("n1", map[string]string{"rack": "r1"}), node("n2", map[string]string{"rack": "r2"}))
		}},
		{name: "myASN differs on a shared node", mut: func(r *Resources) { r.Peers = append(r.Peers, peer("router-b", 64600, 64512, "192.0.2.2")) },
			want: []string{E("peer-myasn-differs", "BGPPeer/router-b", "spec.myASN")}},
		{name: "negative keepalive below a valid hold time", mut: spec(func(s *v1beta2.BGPPeerSpec) { s.HoldTime, s.KeepaliveTime = dur("90s"), dur("-5s") }),
			want: []string{W("peer-keepalive-negative", ra, "spec.keepaliveTime")}},
		{name: "missing BFD profile, peer selects no node", mut: func(r *Resources) {
			r.Peers[0].Spec.BFDProfile = "nope"
			r.Peers[0].Spec.NodeSelectors = []metav1.LabelSelector{nodeSel(metav1.LabelSelectorOpIn, "r9")}
			r.Nodes = append(r.Nodes, node("n1", map[string]string{"rack": "r1"}))
		}, want: []string{W("peer-bfd-profile-missing", ra, "spec.bfdProfile")}},
		{name: "duplicate name across versions", mut: func(r *Resources) {
			r.LegacyPeers = append(r.LegacyPeers, v1beta1.BGPPeer{ObjectMeta: meta("router-a"), Spec: v1beta1.BGPPeerSpec{MyASN: 1, ASN: 2, Address: "192.0.2.9"}})
		}, want: []string{E("duplicate-name", ra, "metadata.name"), W("peer-legacy-version", ra, "apiVersion")}},
		{name: "legacy peer", mut: func(r *Resources) {
			r.LegacyPeers = append(r.LegacyPeers, v1beta1.BGPPeer{ObjectMeta: meta("router-old"), Spec: v1beta1.BGPPeerSpec{
				MyASN: 64513, ASN: 64512, Address: "192.0.2.9", HoldTime: *dur("9s"),
				NodeSelectors: []v1beta1.NodeSelector{{MatchExpressions: []v1beta1.MatchExpression{{Key: "rack", Operator: "In", Values: []string{"r1"}}}}},
			}})
		}, want: []string{W("peer-legacy-version", "BGPPeer/router-old", "apiVersion")}},
		{name: "legacy peer invalid", mut: func(r *Resources) {
			r.LegacyPeers = append(r.LegacyPeers, v1beta1.BGPPeer{ObjectMeta: meta("router-old"), Spec: v1beta1.BGPPeerSpec{MyASN: 64513, Address: "192.0.2.9"}})
		}, want: []string{W("peer-legacy-version", "BGPPeer/router-old", "apiVersion"), E("peer-asn-missing", "BGPPeer/router-old", "spec.peerASN")}},
	})
}

func TestPeerTimers(t *testing.T) {
	for _, c := range []struct {
		hold, keep string // "" = unset
		wantH      string
		wantK      string
	}{
		{"", "", "90s", "30s"},
		{"9s", "", "9s", "3s"},
		{"", "10s", "30s", "10s"},
		{"0s", "", "0s", "0s"},
		{"240s", "60s", "240s", "60s"},
	} {
		r := base()
		s := &r.Peers[0].Spec
		if c.hold != "" {
			s.HoldTime = dur(c.hold)
		}
		if c.keep != "" {
			s.KeepaliveTime = dur(c.keep)
		}
		cfg, fs := For(r, Options{})
		if cfg == nil {
			t.Fatalf("%+v: %s", c, dump(fs))
		}
		p := cfg.Peer("router-a")
		if p.HoldTime != dur(c.wantH).Duration || p.KeepaliveTime != dur(c.wantK).Duration {
			t.Errorf("hold %q keepalive %q: got %s/%s, want %s/%s", c.hold, c.keep, p.HoldTime, p.KeepaliveTime, c.wantH, c.wantK)
		}
	}
}

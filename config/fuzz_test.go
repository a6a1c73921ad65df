package config

import (
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
)

// FuzzFor builds a configuration from fuzzed addresses, communities, timers and
// selectors and checks For's contract: it never panics, the Config is nil exactly
// when there is an error, every finding names a code and kind, and a Config it
// returns is internally consistent.
func FuzzFor(f *testing.F) {
	f.Add("198.51.100.0/24", "198.51.100.10-198.51.100.20", "192.0.2.1", "64512:100", "no-export", "rack", "In", "r1", uint32(64513), uint32(64512), int64(90e9), int64(30e9), int32(32), uint32(300), false)
	f.Add("2001:db8::/64", "2001:db8:1::1-2001:db8:1::ff", "2001:db8::1", "large:1:2:3", "gold", "rack", "Exists", "", uint32(1), uint32(1), int64(0), int64(-1), int32(128), uint32(5), true)
	f.Add("", "-", "", ":", "c1", "", "NotIn", "a,a", uint32(0), uint32(0), int64(1), int64(1<<62), int32(-1), uint32(1<<31), true)
	f.Fuzz(func(t *testing.T, addr1, addr2, peerAddr, comm1, comm2, selKey, selOp, selVals string,
		myASN, peerASN uint32, hold, keep int64, agg int32, bfdVal uint32, echo bool) {
		vals := strings.Split(selVals, ",")
		sel := metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: selKey, Operator: metav1.LabelSelectorOperator(selOp), Values: vals}}}
		r := Resources{
			Pools: []v1beta1.IPAddressPool{pool("p1", addr1, addr2), pool("p2", addr2)},
			Peers: []v1beta2.BGPPeer{peer("r1", myASN, peerASN, peerAddr), peer("r2", myASN, myASN, addr1)},
			LegacyPeers: []v1beta1.BGPPeer{{ObjectMeta: meta("old"), Spec: v1beta1.BGPPeerSpec{MyASN: myASN, ASN: peerASN, Address: addr2,
				HoldTime: metav1.Duration{Duration: time.Duration(hold)}, NodeSelectors: []v1beta1.NodeSelector{{MatchExpressions: []v1beta1.MatchExpression{{Key: selKey, Operator: selOp, Values: vals}}}}}}},
			BGPAdvertisements: []v1beta1.BGPAdvertisement{
				adv("a1", v1beta1.BGPAdvertisementSpec{Communities: []string{comm1, comm2}, AggregationLength: &agg, LocalPref: bfdVal, NodeSelectors: []metav1.LabelSelector{sel}}),
				adv("a2", v1beta1.BGPAdvertisementSpec{IPAddressPools: []string{"p1", comm2}, Peers: []string{"r1", comm1}, AggregationLengthV6: &agg, LocalPref: myASN,
					IPAddressPoolSelectors: []metav1.LabelSelector{sel}}),
			},
			Communities: []v1beta1.Community{community("c1", comm2, comm1, "x", comm2), community(comm1, "y", addr1)},
			BFDProfiles: []v1beta1.BFDProfile{bfd("b1", v1beta1.BFDProfileSpec{ReceiveInterval: &bfdVal, DetectMultiplier: &bfdVal, EchoMode: &echo})},
			Secrets:     []corev1.Secret{secret(comm1, corev1.SecretType(selOp), map[string]string{"password": selVals})},
			Nodes:       []corev1.Node{node("n1", map[string]string{"rack": "r1"})},
		}
		r.Pools[1].Spec.AllocateTo = &v1beta1.ServiceAllocation{Namespaces: vals, NamespaceSelectors: []metav1.LabelSelector{sel}, ServiceSelectors: []metav1.LabelSelector{sel, sel}}
		s := &r.Peers[0].Spec
		s.HoldTime, s.KeepaliveTime, s.ConnectTime = &metav1.Duration{Duration: time.Duration(hold)}, &metav1.Duration{Duration: time.Duration(keep)}, &metav1.Duration{Duration: time.Duration(keep)}
		s.SrcAddress, s.RouterID, s.Password, s.BFDProfile, s.NodeSelectors = addr2, peerAddr, comm1, "b1", []metav1.LabelSelector{sel}
		if echo {
			s.PasswordSecret.Name, s.Interface, s.DynamicASN = comm1, selKey, v1beta2.DynamicASNMode(selOp)
		}

		cfg, fs := For(r, Options{})
		if (cfg == nil) != fs.HasErrors() {
			t.Fatalf("Config nil = %v but HasErrors = %v", cfg == nil, fs.HasErrors())
		}
		for _, f := range fs {
			if f.Code == "" || f.Kind == "" || f.Message == "" {
				t.Fatalf("incomplete finding %+v", f)
			}
		}
		if cfg == nil {
			return
		}
		for _, p := range cfg.Pools {
			for _, x := range p.Prefixes {
				if !p.Contains(x.Addr()) || x != x.Masked() {
					t.Fatalf("pool %s has bad prefix %s", p.Name, x)
				}
			}
		}
		for _, p := range cfg.Peers {
			if p.KeepaliveTime > p.HoldTime {
				t.Fatalf("peer %s timers %s/%s", p.Name, p.KeepaliveTime, p.HoldTime)
			}
			if p.Password.IsSet() && fmt.Sprint(p.Password) != redacted {
				t.Fatalf("peer %s password prints as %q", p.Name, fmt.Sprint(p.Password))
			}
		}
	})
}

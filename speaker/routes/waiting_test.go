package routes

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta2"
)

// TestPeersThatWait: a peer that waits for something (config.Peer.Waiting) runs
// nowhere, and of two peers to one address that both select this node only the first
// by name runs (the configuration could not tell their selectors overlap).
func TestPeersThatWait(t *testing.T) {
	r := baseResources()
	sel := func(k, v string) []metav1.LabelSelector {
		return []metav1.LabelSelector{{MatchLabels: map[string]string{k: v}}}
	}
	a, b := peer("router-a", 64513, 64512, "192.0.2.1"), peer("router-b", 64513, 64512, "192.0.2.1")
	a.Spec.NodeSelectors, b.Spec.NodeSelectors = sel("zone", "a"), sel("kubernetes.io/hostname", myNode)
	secret := peer("router-c", 64513, 64512, "192.0.2.3")
	secret.Spec.PasswordSecret.Name = "not-yet"
	r.Peers = []v1beta2.BGPPeer{a, b, secret}
	res := Desired(mustConfig(t, r), baseNode(), nil, Options{})
	got := map[string]string{}
	for _, d := range res.PeerDecisions {
		got[d.Peer] = d.Reason
	}
	want := map[string]string{"router-a": ReasonPeerRuns, "router-b": ReasonPeerWaiting, "router-c": ReasonPeerWaiting}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q (all %v)", k, got[k], v, got)
		}
	}
	var running []string
	for name := range res.State.Peers {
		running = append(running, name)
	}
	if !slices.Equal(running, []string{"router-a"}) {
		t.Errorf("running %v, want [router-a]", running)
	}
}

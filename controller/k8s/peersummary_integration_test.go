package k8s_test

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	. "github.com/onsi/gomega"

	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/controller/k8s"
)

func TestPeerSummary(t *testing.T) {
	e, s, text := k8s.PeerSummary(v1beta2.BGPPeerStatus{Nodes: []v1beta2.BGPPeerNodeStatus{
		{Node: "a", Session: "Established"}, {Node: "b", Session: "Active"}, {Node: "c", Session: "Established"}}})
	if e != 2 || s != 3 || text != "2/3" {
		t.Errorf("summary %d %d %q, want 2 3 2/3", e, s, text)
	}
}

// TestIntegrationPeerSummary: the speakers' nodes[] entries become the counts the
// Established column of `kubectl get bgppeers` shows.
func TestIntegrationPeerSummary(t *testing.T) {
	e := newEnv(t)
	e.controller(k8s.Options{})
	ctx := context.Background()
	p := &v1beta2.BGPPeer{ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: "r1"},
		Spec: v1beta2.BGPPeerSpec{MyASN: 64512, ASN: 64513, Address: "192.0.2.1"}}
	e.g.Expect(e.c.Create(ctx, p)).To(Succeed())
	p.Status.Nodes = []v1beta2.BGPPeerNodeStatus{{Node: "n1", Session: "Established"}, {Node: "n2", Session: "Active"}}
	e.g.Expect(e.c.Status().Update(ctx, p)).To(Succeed())
	e.g.Eventually(func() string {
		var got v1beta2.BGPPeer
		_ = e.c.Get(ctx, types.NamespacedName{Namespace: e.ns, Name: "r1"}, &got)
		return got.Status.Sessions
	}).WithTimeout(20 * time.Second).Should(Equal("1/2"))
}

package k8s

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrl "sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/bgplb/bgplb/api/v1beta2"
)

// PeerSummary is what `kubectl get bgppeers` shows in its Established column:
// nodes whose session is Established, nodes that run the peer (one nodes[] entry
// each, written by that node's speaker), and "established/selected".
func PeerSummary(st v1beta2.BGPPeerStatus) (established, selected int32, sessions string) {
	for _, n := range st.Nodes {
		if n.Session == "Established" {
			established++
		}
	}
	selected = int32(len(st.Nodes))
	return established, selected, fmt.Sprintf("%d/%d", established, selected)
}

// peerSummary keeps a BGPPeer's status counts in step with its nodes[] entries.
// Each speaker owns only its own entry, so the sum is the controller's to write.
type peerSummary struct{ client client.Client }

func (r *peerSummary) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var p v1beta2.BGPPeer
	if err := r.client.Get(ctx, req.NamespacedName, &p); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	e, s, text := PeerSummary(p.Status)
	if p.Status.Established == e && p.Status.Selected == s && p.Status.Sessions == text {
		return ctrl.Result{}, nil
	}
	patch := client.RawPatch("application/merge-patch+json",
		fmt.Appendf(nil, `{"status":{"established":%d,"selected":%d,"sessions":%q}}`, e, s, text))
	if err := r.client.Status().Patch(ctx, &p, patch); err != nil {
		return ctrl.Result{}, fmt.Errorf("BGPPeer %s status summary: %w", req.NamespacedName, err)
	}
	return ctrl.Result{}, nil
}

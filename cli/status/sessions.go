package status

import (
	"cmp"
	"slices"
	"time"

	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/cli/snapshot"
	"github.com/bgplb/bgplb/speaker/routes"
)

// ReasonNodeNotFound marks a node that only BGPPeer status entries name: its Node
// object is gone, and so, most likely, is its speaker.
const ReasonNodeNotFound = "notFound"

// nodes lists every Node, then every node named only in a status entry, each with
// one Session per BGPPeer object (by name) that runs there or reports from there.
func nodes(s *snapshot.Snapshot, ev snapshot.Evaluation, now time.Time) []Node {
	peers := slices.Clone(s.Resources.Peers)
	slices.SortFunc(peers, func(a, b v1beta2.BGPPeer) int { return cmp.Compare(a.Name, b.Name) })
	out := []Node{}
	known := map[string]bool{}
	for _, n := range s.Nodes {
		known[n.Name] = true
		res := ev.Nodes[n.Name]
		out = append(out, Node{Name: n.Name, Reason: nodeReason(n, s.RouteOptions), Sessions: sessions(n.Name, peers, &res, now)})
	}
	var stale []string
	for _, p := range peers {
		for _, e := range p.Status.Nodes {
			if !known[e.Node] && !slices.Contains(stale, e.Node) {
				stale = append(stale, e.Node)
			}
		}
	}
	slices.Sort(stale)
	for _, name := range stale {
		out = append(out, Node{Name: name, Reason: ReasonNodeNotFound, Sessions: sessions(name, peers, nil, now)})
	}
	return out
}

// nodeReason is the node-wide reason of routes.Desired, from the same inputs.
func nodeReason(n routes.Node, opts routes.Options) string {
	switch {
	case n.NetworkUnavailable:
		return routes.ReasonNetworkUnavailable
	case n.Excluded() && !opts.IgnoreExcludeLB:
		return routes.ReasonNodeExcluded
	}
	return ""
}

// sessions joins what the configuration decides for the node (res; nil for a node
// that does not exist) with what its speaker reported. A peer that neither runs here
// nor has a report from here is listed only when the configuration says why.
func sessions(node string, peers []v1beta2.BGPPeer, res *routes.Result, now time.Time) []Session {
	out := []Session{}
	for _, p := range peers {
		s := Session{Peer: p.Name, Address: cmp.Or(p.Spec.Address, p.Spec.Interface)}
		decided := false
		if res != nil {
			if i := slices.IndexFunc(res.PeerDecisions, func(d routes.PeerDecision) bool { return d.Peer == p.Name }); i >= 0 {
				s.Runs, s.Reason, decided = res.PeerDecisions[i].Runs, res.PeerDecisions[i].Reason, true
				s.DesiredPrefixes = len(res.State.Peers[p.Name].Routes)
			}
		}
		reported := false
		if i := slices.IndexFunc(p.Status.Nodes, func(e v1beta2.BGPPeerNodeStatus) bool { return e.Node == node }); i >= 0 {
			reported = true
			fill(&s, p.Status.Nodes[i], now)
		}
		if decided || reported {
			out = append(out, s)
		}
	}
	return out
}

func fill(s *Session, e v1beta2.BGPPeerNodeStatus, now time.Time) {
	s.State, s.BFD, s.AdvertisedPrefixes, s.LastError = e.Session, e.BFD, e.AdvertisedPrefixes, e.LastError
	if e.Since == nil {
		return
	}
	t := e.Since.UTC()
	s.Since = &t
	if e.Session == "Established" && !now.IsZero() && now.After(t) {
		s.UptimeSeconds = int64(now.Sub(t) / time.Second)
	}
}

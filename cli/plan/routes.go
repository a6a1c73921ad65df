package plan

import (
	"cmp"
	"slices"

	"github.com/bgplb/bgplb/cli/snapshot"
	"github.com/bgplb/bgplb/speaker/routes"
)

// NodeChange is what would change on one node's speaker.
type NodeChange struct {
	Node         string          `json:"node"`
	PeersAdded   []string        `json:"peersAdded"`
	PeersRemoved []string        `json:"peersRemoved"`
	Sessions     []SessionChange `json:"sessions"`
	Routes       []RouteChange   `json:"routes"`
}

// SessionChange is a running session whose parameters change.
type SessionChange struct {
	Peer string `json:"peer"`
	// Fields are the BGPPeer spec fields that change.
	Fields []string `json:"fields"`
	// Reset is true when one of them needs the session torn down and opened again.
	Reset bool `json:"reset"`
}

// RouteChange is what one peer of the node would be sent.
type RouteChange struct {
	Peer string `json:"peer"`
	// Withdrawn are prefixes no longer announced (all of a closed session's).
	Withdrawn []string      `json:"withdrawn"`
	Added     []Route       `json:"added"`
	Changed   []AttrsChange `json:"changed"`
}

// Route is an announced prefix with its attributes.
type Route struct {
	Prefix string `json:"prefix"`
	Attrs
}

// Attrs are the path attributes the configuration sets.
type Attrs struct {
	LocalPref   uint32   `json:"localPref,omitempty"`
	Communities []string `json:"communities"`
}

// AttrsChange is a prefix announced before and after with other attributes: an
// UPDATE replacing the path, not a withdrawal.
type AttrsChange struct {
	Prefix string `json:"prefix"`
	Old    Attrs  `json:"old"`
	New    Attrs  `json:"new"`
}

// Disruptive reports whether the node would withdraw a prefix or reset or close a
// session.
func (n NodeChange) Disruptive() bool {
	if len(n.PeersRemoved) > 0 || slices.ContainsFunc(n.Sessions, func(s SessionChange) bool { return s.Reset }) {
		return true
	}
	return slices.ContainsFunc(n.Routes, func(r RouteChange) bool { return len(r.Withdrawn) > 0 })
}

func (n NodeChange) empty() bool {
	return len(n.PeersAdded)+len(n.PeersRemoved)+len(n.Sessions)+len(n.Routes) == 0
}

// nodeChanges diffs every node's desired state, old against new; a node that
// exists on one side only runs nothing on the other.
func nodeChanges(cur, next snapshot.Evaluation, nodes []string) []NodeChange {
	out := []NodeChange{}
	for _, name := range nodes {
		have, want := cur.Nodes[name].State, next.Nodes[name].State
		n := nodeChange(name, have, routes.Diff(have, want))
		if !n.empty() {
			out = append(out, n)
		}
	}
	return out
}

func nodeChange(name string, have routes.State, p routes.Plan) NodeChange {
	n := NodeChange{Node: name, PeersAdded: []string{}, PeersRemoved: slices.Clone(p.RemovePeers), Sessions: []SessionChange{}, Routes: []RouteChange{}}
	if n.PeersRemoved == nil {
		n.PeersRemoved = []string{}
	}
	for _, s := range p.AddPeers {
		n.PeersAdded = append(n.PeersAdded, s.Name)
	}
	for _, u := range p.UpdatePeers {
		n.Sessions = append(n.Sessions, SessionChange{Peer: u.New.Name, Fields: u.Changed, Reset: u.Reset})
	}
	// A closed session withdraws everything it carried; Diff leaves that implicit.
	for _, peer := range p.RemovePeers {
		rc := RouteChange{Peer: peer, Withdrawn: []string{}, Added: []Route{}, Changed: []AttrsChange{}}
		for _, r := range have.Peers[peer].Routes.Sorted() {
			rc.Withdrawn = append(rc.Withdrawn, r.Prefix.String())
		}
		if len(rc.Withdrawn) > 0 {
			n.Routes = append(n.Routes, rc)
		}
	}
	for _, rc := range p.Routes {
		n.Routes = append(n.Routes, routeChange(rc, have.Peers[rc.Peer].Routes))
	}
	slices.SortStableFunc(n.Routes, func(a, b RouteChange) int { return cmp.Compare(a.Peer, b.Peer) })
	return n
}

func routeChange(rc routes.RouteChanges, had routes.RouteSet) RouteChange {
	out := RouteChange{Peer: rc.Peer, Withdrawn: []string{}, Added: []Route{}, Changed: []AttrsChange{}}
	for _, pfx := range rc.Withdraw {
		out.Withdrawn = append(out.Withdrawn, pfx.String())
	}
	for _, r := range rc.Add {
		out.Added = append(out.Added, Route{Prefix: r.Prefix.String(), Attrs: attrs(r.Attrs)})
	}
	for _, r := range rc.Replace {
		out.Changed = append(out.Changed, AttrsChange{Prefix: r.Prefix.String(), Old: attrs(had[r.Prefix]), New: attrs(r.Attrs)})
	}
	return out
}

func attrs(a routes.Attrs) Attrs {
	out := Attrs{LocalPref: a.LocalPref, Communities: make([]string, len(a.Communities))}
	for i, c := range a.Communities {
		out.Communities[i] = c.String()
	}
	return out
}

// unionNodes is every node of either snapshot, by name.
func unionNodes(a, b *snapshot.Snapshot) []string {
	names := append(a.NodeNames(), b.NodeNames()...)
	slices.Sort(names)
	return slices.Compact(names)
}

package routes

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
)

// Plan turns a running State into a desired one. The router port executes it in
// field order:
//
//  1. RemovePeers: stop these sessions. Removing a peer withdraws everything it was
//     sent (the router drops a closed session's routes), so a Plan never lists
//     withdrawals for a removed peer. Removals go first so that a peer renamed with
//     the same address never exists twice.
//  2. UpdatePeers: change parameters of running sessions. With Reset the port tears
//     the session down and opens it again; the routes the peer keeps after this Plan
//     must be sent again when it comes back (GoBGP does this itself when paths live
//     in its RIB). Without Reset the change applies in place.
//  3. AddPeers: open new sessions.
//  4. Routes, per peer: Add, then Replace, then Withdraw (make before break: when an
//     aggregation length changes, the /24 is announced before the /32s go). Routes
//     for a peer added in step 3 come after it exists.
//
// Every list is sorted (peers by name, routes by prefix) so plans are comparable.
type Plan struct {
	RemovePeers []string
	UpdatePeers []PeerUpdate
	AddPeers    []Session
	Routes      []RouteChanges
}

// PeerUpdate is a running session whose parameters change.
type PeerUpdate struct {
	Old, New Session
	// Changed names the BGPPeer fields that differ, as spelled in the spec
	// ("holdTime", "password", ...), for logs and events: never their values.
	Changed []string
	// Reset says the change needs the session torn down and opened again.
	Reset bool
}

// RouteChanges are the route updates toward one peer.
type RouteChanges struct {
	Peer string
	// Add are prefixes not announced yet; Replace are announced prefixes whose
	// attributes (communities, LOCAL_PREF, next hop) change, sent as a new UPDATE for
	// the same prefix (an implicit withdraw, RFC 4271 §3.1) without a session reset.
	Add, Replace []Route
	Withdraw     []netip.Prefix
}

// Empty reports whether the Plan changes nothing.
func (p Plan) Empty() bool {
	return len(p.RemovePeers) == 0 && len(p.UpdatePeers) == 0 && len(p.AddPeers) == 0 && len(p.Routes) == 0
}

// Diff returns the Plan that turns running into desired. Cost is O(routes of both
// states) map lookups plus sorting the changes.
func Diff(running, desired State) Plan {
	var p Plan
	for name := range running.Peers {
		if _, ok := desired.Peers[name]; !ok {
			p.RemovePeers = append(p.RemovePeers, name)
		}
	}
	for name, want := range desired.Peers {
		have, ok := running.Peers[name]
		if !ok {
			p.AddPeers = append(p.AddPeers, want.Session)
			if rc := diffRoutes(name, nil, want.Routes); rc != nil {
				p.Routes = append(p.Routes, *rc)
			}
			continue
		}
		if have.Session != want.Session {
			changed, reset := changes(&have.Session, &want.Session)
			p.UpdatePeers = append(p.UpdatePeers, PeerUpdate{Old: have.Session, New: want.Session, Changed: changed, Reset: reset})
		}
		if rc := diffRoutes(name, have.Routes, want.Routes); rc != nil {
			p.Routes = append(p.Routes, *rc)
		}
	}
	slices.Sort(p.RemovePeers)
	slices.SortFunc(p.UpdatePeers, func(a, b PeerUpdate) int { return cmp.Compare(a.New.Name, b.New.Name) })
	slices.SortFunc(p.AddPeers, func(a, b Session) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(p.Routes, func(a, b RouteChanges) int { return cmp.Compare(a.Peer, b.Peer) })
	return p
}

// diffRoutes compares one peer's route sets; nil means nothing changes.
func diffRoutes(peer string, have, want RouteSet) *RouteChanges {
	rc := RouteChanges{Peer: peer}
	found := 0
	for pfx, a := range want {
		old, ok := have[pfx]
		switch {
		case !ok:
			rc.Add = append(rc.Add, Route{Prefix: pfx, Attrs: a})
		case !old.Equal(a):
			found++
			rc.Replace = append(rc.Replace, Route{Prefix: pfx, Attrs: a})
		default:
			found++
		}
	}
	// When every running route is still wanted there is nothing to withdraw, and
	// the second pass (half the lookups of a large, steady set) is skipped.
	if found < len(have) {
		for pfx := range have {
			if _, ok := want[pfx]; !ok {
				rc.Withdraw = append(rc.Withdraw, pfx)
			}
		}
	}
	if len(rc.Add) == 0 && len(rc.Replace) == 0 && len(rc.Withdraw) == 0 {
		return nil
	}
	byPrefix := func(x, y Route) int { return comparePrefix(x.Prefix, y.Prefix) }
	slices.SortFunc(rc.Add, byPrefix)
	slices.SortFunc(rc.Replace, byPrefix)
	slices.SortFunc(rc.Withdraw, comparePrefix)
	return &rc
}

// Apply returns the State that results from executing p on s, in the Plan's order;
// s is not modified. It checks what a router would refuse (adding a peer twice,
// routes for a peer that does not run, withdrawing or replacing a route that is not
// announced) and reports every such step at once, applying the others.
func (s State) Apply(p Plan) (State, error) {
	out := s.Clone()
	var errs []error
	for _, name := range p.RemovePeers {
		if _, ok := out.Peers[name]; !ok {
			errs = append(errs, fmt.Errorf("remove peer %q: not running", name))
		}
		delete(out.Peers, name)
	}
	for _, u := range p.UpdatePeers {
		cur, ok := out.Peers[u.Old.Name]
		if !ok {
			errs = append(errs, fmt.Errorf("update peer %q: not running", u.Old.Name))
			continue
		}
		cur.Session = u.New
		out.Peers[u.Old.Name] = cur
	}
	for _, sess := range p.AddPeers {
		if _, ok := out.Peers[sess.Name]; ok {
			errs = append(errs, fmt.Errorf("add peer %q: already running", sess.Name))
			continue
		}
		out.Peers[sess.Name] = Peer{Session: sess, Routes: RouteSet{}}
	}
	for _, rc := range p.Routes {
		cur, ok := out.Peers[rc.Peer]
		if !ok {
			errs = append(errs, fmt.Errorf("routes for peer %q: not running", rc.Peer))
			continue
		}
		errs = append(errs, cur.Routes.apply(rc)...)
	}
	return out, joinErrors(errs)
}

func (rs RouteSet) apply(rc RouteChanges) []error {
	var errs []error
	for _, r := range rc.Add {
		if _, ok := rs[r.Prefix]; ok {
			errs = append(errs, fmt.Errorf("peer %q: add %s: already announced", rc.Peer, r.Prefix))
		}
		rs[r.Prefix] = r.Attrs
	}
	for _, r := range rc.Replace {
		if _, ok := rs[r.Prefix]; !ok {
			errs = append(errs, fmt.Errorf("peer %q: replace %s: not announced", rc.Peer, r.Prefix))
		}
		rs[r.Prefix] = r.Attrs
	}
	for _, pfx := range rc.Withdraw {
		if _, ok := rs[pfx]; !ok {
			errs = append(errs, fmt.Errorf("peer %q: withdraw %s: not announced", rc.Peer, pfx))
		}
		delete(rs, pfx)
	}
	return errs
}

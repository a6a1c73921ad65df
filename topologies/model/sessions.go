package model

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// shared returns the link two nodes share, preferring a veth pair (a dedicated link) to a
// LAN, and otherwise the first in Lab order.
func (r *resolver) shared(a, b string) (LabLink, bool) {
	var found []LabLink
	for _, l := range r.lab.Links {
		if slices.ContainsFunc(l.Ends, func(e LinkEnd) bool { return e.Node == a }) &&
			slices.ContainsFunc(l.Ends, func(e LinkEnd) bool { return e.Node == b }) {
			found = append(found, l)
		}
	}
	for _, l := range found {
		if l.Kind == LinkVeth {
			return l, true
		}
	}
	if len(found) == 0 {
		return LabLink{}, false
	}
	return found[0], true
}

func endOf(l LabLink, node string) LinkEnd {
	for _, e := range l.Ends {
		if e.Node == node {
			return e
		}
	}
	return LinkEnd{}
}

// expandSessions creates the router-router and router-speaker sessions, one per family.
func (r *resolver) expandSessions() {
	r.routerSessions()
	r.speakerSessions()
	order := func(n string) int { return r.index[n] }
	kindRank := map[SessionKind]int{SessionIBGP: 0, SessionEBGP: 0, SessionSpeaker: 1}
	slices.SortStableFunc(r.lab.Sessions, func(x, y Session) int {
		return cmp.Or(
			cmp.Compare(kindRank[x.Kind], kindRank[y.Kind]),
			cmp.Compare(order(x.A.Node), order(y.A.Node)),
			cmp.Compare(order(x.B.Node), order(y.B.Node)),
			cmp.Compare(famIndex(x.A.Address), famIndex(y.A.Address)))
	})
	r.checkSessionCaps()
}

func (r *resolver) routerSessions() {
	var pairs [][2]string
	obj := "routerSessions"
	if r.t.RouterSessions != nil {
		pairs = *r.t.RouterSessions
	} else {
		for _, l := range r.lab.Links {
			if l.Kind == LinkVeth && len(l.Ends) == 2 && r.isRouter(l.Ends[0].Node) && r.isRouter(l.Ends[1].Node) {
				pairs = append(pairs, [2]string{l.Ends[0].Node, l.Ends[1].Node})
			}
		}
	}
	seen := map[[2]string]bool{}
	for i, p := range pairs {
		field := fmt.Sprintf("[%d]", i)
		bad := false
		for _, n := range p {
			if !r.isRouter(n) {
				r.f.add(obj, field, fmt.Sprintf("%q is not a router", n), "list pairs of router names")
				bad = true
			}
		}
		key := p
		if key[0] > key[1] {
			key[0], key[1] = key[1], key[0]
		}
		if bad || p[0] == p[1] || seen[key] {
			if !bad {
				r.f.add(obj, field, fmt.Sprintf("pair %s-%s repeats a router or a pair", p[0], p[1]), "list each pair of distinct routers once")
			}
			continue
		}
		seen[key] = true
		link, ok := r.shared(p[0], p[1])
		if !ok {
			r.f.add(obj, field, fmt.Sprintf("routers %s and %s share no link (multihop sessions are not modelled)", p[0], p[1]), "link them, or drop the pair")
			continue
		}
		set := r.agree(fmt.Sprintf("router session %s-%s", p[0], p[1]), r.settings[p[0]].Routers, r.settings[p[1]].Routers)
		a, b := r.lab.Nodes[r.index[p[0]]], r.lab.Nodes[r.index[p[1]]]
		kind := SessionEBGP
		if a.ASN == b.ASN {
			kind = SessionIBGP
		}
		r.addSessions(kind, a, b, link, set, "node "+p[0]+" routers")
	}
}

func (r *resolver) isRouter(n string) bool {
	i, ok := r.index[n]
	return ok && r.lab.Nodes[i].Role == RoleRouter
}

// agree merges the two routers' settings for a session between them; both ends must
// agree on every field either sets (a password set on one side only would never connect).
func (r *resolver) agree(obj string, a, b *SessionSettings) *SessionSettings {
	if a == nil || b == nil {
		return cmp.Or(a, b)
	}
	m := overSession(a, b)
	diff := func(field string, x, y any, set bool) {
		if set && x != y {
			r.f.add(obj, "routers."+field, fmt.Sprintf("the two routers disagree (%v vs %v)", x, y), "set it where both routers inherit it (defaults, kind or a shared group)")
		}
	}
	diff("password", deref(a.Password), deref(b.Password), a.Password != nil && b.Password != nil)
	diff("holdTime", durOf(a.HoldTime), durOf(b.HoldTime), a.HoldTime != nil && b.HoldTime != nil)
	diff("keepaliveTime", durOf(a.KeepaliveTime), durOf(b.KeepaliveTime), a.KeepaliveTime != nil && b.KeepaliveTime != nil)
	diff("bfd", deref(a.BFD), deref(b.BFD), a.BFD != nil && b.BFD != nil)
	diff("ttlSecurity", deref(a.TTLSecurity), deref(b.TTLSecurity), a.TTLSecurity != nil && b.TTLSecurity != nil)
	return m
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func (r *resolver) speakerSessions() {
	for _, n := range r.lab.Nodes {
		if n.Role != RoleK8sNode {
			continue
		}
		obj := "node " + n.Name
		peers := r.settings[n.Name].Peers
		explicit := peers != nil
		if !explicit {
			for _, l := range r.lab.Links {
				if !slices.ContainsFunc(l.Ends, func(e LinkEnd) bool { return e.Node == n.Name }) {
					continue
				}
				for _, e := range r.routersOn(l) {
					if !slices.Contains(peers, e.Node) {
						peers = append(peers, e.Node)
					}
				}
			}
			slices.SortStableFunc(peers, func(a, b string) int { return cmp.Compare(r.index[a], r.index[b]) })
			if len(peers) == 0 {
				r.f.add(obj, "links", "no router on any of its links, so its speaker has no peer", "link it to a router or a LAN with routers")
			}
		}
		for i, p := range peers {
			field := fmt.Sprintf("peers[%d]", i)
			if !r.isRouter(p) {
				r.f.add(obj, field, fmt.Sprintf("%q is not a router", p), "list router names")
				continue
			}
			link, ok := r.shared(p, n.Name)
			if !ok {
				r.f.add(obj, field, fmt.Sprintf("router %s is not on any of this node's links", p), "link them or drop the peer")
				continue
			}
			router := r.lab.Nodes[r.index[p]]
			r.addSessions(SessionSpeaker, router, n, link, r.settings[p].Speakers, "node "+p+" speakers")
		}
	}
}

// addSessions adds one session per family the link has addresses for.
func (r *resolver) addSessions(kind SessionKind, a, b LabNode, link LabLink, set *SessionSettings, obj string) {
	ea, eb := endOf(link, a.Name), endOf(link, b.Name)
	base := r.sessionSettings(obj, set)
	for _, pa := range ea.Addresses {
		for _, pb := range eb.Addresses {
			if pa.Addr().Is4() != pb.Addr().Is4() {
				continue
			}
			s := base
			s.Kind, s.Link = kind, link.Name
			s.A = SessionEnd{Node: a.Name, Address: pa.Addr(), ASN: a.ASN}
			s.B = SessionEnd{Node: b.Name, Address: pb.Addr(), ASN: b.ASN}
			r.lab.Sessions = append(r.lab.Sessions, s)
		}
	}
}

func durOf(d *metav1.Duration) string {
	if d == nil {
		return ""
	}
	return d.Duration.String()
}

// sessionSettings turns merged settings into session fields, checking them.
func (r *resolver) sessionSettings(obj string, set *SessionSettings) Session {
	var s Session
	if set == nil {
		return s
	}
	s.Password = deref(set.Password)
	if set.HoldTime != nil {
		s.HoldTime = set.HoldTime.Duration
	}
	if set.KeepaliveTime != nil {
		s.KeepaliveTime = set.KeepaliveTime.Duration
	}
	s.BFD = deref(set.BFD)
	s.MaximumPrefix = deref(set.MaximumPrefix)
	s.TTLSecurity = deref(set.TTLSecurity)
	if s.HoldTime != 0 && s.HoldTime < 3*time.Second {
		r.f.add(obj, "holdTime", fmt.Sprintf("%s is below 3s", s.HoldTime), "use 0 (no keepalives) or at least 3s (RFC 4271)")
	}
	if s.KeepaliveTime != 0 && s.HoldTime != 0 && s.KeepaliveTime >= s.HoldTime {
		r.f.add(obj, "keepaliveTime", fmt.Sprintf("%s is not below holdTime %s", s.KeepaliveTime, s.HoldTime), "use a keepalive of about a third of the hold time")
	}
	if s.BFD != "" {
		if _, ok := r.t.BFDProfiles[s.BFD]; !ok {
			r.f.add(obj, "bfd", fmt.Sprintf("unknown BFD profile %q", s.BFD), "define it under bfdProfiles: ("+knownKeys(r.t.BFDProfiles)+")")
		}
	}
	if len(s.Password) > 80 {
		r.f.add(obj, "password", "longer than 80 characters (the TCP MD5 key limit)", "use a shorter password")
	}
	return s
}

// checkSessionCaps reports, once per capability, the first session that needs what the
// backend lacks.
func (r *resolver) checkSessionCaps() {
	need := map[string]string{}
	for _, s := range r.lab.Sessions {
		who := fmt.Sprintf("session %s-%s", s.A.Node, s.B.Node)
		if s.BFD != "" && !r.caps.BFD && need["bfd"] == "" {
			need["bfd"] = who
		}
		if s.Password != "" && !r.caps.MD5 && need["password"] == "" {
			need["password"] = who
		}
		if s.TTLSecurity != 0 && !r.caps.GTSM && need["ttlSecurity"] == "" {
			need["ttlSecurity"] = who
		}
	}
	for _, field := range slices.Sorted(maps.Keys(need)) {
		r.f.add(need[field], field, "the "+r.caps.Backend+" backend does not support it", "remove "+field+" from the session settings or use another backend")
	}
}

// gateways are the routers on link that node n routes through: those of its own
// site when it has one and the link has them (a DC's hosts use that DC's routers,
// so a partitioned site takes no return traffic), else every router on the link.
func (r *resolver) gateways(n *LabNode, link LabLink) []LinkEnd {
	all := r.routersOn(link)
	if n.Site == "" {
		return all
	}
	own := slices.DeleteFunc(slices.Clone(all), func(e LinkEnd) bool { return r.lab.Nodes[r.index[e.Node]].Site != n.Site })
	if len(own) == 0 {
		return all
	}
	return own
}

// addRoutes gives clients and k8s nodes static routes, via the routers on their links, to
// every LAN they are not on and (clients) to the VIPs. All are lab prefixes: no route out.
func (r *resolver) addRoutes() {
	var lans []netip.Prefix
	for _, l := range r.lab.Links {
		if l.Kind == LinkBridge {
			lans = append(lans, l.Prefixes...)
		}
	}
	for i := range r.lab.Nodes {
		n := &r.lab.Nodes[i]
		if n.Role != RoleClient && n.Role != RoleK8sNode {
			continue
		}
		var attached []netip.Prefix
		var via [2][]netip.Addr
		for _, l := range r.lab.Links {
			if !slices.ContainsFunc(l.Ends, func(e LinkEnd) bool { return e.Node == n.Name }) {
				continue
			}
			attached = append(attached, l.Prefixes...)
			for _, e := range r.gateways(n, l) {
				for _, a := range e.Addresses {
					via[famIndex(a.Addr())] = append(via[famIndex(a.Addr())], a.Addr())
				}
			}
		}
		if len(via[0])+len(via[1]) == 0 {
			if n.Role == RoleClient {
				r.f.add("node "+n.Name, "links", "no router on any of its links, so it cannot reach the VIPs", "link it to a LAN with routers")
			}
			continue
		}
		dests := slices.DeleteFunc(slices.Clone(lans), func(p netip.Prefix) bool { return slices.Contains(attached, p) })
		if n.Role == RoleClient {
			dests = append(dests, r.lab.VIPs...)
		}
		for _, d := range dests {
			hops := slices.Clone(via[famIndex(d.Addr())])
			if len(hops) == 0 {
				continue
			}
			slices.SortFunc(hops, netip.Addr.Compare)
			n.Routes = append(n.Routes, Route{Prefix: d, Via: slices.Compact(hops)})
		}
	}
}

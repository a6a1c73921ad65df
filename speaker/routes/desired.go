package routes

import (
	"fmt"
	"net/netip"

	"github.com/bgplb/bgplb/config"
)

// Result is what Desired computes for one node.
type Result struct {
	// State holds the peers this node runs and, per peer, the routes to announce.
	State State
	// Decisions explain, in the order of the services given, every announce and
	// not-announce outcome (see Decision).
	Decisions []Decision
	// PeerDecisions say, for every configured peer in name order, whether this node
	// runs its session.
	PeerDecisions []PeerDecision
}

// Desired computes what node announces, following MetalLB's rules:
//
//   - A peer's session runs on the nodes its nodeSelectors select (OR across
//     entries, AND within one; none selects every node). It runs even when the node
//     announces nothing (excluded, network unavailable), as in MetalLB.
//   - A Service is announced only with an address, from a pool that holds all its
//     addresses and that some advertisement announces from this node, from a node
//     that is neither NetworkUnavailable nor labelled LabelExcludeBalancers (unless
//     opts.IgnoreExcludeLB), and while an endpoint can serve: on this node for
//     externalTrafficPolicy Local, anywhere for Cluster.
//   - Each advertisement of the pool that selects this node, and whose
//     serviceSelectors match the Service's labels (OR across entries; none matches
//     every Service), sends, to each peer it names (none names every peer), the
//     address rolled up to its aggregation length; a peer gets only the address
//     family its session carries. When none matches, the Service is not announced
//     from this node (noMatchingAdvertisement); when two that match ask for
//     different LOCAL_PREF on the same routes, it is not announced either
//     (conflictingAdvertisements), as in MetalLB.
//   - When several advertisements (or several addresses, through aggregation) give
//     the same prefix to the same peer, the route carries the union of their
//     communities and the highest LOCAL_PREF among them; the order of advertisements
//     and services never matters. LOCAL_PREF goes to iBGP peers only.
//
// A nil cfg is an empty configuration: no peers, nothing announced. Cost is
// O(services × addresses × peers × advertisements of the pool), with the
// selector matching done once per pool, not per service.
func Desired(cfg *config.Config, node Node, services []Service, opts Options) Result {
	if cfg == nil {
		cfg = &config.Config{}
	}
	d := newDesirer(cfg, node, opts, len(services))
	for i := range services {
		d.service(&services[i])
	}
	return d.result()
}

// desirer carries one Desired computation.
type desirer struct {
	cfg        *config.Config
	node       Node
	nodeReason string
	peers      []running
	pools      map[*config.Pool]*poolPlan
	decisions  []Decision
	peerDecs   []PeerDecision
}

// running is a peer whose session runs on this node, with the routes built so far.
type running struct {
	session Session
	ibgp    bool
	routes  RouteSet
}

func newDesirer(cfg *config.Config, node Node, opts Options, nServices int) *desirer {
	d := &desirer{cfg: cfg, node: node, pools: map[*config.Pool]*poolPlan{}}
	switch {
	case node.NetworkUnavailable:
		d.nodeReason = ReasonNetworkUnavailable
	case node.Excluded() && !opts.IgnoreExcludeLB:
		d.nodeReason = ReasonNodeExcluded
	}
	taken := map[string]bool{}
	for _, p := range cfg.Peers {
		if !p.SelectsNode(node.Labels) {
			d.peerDecs = append(d.peerDecs, PeerDecision{Peer: p.Name, Reason: ReasonPeerNodeSelector})
			continue
		}
		if p.Waiting != "" {
			d.peerDecs = append(d.peerDecs, PeerDecision{Peer: p.Name, Reason: ReasonPeerWaiting})
			continue
		}
		// One node cannot hold two sessions to one router address: when node
		// selectors the configuration could not compare both select this node, the
		// first peer by name runs and the other waits.
		if k := endpointKey(p); k != "" {
			if taken[k] {
				d.peerDecs = append(d.peerDecs, PeerDecision{Peer: p.Name, Reason: ReasonPeerWaiting})
				continue
			}
			taken[k] = true
		}
		d.peerDecs = append(d.peerDecs, PeerDecision{Peer: p.Name, Runs: true, Reason: ReasonPeerRuns})
		s := SessionFor(p)
		d.peers = append(d.peers, running{session: s, ibgp: s.IBGP(), routes: make(RouteSet, nServices)})
	}
	d.decisions = make([]Decision, 0, nServices*max(1, len(d.peers)))
	return d
}

func (d *desirer) result() Result {
	st := State{Peers: make(map[string]Peer, len(d.peers))}
	for _, p := range d.peers {
		st.Peers[p.session.Name] = Peer{Session: p.session, Routes: p.routes}
	}
	return Result{State: st, Decisions: d.decisions, PeerDecisions: d.peerDecs}
}

func (d *desirer) service(s *Service) {
	if len(s.IPs) == 0 {
		d.decisions = append(d.decisions, Decision{Service: s.Key, Reason: ReasonNoIPAllocated})
		return
	}
	pool := d.poolFor(s)
	if pool == nil {
		d.rejectAll(s, ReasonIPNotAllowed)
		return
	}
	r, pp := d.serviceReason(s, pool, d.plan(pool))
	if r != "" {
		d.rejectAll(s, r)
		return
	}
	for _, ip := range s.IPs {
		for j := range d.peers {
			d.announce(s.Key, ip, j, pp)
		}
	}
}

// poolFor returns the pool the Service's addresses come from, or nil when no pool
// holds them all (MetalLB's poolFor: every address must be in the one pool).
func (d *desirer) poolFor(s *Service) *config.Pool {
	var p *config.Pool
	if s.Pool != "" {
		p = d.cfg.Pool(s.Pool)
	} else {
		p = d.cfg.PoolFor(s.IPs[0])
	}
	if p == nil {
		return nil
	}
	for _, ip := range s.IPs {
		if !p.Contains(ip) {
			return nil
		}
	}
	return p
}

// serviceReason applies the rules that hold for every peer alike, in MetalLB's order,
// and returns the plan of the advertisements that announce the Service here.
func (d *desirer) serviceReason(s *Service, pool *config.Pool, pp *poolPlan) (string, *poolPlan) {
	switch {
	case len(pool.Advertisements) == 0:
		return ReasonNoAdvertisementForPool, nil
	case !pp.owner:
		return ReasonNotOwner, nil
	}
	sp := d.forService(pool, pp, s.Labels)
	switch {
	case sp == nil:
		return ReasonNoMatchingAdvertisement, nil
	case sp.conflict != "":
		return sp.conflict, nil
	case d.nodeReason != "":
		return d.nodeReason, nil
	case s.TrafficPolicy == TrafficLocal && !healthy(s.Endpoints, d.node.Name, true):
		return ReasonNoLocalEndpoints, nil
	case !healthy(s.Endpoints, "", false):
		return ReasonNoEndpoints, nil
	}
	return "", sp
}

func (d *desirer) rejectAll(s *Service, reason string) {
	for _, ip := range s.IPs {
		d.decisions = append(d.decisions, Decision{Service: s.Key, IP: ip, Reason: reason})
	}
}

// announce adds the routes of one address for running peer j.
func (d *desirer) announce(svc string, ip netip.Addr, j int, pp *poolPlan) {
	p := &d.peers[j]
	dec := Decision{Service: svc, IP: ip, Peer: p.session.Name}
	ads := pp.ads[j]
	switch {
	case len(ads) == 0:
		dec.Reason, dec.Advertisement = pp.reason[j], pp.excludedBy[j]
	case !p.session.Carries(ip):
		dec.Reason = ReasonAddressFamily
	default:
		for _, g := range pp.groups[j] {
			p.add(g.sample.Prefix(ip), g.attrs)
		}
		dec.Announced, dec.Reason, dec.Advertisement = true, ReasonAnnounced, ads[0].Name
	}
	d.decisions = append(d.decisions, dec)
}

// add merges one contribution to a prefix into the peer's routes.
func (r *running) add(pfx netip.Prefix, at Attrs) {
	cur, ok := r.routes[pfx]
	if !ok {
		r.routes[pfx] = at
		return
	}
	if m := merge(cur, at); m.LocalPref != cur.LocalPref || len(m.Communities) != len(cur.Communities) {
		r.routes[pfx] = m
	}
}

// merge combines two contributions to one route: the union of their communities
// and the highest LOCAL_PREF (0, "none", loses to any value).
func merge(a, b Attrs) Attrs {
	a.LocalPref = max(a.LocalPref, b.LocalPref)
	a.Communities, _ = union(a.Communities, b.Communities)
	return a
}

// union merges two sorted, deduplicated community lists. It returns a unchanged
// (and false) when b adds nothing, so the common case of one advertisement per
// prefix, or many addresses aggregated under one advertisement, allocates nothing.
func union(a, b []config.Community) ([]config.Community, bool) {
	extra, i := 0, 0
	for _, c := range b {
		for i < len(a) && a[i].Compare(c) < 0 {
			i++
		}
		if i == len(a) || a[i].Compare(c) != 0 {
			extra++
		}
	}
	if extra == 0 {
		return a, false
	}
	out := make([]config.Community, 0, len(a)+extra)
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i].Compare(b[j]) < 0):
			out = append(out, a[i])
			i++
		case i == len(a) || b[j].Compare(a[i]) < 0:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	return out, true
}

// endpointKey names the far end of a peer's session on a node: its address (or
// interface), port and VRF; "" when it has neither address nor interface.
func endpointKey(p *config.Peer) string {
	switch {
	case p.Address.IsValid():
		return fmt.Sprintf("%s|%d|%s", p.Address, p.Port, p.VRF)
	case p.Interface != "":
		return fmt.Sprintf("if:%s|%d|%s", p.Interface, p.Port, p.VRF)
	}
	return ""
}

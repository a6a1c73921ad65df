package routes

import "github.com/bgplb/bgplb/config"

// poolPlan is what a pool's advertisements mean on this node, computed once per pool
// so that label selectors are matched once, not once per service.
type poolPlan struct {
	// owner: some advertisement of the pool selects this node (MetalLB's
	// poolMatchesNodeBGP); otherwise the node is not an owner of the pool.
	owner bool
	// ads[j] are the advertisements that announce the pool from this node to running
	// peer j, in name order.
	ads [][]*config.Advertisement
	// groups[j] merges ads[j] by aggregation lengths: advertisements that roll an
	// address up to the same prefix contribute one Attrs, merged here once per pool
	// instead of once per service.
	groups [][]adGroup
	// reason[j] and excludedBy[j] explain an empty ads[j].
	reason     []string
	excludedBy []string
	// conflict is ReasonConflictingAdvertisements when two advertisements that
	// announce from this node ask for different LOCAL_PREF on the same routes.
	conflict string

	// The rest is set on a pool's own plan only. selects[i] says whether
	// advertisement i of the pool selects this node; selective, whether any of them
	// has serviceSelectors. Then each Service gets the plan of the advertisements
	// that select it (MetalLB's bgpAdsForService), kept in variants by which ones.
	selects   []bool
	selective bool
	variants  map[string]*poolPlan
}

func (d *desirer) plan(pool *config.Pool) *poolPlan {
	if pp, ok := d.pools[pool]; ok {
		return pp
	}
	selects := make([]bool, len(pool.Advertisements))
	selective := false
	for i, a := range pool.Advertisements {
		selects[i] = a.SelectsNode(d.node.Labels)
		selective = selective || len(a.ServiceSelectors) > 0
	}
	pp := d.planOf(pool, selects, selects)
	pp.selects, pp.selective, pp.variants = selects, selective, map[string]*poolPlan{}
	d.pools[pool] = pp
	return pp
}

// forService returns the plan for one Service: the pool's own plan unless some
// advertisement has serviceSelectors, otherwise the plan of the advertisements that
// select this node and match the Service's labels (OR across each one's
// selectors). nil means no advertisement of the pool matches the Service here.
func (d *desirer) forService(pool *config.Pool, pp *poolPlan, svcLabels map[string]string) *poolPlan {
	if !pp.selective {
		return pp
	}
	match := make([]bool, len(pool.Advertisements))
	key := make([]byte, len(match))
	anyMatch := false
	for i, a := range pool.Advertisements {
		match[i] = pp.selects[i] && a.SelectsService(svcLabels)
		anyMatch = anyMatch || match[i]
		key[i] = '0'
		if match[i] {
			key[i] = '1'
		}
	}
	if !anyMatch {
		return nil
	}
	if v, ok := pp.variants[string(key)]; ok {
		return v
	}
	v := d.planOf(pool, pp.selects, match)
	pp.variants[string(key)] = v
	return v
}

// planOf builds a plan from the pool's advertisements: those with use[i] announce,
// those that leave this node out (!selects[i]) explain an empty peer.
func (d *desirer) planOf(pool *config.Pool, selects, use []bool) *poolPlan {
	n := len(d.peers)
	pp := &poolPlan{ads: make([][]*config.Advertisement, n), groups: make([][]adGroup, n), reason: make([]string, n), excludedBy: make([]string, n)}
	var used []*config.Advertisement
	for i, a := range pool.Advertisements {
		pp.owner = pp.owner || selects[i]
		if use[i] {
			used = append(used, a)
		}
	}
	for j := range used {
		for i := range j {
			if !config.LocalPrefCompatible(used[i], used[j], pool) {
				pp.conflict = ReasonConflictingAdvertisements
			}
		}
	}
	for j := range d.peers {
		name := d.peers[j].session.Name
		for i, a := range pool.Advertisements {
			switch {
			case !a.SelectsPeer(name):
			case use[i]:
				pp.ads[j] = append(pp.ads[j], a)
			case !selects[i] && pp.excludedBy[j] == "":
				pp.excludedBy[j] = a.Name
			}
		}
		pp.groups[j] = groupAds(pp.ads[j], d.peers[j].ibgp)
		switch {
		case len(pp.ads[j]) > 0:
			pp.excludedBy[j] = ""
		case pp.excludedBy[j] != "":
			pp.reason[j] = ReasonAdvertisementNodeSelector
		default:
			pp.reason[j] = ReasonPeerNotSelected
		}
	}
	return pp
}

// adGroup is the advertisements of one pool to one peer that share aggregation
// lengths, with their attributes merged (community union, highest LOCAL_PREF).
type adGroup struct {
	sample *config.Advertisement // computes the prefix: all share its lengths
	attrs  Attrs
}

func groupAds(ads []*config.Advertisement, ibgp bool) []adGroup {
	var gs []adGroup
	for _, a := range ads {
		i := 0
		for i < len(gs) && (gs[i].sample.AggregationLength != a.AggregationLength ||
			gs[i].sample.AggregationLengthV6 != a.AggregationLengthV6) {
			i++
		}
		if i == len(gs) {
			gs = append(gs, adGroup{sample: a})
		}
		gs[i].attrs = merge(gs[i].attrs, attrsOf(a, ibgp))
	}
	return gs
}

// attrsOf is what one advertisement asks for toward a peer: LOCAL_PREF only over iBGP.
func attrsOf(a *config.Advertisement, ibgp bool) Attrs {
	at := Attrs{Communities: a.Communities}
	if ibgp {
		at.LocalPref = a.LocalPref
	}
	return at
}

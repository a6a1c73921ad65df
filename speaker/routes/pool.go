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
}

func (d *desirer) plan(pool *config.Pool) *poolPlan {
	if pp, ok := d.pools[pool]; ok {
		return pp
	}
	n := len(d.peers)
	pp := &poolPlan{ads: make([][]*config.Advertisement, n), groups: make([][]adGroup, n), reason: make([]string, n), excludedBy: make([]string, n)}
	selects := make([]bool, len(pool.Advertisements))
	for i, a := range pool.Advertisements {
		selects[i] = a.SelectsNode(d.node.Labels)
		pp.owner = pp.owner || selects[i]
	}
	for j := range d.peers {
		name := d.peers[j].session.Name
		for i, a := range pool.Advertisements {
			switch {
			case !a.SelectsPeer(name):
			case selects[i]:
				pp.ads[j] = append(pp.ads[j], a)
			case pp.excludedBy[j] == "":
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
	d.pools[pool] = pp
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

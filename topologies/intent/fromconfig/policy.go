package fromconfig

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/topologies/intent"
)

// speakerPolicy is the router's inbound policy for the speakers of the given peers:
//
//   - accept the pools their advertisements announce, each pool prefix with
//     "le" = the advertisement's aggregation length (a shorter aggregate is accepted
//     as exactly that prefix), and nothing else;
//   - for every community an advertisement attaches, set that advertisement's
//     localPref. LOCAL_PREF never crosses an eBGP session, so this is how the guide's
//     "prefer this path" intent (communities + localPref on one advertisement) takes
//     effect on an eBGP router: the community carries it and the router applies it.
//     On iBGP the attribute arrives too and the router's value is the same.
func speakerPolicy(cfg *config.Config, peers []string) (intent.Policy, []string) {
	var (
		pol   intent.Policy
		notes []string
		seen  = map[intent.PrefixRange]bool{}
		pref  = map[string]string{} // community -> advertisement that set its localPref
	)
	for _, a := range cfg.Advertisements {
		if !slices.ContainsFunc(peers, a.SelectsPeer) {
			continue
		}
		for _, pool := range announcedPools(cfg, a) {
			for _, pfx := range pool.Prefixes {
				pr := acceptRange(pfx, a)
				if !seen[pr] {
					seen[pr] = true
					pol.Accept = append(pol.Accept, pr)
				}
			}
		}
		if a.LocalPref == 0 {
			continue
		}
		for _, c := range a.Communities {
			s := c.String()
			if prev, dup := pref[s]; dup {
				notes = append(notes, fmt.Sprintf("community %s: BGPAdvertisement %s's localPref is ignored; %s's comes first", s, a.Name, prev))
				continue
			}
			pref[s] = a.Name
			pol.CommunityActions = append(pol.CommunityActions, intent.CommunityAction{Community: s, LocalPref: a.LocalPref})
		}
	}
	slices.SortStableFunc(pol.Accept, func(x, y intent.PrefixRange) int {
		if c := x.Prefix.Addr().Compare(y.Prefix.Addr()); c != 0 {
			return c
		}
		return x.Prefix.Bits() - y.Prefix.Bits()
	})
	return pol, notes
}

// acceptRange is the prefix-list entry for one pool prefix under an advertisement.
func acceptRange(pfx netip.Prefix, a *config.Advertisement) intent.PrefixRange {
	bits := a.AggregationLength
	if pfx.Addr().Is6() {
		bits = a.AggregationLengthV6
	}
	if bits < pfx.Bits() {
		agg, _ := pfx.Addr().Prefix(bits)
		return intent.PrefixRange{Prefix: agg, Le: bits}
	}
	return intent.PrefixRange{Prefix: pfx, Le: bits}
}

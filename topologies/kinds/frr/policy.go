package frr

import (
	"fmt"

	"github.com/bgplb/bgplb/topologies/intent"
)

// communityName is the community-list of the i-th community action.
func communityName(i int) string { return fmt.Sprintf("SPEAKER-C%d", i+1) }

func communityLists(actions []intent.Action) []string {
	var out []string
	for i, a := range actions {
		if a.Community.Kind == intent.Large {
			out = append(out, fmt.Sprintf("bgp large-community-list standard %s seq 5 permit %s", communityName(i), a.Community.Numeric()))
		} else {
			out = append(out, fmt.Sprintf("bgp community-list standard %s seq 5 permit %s", communityName(i), a.Community.NameOr(wellKnown)))
		}
	}
	return out
}

// speakerPolicy builds the inbound policy for speakers, one route-map per family
// (FRR's "match ip address" never matches IPv6 routes): a rule per community action
// (first match wins), then the default rule for the accepted ranges, then deny.
func speakerPolicy(r intent.Router, actions []intent.Action) ([]prefixList, []routeMap) {
	v4, v6 := intent.Accept(r.SpeakerPolicy)
	var rules []rule
	for i, a := range actions {
		m := "community " + communityName(i)
		if a.Community.Kind == intent.Large {
			m = "large-community " + communityName(i)
		}
		rules = append(rules, rule{Match: m, LocalPref: a.LocalPref})
	}
	rules = append(rules, rule{LocalPref: r.SpeakerPolicy.DefaultLocalPref})
	pls := []prefixList{
		{Keyword: "ip", Name: "SPEAKER-VIPS-V4", Entries: entries(v4, "0.0.0.0/0 le 32")},
		{Keyword: "ipv6", Name: "SPEAKER-VIPS-V6", Entries: entries(v6, "::/0 le 128")},
	}
	maps := []routeMap{
		{Name: "SPEAKER-IN-V4", Match: "ip", PrefixList: "SPEAKER-VIPS-V4", Rules: rules},
		{Name: "SPEAKER-IN-V6", Match: "ipv6", PrefixList: "SPEAKER-VIPS-V6", Rules: rules},
	}
	return pls, maps
}

// entries are the permit lines of a prefix-list; a family with no accepted range
// gets one deny-all entry so the list exists and rejects everything.
func entries(rs []intent.PrefixRange, all string) []string {
	if len(rs) == 0 {
		return []string{"deny " + all}
	}
	var out []string
	for _, a := range rs {
		e := "permit " + a.Prefix.String()
		if le := intent.Le(a); le != 0 {
			e += fmt.Sprintf(" le %d", le)
		}
		out = append(out, e)
	}
	return out
}

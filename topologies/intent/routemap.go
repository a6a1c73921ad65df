package intent

import "fmt"

// RouteMap is the speaker policy as Cisco-style NOSes (EOS, IOS-XE) write it: prefix and
// community lists, then one route-map per family with a rule per community action
// (first match wins), the default rule, and an implicit deny.
type RouteMap struct {
	Name, Match, PrefixList string
	Rules                   []RouteMapRule
}

// RouteMapRule matches a community list (empty: anything the prefix list passed) and
// sets LOCAL_PREF (0: leaves it).
type RouteMapRule struct {
	Match     string
	LocalPref uint32
}

// ListSyntax is what differs between the NOSes: the keywords that open a community list
// and a large-community list ("ip community-list" on EOS, "ip community-list standard"
// on IOS-XE), and the NOS's names for well-known communities.
type ListSyntax struct {
	Community, LargeCommunity string
	WellKnown                 map[string]string
}

// RouteMapPolicy returns the list lines and the two route-maps (SPEAKER-IN-V4/-V6) of a
// speaker policy, so that NOSes sharing these semantics differ only in syntax.
func RouteMapPolicy(p Policy, actions []Action, syn ListSyntax) ([]string, []RouteMap) {
	var lines []string
	v4, v6 := Accept(p)
	lines = append(lines, prefixList("ip", "SPEAKER-VIPS-V4", v4, "0.0.0.0/0 le 32")...)
	lines = append(lines, prefixList("ipv6", "SPEAKER-VIPS-V6", v6, "::/0 le 128")...)
	var rules []RouteMapRule
	for i, a := range actions {
		name := fmt.Sprintf("SPEAKER-C%d", i+1)
		if a.Community.Kind == Large {
			lines = append(lines, fmt.Sprintf("%s %s permit %s", syn.LargeCommunity, name, a.Community.Numeric()))
			rules = append(rules, RouteMapRule{"large-community " + name, a.LocalPref})
		} else {
			lines = append(lines, fmt.Sprintf("%s %s permit %s", syn.Community, name, a.Community.NameOr(syn.WellKnown)))
			rules = append(rules, RouteMapRule{"community " + name, a.LocalPref})
		}
	}
	rules = append(rules, RouteMapRule{LocalPref: p.DefaultLocalPref})
	return lines, []RouteMap{
		{Name: "SPEAKER-IN-V4", Match: "ip", PrefixList: "SPEAKER-VIPS-V4", Rules: rules},
		{Name: "SPEAKER-IN-V6", Match: "ipv6", PrefixList: "SPEAKER-VIPS-V6", Rules: rules},
	}
}

// prefixList writes one family's list; with no accepted range it denies everything, so
// the route-map's reference resolves and rejects.
func prefixList(kw, name string, rs []PrefixRange, all string) []string {
	if len(rs) == 0 {
		return []string{fmt.Sprintf("%s prefix-list %s seq 10 deny %s", kw, name, all)}
	}
	var out []string
	for i, a := range rs {
		l := fmt.Sprintf("%s prefix-list %s seq %d permit %s", kw, name, (i+1)*10, a.Prefix)
		if le := Le(a); le != 0 {
			l += fmt.Sprintf(" le %d", le)
		}
		out = append(out, l)
	}
	return out
}

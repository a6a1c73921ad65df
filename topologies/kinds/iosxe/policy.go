package iosxe

import (
	"fmt"

	"github.com/bgplb/bgplb/topologies/intent"
)

type routeMap struct {
	Name, Match, PrefixList string
	Rules                   []rule
}

type rule struct {
	Match     string
	LocalPref uint32
}

// speakerPolicy (the same shape as EOS's; only the list syntax differs) returns the prefix and community list lines and one route-map per
// family: a rule per community action (first match wins), the default rule, then deny.
func speakerPolicy(p intent.Policy, actions []intent.Action) ([]string, []routeMap) {
	var lines []string
	v4, v6 := intent.Accept(p)
	lines = append(lines, prefixList("ip", "SPEAKER-VIPS-V4", v4, "0.0.0.0/0 le 32")...)
	lines = append(lines, prefixList("ipv6", "SPEAKER-VIPS-V6", v6, "::/0 le 128")...)
	var rules []rule
	for i, a := range actions {
		name := fmt.Sprintf("SPEAKER-C%d", i+1)
		if a.Community.Kind == intent.Large {
			lines = append(lines, fmt.Sprintf("ip large-community-list standard %s permit %s", name, a.Community.Numeric()))
			rules = append(rules, rule{"large-community " + name, a.LocalPref})
		} else {
			lines = append(lines, fmt.Sprintf("ip community-list standard %s permit %s", name, a.Community.NameOr(wellKnown)))
			rules = append(rules, rule{"community " + name, a.LocalPref})
		}
	}
	rules = append(rules, rule{LocalPref: p.DefaultLocalPref})
	return lines, []routeMap{
		{Name: "SPEAKER-IN-V4", Match: "ip", PrefixList: "SPEAKER-VIPS-V4", Rules: rules},
		{Name: "SPEAKER-IN-V6", Match: "ipv6", PrefixList: "SPEAKER-VIPS-V6", Rules: rules},
	}
}

// prefixList writes one family's list; with no accepted range it denies everything,
// so the route-map's reference resolves and rejects.
func prefixList(kw, name string, rs []intent.PrefixRange, all string) []string {
	if len(rs) == 0 {
		return []string{fmt.Sprintf("%s prefix-list %s seq 10 deny %s", kw, name, all)}
	}
	var out []string
	for i, a := range rs {
		l := fmt.Sprintf("%s prefix-list %s seq %d permit %s", kw, name, (i+1)*10, a.Prefix)
		if le := intent.Le(a); le != 0 {
			l += fmt.Sprintf(" le %d", le)
		}
		out = append(out, l)
	}
	return out
}

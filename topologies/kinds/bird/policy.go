package bird

import (
	"fmt"

	"github.com/bgplb/bgplb/topologies/intent"
)

type set struct {
	Name    string
	Entries []string
}

type filter struct {
	Name, Set        string
	Rules            []string
	DefaultLocalPref uint32
}

// speakerPolicy returns the prefix sets of accepted ranges and one import filter per
// family (BIRD prefix sets are typed by family). A family without accepted ranges gets
// a filter that rejects everything.
func speakerPolicy(p intent.Policy, actions []intent.Action) ([]set, []filter) {
	var rules []string
	for _, a := range actions {
		c := a.Community
		match := fmt.Sprintf("(%d, %d) ~ bgp_community", c.A, c.B)
		if c.Kind == intent.Large {
			match = fmt.Sprintf("(%d, %d, %d) ~ bgp_large_community", c.A, c.B, c.C)
		}
		rules = append(rules, fmt.Sprintf("%s then { bgp_local_pref = %d; accept; }", match, a.LocalPref))
	}
	v4, v6 := intent.Accept(p)
	var sets []set
	var filters []filter
	for _, f := range []struct {
		family string
		ranges []intent.PrefixRange
	}{{"ipv4", v4}, {"ipv6", v6}} {
		fl := filter{Name: "speaker_in_" + f.family, Rules: rules, DefaultLocalPref: p.DefaultLocalPref}
		if len(f.ranges) > 0 {
			s := set{Name: "SPEAKER_VIPS_" + f.family}
			for _, a := range f.ranges {
				le := a.Prefix.Bits()
				if a.Le > le {
					le = a.Le
				}
				s.Entries = append(s.Entries, fmt.Sprintf("%s{%d,%d}", a.Prefix, a.Prefix.Bits(), le))
			}
			sets = append(sets, s)
			fl.Set = s.Name
		}
		filters = append(filters, fl)
	}
	return sets, filters
}

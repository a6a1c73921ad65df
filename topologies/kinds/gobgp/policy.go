package gobgp

import (
	"fmt"
	"strings"

	"github.com/bgplb/bgplb/topologies/intent"
)

// policy is gobgpd's defined sets and the two global policies: "speaker-in" (import)
// and "out" (export).
type policy struct {
	Import        bool // the "speaker-in" policy exists
	Export        bool // the "out" policy exists
	PrefixSets    []prefixSet
	NeighborSets  []neighborSet
	CommunitySets []communitySet
	Policies      []definition
}

type prefixSet struct {
	Name   string
	Ranges []prefixRange
}

type prefixRange struct {
	Prefix   string
	Min, Max int
}

type neighborSet struct{ Name, List string }

// communitySet is a community-set (Kind "community") or large-community-set.
type communitySet struct{ Kind, Name, Value string }

type definition struct {
	Name       string
	Statements []statement
}

type statement struct {
	Name, NeighborSet, PrefixSet string
	Community                    *communitySet
	Disposition                  string // "" continues with the next statement
	LocalPref                    uint32
	NextHop                      string
}

func buildPolicy(r intent.Router, actions []intent.Action) policy {
	var speakers, nhs []string
	for _, n := range r.Neighbors {
		if n.Role == intent.RoleSpeaker {
			speakers = append(speakers, `"`+n.Address.String()+`"`)
		}
		if n.NextHopSelf {
			nhs = append(nhs, `"`+n.Address.String()+`"`)
		}
	}
	var p policy
	out := definition{Name: "out"}
	if len(nhs) > 0 {
		p.NeighborSets = append(p.NeighborSets, neighborSet{"next-hop-self", strings.Join(nhs, ", ")})
		out.Statements = append(out.Statements, statement{Name: "next-hop-self", NeighborSet: "next-hop-self", NextHop: "self"})
	}
	if len(speakers) > 0 {
		p.NeighborSets = append(p.NeighborSets, neighborSet{"speakers", strings.Join(speakers, ", ")})
		// Speakers announce and never learn: they get no routes back.
		out.Statements = append(out.Statements, statement{Name: "nothing-to-speakers", NeighborSet: "speakers", Disposition: "reject-route"})
		p.Policies = append(p.Policies, speakerIn(r.SpeakerPolicy, actions, &p))
	}
	if len(out.Statements) > 0 {
		p.Policies = append(p.Policies, out)
		p.Export = true
	}
	p.Import = len(speakers) > 0
	return p
}

// speakerIn accepts speaker routes in the service ranges, per family (a gobgpd prefix
// set holds one family), setting LOCAL_PREF from the first matching community, and
// rejects every other speaker route.
func speakerIn(sp intent.Policy, actions []intent.Action, p *policy) definition {
	for i, a := range actions {
		kind := "community"
		if a.Community.Kind == intent.Large {
			kind = "large-community"
		}
		p.CommunitySets = append(p.CommunitySets, communitySet{kind, fmt.Sprintf("speaker-c%d", i+1), a.Community.Numeric()})
	}
	in := definition{Name: "speaker-in"}
	v4, v6 := intent.Accept(sp)
	for _, f := range []struct {
		name   string
		ranges []intent.PrefixRange
	}{{"v4", v4}, {"v6", v6}} {
		if len(f.ranges) == 0 {
			continue
		}
		set := prefixSet{Name: "speaker-vips-" + f.name}
		for _, a := range f.ranges {
			set.Ranges = append(set.Ranges, prefixRange{a.Prefix.String(), a.Prefix.Bits(), max(a.Le, a.Prefix.Bits())})
		}
		p.PrefixSets = append(p.PrefixSets, set)
		for i := range actions {
			cs := p.CommunitySets[i]
			in.Statements = append(in.Statements, statement{
				Name: fmt.Sprintf("%s-%s", set.Name, cs.Name), NeighborSet: "speakers", PrefixSet: set.Name,
				Community: &cs, Disposition: "accept-route", LocalPref: actions[i].LocalPref,
			})
		}
		in.Statements = append(in.Statements, statement{
			Name: set.Name, NeighborSet: "speakers", PrefixSet: set.Name,
			Disposition: "accept-route", LocalPref: sp.DefaultLocalPref,
		})
	}
	in.Statements = append(in.Statements, statement{Name: "speaker-reject", NeighborSet: "speakers", Disposition: "reject-route"})
	return in
}

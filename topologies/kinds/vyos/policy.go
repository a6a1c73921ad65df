package vyos

import (
	"fmt"

	"github.com/bgplb/bgplb/topologies/intent"
)

// The names FRR (under VyOS) prints for well-known communities; VyOS community lists
// are regular expressions matched against that text.
var wellKnown = map[string]string{
	"graceful-shutdown": "graceful-shutdown", "accept-own": "accept-own", "llgr-stale": "llgr-stale",
	"no-llgr": "no-llgr", "blackhole": "blackhole", "no-export": "no-export",
	"no-advertise": "no-advertise", "no-export-subconfed": "local-AS", "no-peer": "no-peer",
}

// policy writes the speaker inbound policy (one route-map per family, first matching
// community wins, then the default, then deny), the deny-all export to speakers and the
// permissive router map.
func policy(s *script, r intent.Router) error {
	hasSpeakers, hasRouters := intent.HasRole(r, intent.RoleSpeaker), intent.HasRole(r, intent.RoleRouter)
	if hasRouters {
		s.comment("Routers: learned service routes propagate")
		s.set("policy route-map ROUTER-ALL rule 10 action 'permit'")
	}
	if !hasSpeakers {
		return nil
	}
	actions, err := intent.Actions(r)
	if err != nil {
		return err
	}
	s.comment("Speakers: accept only the service ranges, LOCAL_PREF from communities")
	v4, v6 := intent.Accept(r.SpeakerPolicy)
	for _, pl := range []struct {
		kind, name string
		ranges     []intent.PrefixRange
	}{{"prefix-list", "SPEAKER-VIPS-V4", v4}, {"prefix-list6", "SPEAKER-VIPS-V6", v6}} {
		if len(pl.ranges) == 0 {
			// The route-map names the list, and VyOS refuses a reference to a missing
			// one: a family with no accepted range gets a list that denies everything.
			all, le := "0.0.0.0/0", 32
			if pl.kind == "prefix-list6" {
				all, le = "::/0", 128
			}
			pre := fmt.Sprintf("policy %s %s rule 10", pl.kind, pl.name)
			s.set("%s action 'deny'", pre)
			s.set("%s prefix '%s'", pre, all)
			s.set("%s le '%d'", pre, le)
			continue
		}
		for i, a := range pl.ranges {
			pre := fmt.Sprintf("policy %s %s rule %d", pl.kind, pl.name, (i+1)*10)
			s.set("%s action 'permit'", pre)
			s.set("%s prefix '%s'", pre, a.Prefix)
			if le := intent.Le(a); le != 0 {
				s.set("%s le '%d'", pre, le)
			}
		}
	}
	for i, a := range actions {
		kind := "community-list"
		if a.Community.Kind == intent.Large {
			kind = "large-community-list"
		}
		// "_" is FRR's regex boundary, so 64512:100 does not match 64512:1000.
		pre := fmt.Sprintf("policy %s SPEAKER-C%d rule 10", kind, i+1)
		s.set("%s action 'permit'", pre)
		s.set("%s regex '_%s_'", pre, a.Community.NameOr(wellKnown))
	}
	for _, m := range []struct{ name, match, list string }{
		{"SPEAKER-IN-V4", "ip", "SPEAKER-VIPS-V4"}, {"SPEAKER-IN-V6", "ipv6", "SPEAKER-VIPS-V6"},
	} {
		rule := 10
		for i, a := range actions {
			pre := fmt.Sprintf("policy route-map %s rule %d", m.name, rule)
			s.set("%s action 'permit'", pre)
			s.set("%s match %s address prefix-list '%s'", pre, m.match, m.list)
			if a.Community.Kind == intent.Large {
				s.set("%s match large-community large-community-list 'SPEAKER-C%d'", pre, i+1)
			} else {
				s.set("%s match community community-list 'SPEAKER-C%d'", pre, i+1)
			}
			s.set("%s set local-preference '%d'", pre, a.LocalPref)
			rule += 10
		}
		pre := fmt.Sprintf("policy route-map %s rule %d", m.name, rule)
		s.set("%s action 'permit'", pre)
		s.set("%s match %s address prefix-list '%s'", pre, m.match, m.list)
		if lp := r.SpeakerPolicy.DefaultLocalPref; lp != 0 {
			s.set("%s set local-preference '%d'", pre, lp)
		}
		s.set("policy route-map %s rule %d action 'deny'", m.name, rule+10)
	}
	s.set("policy route-map SPEAKER-OUT rule 10 action 'deny'")
	return nil
}

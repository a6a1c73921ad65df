// Package frr renders FRR 8.4 configuration (frr.conf and daemons) from router intent.
package frr

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"net/netip"
	"text/template"

	"github.com/bgplb/bgplb/topologies/intent"
)

//go:embed *.tmpl
var templates embed.FS

var tmpl = template.Must(template.New("").Funcs(template.FuncMap{
	// seq numbers list entries 10, 20, ... leaving room for hand edits in between.
	"seq": func(i int) int { return (i + 1) * 10 },
}).ParseFS(templates, "*.tmpl"))

// Names FRR gives well-known communities (it shows them back by these names).
var wellKnown = map[string]string{
	"graceful-shutdown": "graceful-shutdown", "accept-own": "accept-own", "llgr-stale": "llgr-stale",
	"no-llgr": "no-llgr", "blackhole": "blackhole", "no-export": "no-export",
	"no-advertise": "no-advertise", "no-export-subconfed": "local-AS", "no-peer": "no-peer",
}

// Render returns frr.conf and daemons.
func (Kind) Render(r intent.Router) ([]intent.File, error) {
	c, err := build(r)
	if err != nil {
		return nil, fmt.Errorf("frr: %w", err)
	}
	var conf, daemons bytes.Buffer
	if err := tmpl.ExecuteTemplate(&conf, "frr.conf.tmpl", c); err != nil {
		return nil, fmt.Errorf("frr: router %s: %w", r.Name, err)
	}
	if err := tmpl.ExecuteTemplate(&daemons, "daemons.tmpl", c); err != nil {
		return nil, fmt.Errorf("frr: router %s: %w", r.Name, err)
	}
	return []intent.File{{Path: "frr.conf", Content: conf.Bytes()}, {Path: "daemons", Content: daemons.Bytes()}}, nil
}

type config struct {
	intent.Router
	Neighbors      []neighbor
	Families       []family
	PrefixLists    []prefixList
	CommunityLists []string
	SpeakerMaps    []routeMap
	BFDProfiles    []intent.BFDProfile
	HasSpeakers    bool
	HasRouters     bool
}

type neighbor struct {
	Addr                  netip.Addr
	ASN                   uint32
	Description, Password string
	Timers                string
	Passive               bool
	UpdateSource          string
	Multihop, TTLHops     uint8
	BFDProfile            string
	// ControlPlaneCheck lets graceful restart ride out a BFD down from a peer whose
	// BFD shares its fate with BGP (C bit 0, RFC 5880 §4.1): a restarting speaker.
	ControlPlaneCheck    bool
	NextHopSelf          bool
	RouteReflectorClient bool
	MaxPrefix            uint32
	In, Out              string
	v4, v6               bool
}

type family struct {
	Name      string // ipv4 or ipv6
	Networks  []netip.Prefix
	Neighbors []neighbor
}

type prefixList struct {
	Keyword, Name string
	Entries       []string
}

type routeMap struct {
	Name, Match, PrefixList string
	Rules                   []rule
}

type rule struct {
	Match     string
	LocalPref uint32
}

func build(r intent.Router) (config, error) {
	if err := intent.Check(r); err != nil {
		return config{}, err
	}
	profiles, bfdOf, err := intent.BFDProfiles(r)
	if err != nil {
		return config{}, err
	}
	c := config{Router: r, BFDProfiles: profiles}
	var errs []error
	for i, n := range r.Neighbors {
		if n.TTLSecurityHops > 0 && n.EBGPMultihop > 0 {
			errs = append(errs, fmt.Errorf("%s: TTLSecurityHops with EBGPMultihop: FRR allows only one of them per neighbor; drop one", intent.Who(r, i)))
		}
		nb := neighbor{
			Addr: n.Address, ASN: n.ASN, Description: n.Description, Password: n.Password,
			Passive: n.Passive, UpdateSource: n.UpdateSource, Multihop: n.EBGPMultihop, TTLHops: n.TTLSecurityHops,
			BFDProfile: bfdOf[i], NextHopSelf: n.NextHopSelf, RouteReflectorClient: n.RouteReflectorClient,
			MaxPrefix: n.MaximumPrefix, In: "ROUTER-ALL", Out: "ROUTER-ALL",
		}
		if keep, hold, ok, _ := intent.Timers(n); ok {
			nb.Timers = fmt.Sprintf("%d %d", keep, hold)
		}
		nb.v4, nb.v6 = intent.Families(n)
		if n.Role == intent.RoleSpeaker {
			nb.Out = "SPEAKER-OUT"
			nb.ControlPlaneCheck = nb.BFDProfile != ""
			c.HasSpeakers = true
		} else {
			c.HasRouters = true
		}
		c.Neighbors = append(c.Neighbors, nb)
	}
	if len(errs) > 0 {
		return config{}, errors.Join(errs...)
	}
	actions, _ := intent.Actions(r) // Check has parsed them already
	c.Families = families(r, c.Neighbors)
	c.CommunityLists = communityLists(actions)
	if c.HasSpeakers {
		c.PrefixLists, c.SpeakerMaps = speakerPolicy(r, actions)
	}
	return c, nil
}

// families groups networks and neighbors per address family, IPv4 first; a family
// appears only when something uses it.
func families(r intent.Router, ns []neighbor) []family {
	v4 := family{Name: "ipv4"}
	v6 := family{Name: "ipv6"}
	for _, p := range r.Networks {
		if p.Addr().Is4() {
			v4.Networks = append(v4.Networks, p)
		} else {
			v6.Networks = append(v6.Networks, p)
		}
	}
	for _, n := range ns {
		if n.v4 {
			m := n
			if m.Out == "SPEAKER-OUT" {
				m.In = "SPEAKER-IN-V4"
			}
			v4.Neighbors = append(v4.Neighbors, m)
		}
		if n.v6 {
			m := n
			if m.Out == "SPEAKER-OUT" {
				m.In = "SPEAKER-IN-V6"
			}
			v6.Neighbors = append(v6.Neighbors, m)
		}
	}
	var out []family
	for _, f := range []family{v4, v6} {
		if len(f.Networks) > 0 || len(f.Neighbors) > 0 {
			out = append(out, f)
		}
	}
	return out
}

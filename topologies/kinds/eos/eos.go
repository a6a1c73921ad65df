// Package eos renders an Arista EOS startup-config (router kind "ceos") from router intent.
package eos

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"text/template"

	"github.com/bgplb/bgplb/topologies/intent"
)

//go:embed startup-config.tmpl
var text string

var tmpl = template.Must(template.New("startup-config").Funcs(template.FuncMap{
	"seq": func(i int) int { return (i + 1) * 10 },
}).Parse(text))

// EOS's names for well-known communities in community lists.
var wellKnown = map[string]string{
	"no-export": "no-export", "no-advertise": "no-advertise", "no-export-subconfed": "local-as", "graceful-shutdown": "GSHUT",
}

// Render returns startup-config.
func (Kind) Render(r intent.Router) ([]intent.File, error) {
	c, err := build(r)
	if err != nil {
		return nil, fmt.Errorf("eos: %w", err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, c); err != nil {
		return nil, fmt.Errorf("eos: router %s: %w", r.Name, err)
	}
	return []intent.File{{Path: "startup-config", Content: b.Bytes()}}, nil
}

type config struct {
	intent.Router
	Interfaces  []iface
	Neighbors   []neighbor
	Families    []family
	IPv6        bool
	Lists       []string
	SpeakerMaps []intent.RouteMap
	HasSpeakers bool
	HasRouters  bool
}

type iface struct {
	Name, Description string
	Addresses         []netip.Prefix
}

type neighbor struct {
	Addr                  netip.Addr
	ASN                   uint32
	Description, Password string
	Timers, UpdateSource  string
	Passive               bool
	Multihop, TTLHops     uint8
	BFD                   *intent.BFD
	NextHopSelf, RRClient bool
	MaxRoutes             uint32
	v4, v6, speaker       bool
}

type family struct {
	Name      string
	Networks  []netip.Prefix
	Neighbors []afNeighbor
}

type afNeighbor struct {
	Addr    netip.Addr
	In, Out string
}

// ifName maps the intent's Linux names (eth1, as containerlab wires cEOS) to EOS names.
func ifName(name string) (string, bool) {
	if n, ok := strings.CutPrefix(name, "eth"); ok && n != "" && strings.Trim(n, "0123456789") == "" {
		return "Ethernet" + n, true
	}
	return "", false
}

func build(r intent.Router) (config, error) {
	if err := intent.Check(r); err != nil {
		return config{}, err
	}
	c := config{Router: r}
	var errs []error
	for i, itf := range r.Interfaces {
		name, ok := ifName(itf.Name)
		if !ok {
			errs = append(errs, fmt.Errorf("router %s: Interfaces[%d].Name %q: cEOS data interfaces are ethN (EthernetN in EOS)", r.Name, i, itf.Name))
		}
		c.Interfaces = append(c.Interfaces, iface{name, itf.Description, itf.Addresses})
	}
	for i, n := range r.Neighbors {
		who := intent.Who(r, i)
		if n.TTLSecurityHops > 0 && n.EBGPMultihop > 0 {
			errs = append(errs, fmt.Errorf("%s: TTLSecurityHops with EBGPMultihop: EOS allows only one of them per neighbor; drop one", who))
		}
		if b := n.BFD; b != nil && (b.Passive || b.MinimumTTL != 0) {
			errs = append(errs, fmt.Errorf("%s: BFD.Passive/BFD.MinimumTTL: EOS sets neither per BGP neighbor; leave them unset", who))
		}
		nb := neighbor{
			Addr: n.Address, ASN: n.ASN, Description: n.Description, Password: n.Password, Passive: n.Passive,
			Multihop: n.EBGPMultihop, TTLHops: n.TTLSecurityHops, BFD: n.BFD, NextHopSelf: n.NextHopSelf,
			RRClient: n.RouteReflectorClient, MaxRoutes: n.MaximumPrefix, speaker: n.Role == intent.RoleSpeaker,
		}
		if keep, hold, ok, _ := intent.Timers(n); ok {
			nb.Timers = fmt.Sprintf("%d %d", keep, hold)
		}
		switch src := n.UpdateSource; {
		case src == "":
		case src == "lo" || strings.HasPrefix(src, "loopback"):
			nb.UpdateSource = "Loopback0"
		default:
			if name, ok := ifName(src); ok {
				nb.UpdateSource = name
			} else {
				errs = append(errs, fmt.Errorf("%s: UpdateSource %q: EOS sources sessions from an interface: use lo or ethN", who, src))
			}
		}
		nb.v4, nb.v6 = intent.Families(n)
		c.IPv6 = c.IPv6 || nb.v6
		c.HasSpeakers = c.HasSpeakers || nb.speaker
		c.HasRouters = c.HasRouters || !nb.speaker
		c.Neighbors = append(c.Neighbors, nb)
	}
	if len(errs) > 0 {
		return config{}, errors.Join(errs...)
	}
	c.Families = families(r, c.Neighbors)
	for _, f := range c.Families {
		c.IPv6 = c.IPv6 || f.Name == "ipv6"
	}
	if c.HasSpeakers {
		actions, _ := intent.Actions(r) // Check has parsed them already
		c.Lists, c.SpeakerMaps = intent.RouteMapPolicy(r.SpeakerPolicy, actions, intent.ListSyntax{Community: "ip community-list", LargeCommunity: "ip large-community-list", WellKnown: wellKnown})
	}
	return c, nil
}

func families(r intent.Router, ns []neighbor) []family {
	v4, v6 := family{Name: "ipv4"}, family{Name: "ipv6"}
	for _, p := range r.Networks {
		if p.Addr().Is4() {
			v4.Networks = append(v4.Networks, p)
		} else {
			v6.Networks = append(v6.Networks, p)
		}
	}
	for _, n := range ns {
		for _, f := range []struct {
			on  bool
			fam *family
			in  string
		}{{n.v4, &v4, "SPEAKER-IN-V4"}, {n.v6, &v6, "SPEAKER-IN-V6"}} {
			if !f.on {
				continue
			}
			an := afNeighbor{Addr: n.Addr, In: "ROUTER-ALL", Out: "ROUTER-ALL"}
			if n.speaker {
				an.In, an.Out = f.in, "SPEAKER-OUT"
			}
			f.fam.Neighbors = append(f.fam.Neighbors, an)
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

// Package iosxe renders Cisco IOS-XE configuration from router intent. Nothing in the
// lab runs IOS-XE; the renderer exists for operators whose upstream routers do, so they
// get the same tested policy as the lab's routers.
package iosxe

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

//go:embed iosxe.cfg.tmpl
var text string

var tmpl = template.Must(template.New("iosxe.cfg").Funcs(template.FuncMap{
	"seq": func(i int) int { return (i + 1) * 10 },
	// v4 writes an IPv4 prefix the IOS way, "address mask".
	"v4":      func(p netip.Prefix) string { return p.Addr().String() + " " + netmask(p) },
	"netmask": netmask,
}).Parse(text))

// netmask is an IPv4 prefix length as a dotted mask (24 → 255.255.255.0).
func netmask(p netip.Prefix) string {
	m := ^uint32(0) << (32 - p.Bits())
	if p.Bits() == 0 {
		m = 0
	}
	return netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)}).String()
}

// IOS-XE's names for well-known communities in standard community lists.
var wellKnown = map[string]string{
	"no-export": "no-export", "no-advertise": "no-advertise", "no-export-subconfed": "local-AS", "graceful-shutdown": "gshut",
}

// Render returns iosxe.cfg.
func (Kind) Render(r intent.Router) ([]intent.File, error) {
	c, err := build(r)
	if err != nil {
		return nil, fmt.Errorf("iosxe: %w", err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, c); err != nil {
		return nil, fmt.Errorf("iosxe: router %s: %w", r.Name, err)
	}
	return []intent.File{{Path: "iosxe.cfg", Content: b.Bytes()}}, nil
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
	bfdPlan
}

type iface struct {
	Name, Description string
	Addresses         []netip.Prefix
	BFDTemplate       string
}

type neighbor struct {
	Addr                  netip.Addr
	ASN                   uint32
	Description, Password string
	Timers, UpdateSource  string
	Passive, Speaker      bool
	Multihop, TTLHops     uint8
	FallOver              string // "bfd" or "bfd multi-hop"
	v4, v6                bool
	nextHopSelf, rrClient bool
	maxPrefix             uint32
}

type family struct {
	Name      string
	Networks  []netip.Prefix
	Neighbors []afNeighbor
}

type afNeighbor struct {
	Addr                  netip.Addr
	NextHopSelf, RRClient bool
	MaxPrefix             uint32
	In, Out               string // empty for speakers: the SPEAKERS peer-group carries them
}

// ifName maps the intent's Linux names (ethN) to IOS-XE's GigabitEthernetN.
func ifName(name string) (string, bool) {
	if n, ok := strings.CutPrefix(name, "eth"); ok && n != "" && strings.Trim(n, "0123456789") == "" {
		return "GigabitEthernet" + n, true
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
			errs = append(errs, fmt.Errorf("router %s: Interfaces[%d].Name %q: name data interfaces ethN (GigabitEthernetN in IOS-XE)", r.Name, i, itf.Name))
		}
		c.Interfaces = append(c.Interfaces, iface{Name: name, Description: itf.Description, Addresses: itf.Addresses})
	}
	for i, n := range r.Neighbors {
		who := intent.Who(r, i)
		if n.TTLSecurityHops > 0 && n.EBGPMultihop > 0 {
			errs = append(errs, fmt.Errorf("%s: TTLSecurityHops with EBGPMultihop: IOS-XE allows only one of them per neighbor; drop one", who))
		}
		nb := neighbor{
			Addr: n.Address, ASN: n.ASN, Description: n.Description, Password: n.Password, Passive: n.Passive,
			Speaker: n.Role == intent.RoleSpeaker, Multihop: n.EBGPMultihop, TTLHops: n.TTLSecurityHops,
			nextHopSelf: n.NextHopSelf, rrClient: n.RouteReflectorClient, maxPrefix: n.MaximumPrefix,
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
				errs = append(errs, fmt.Errorf("%s: UpdateSource %q: IOS-XE sources sessions from an interface: use lo or ethN", who, src))
			}
		}
		nb.v4, nb.v6 = intent.Families(n)
		c.IPv6 = c.IPv6 || nb.v6 || n.Address.Is6()
		c.HasSpeakers = c.HasSpeakers || nb.Speaker
		c.HasRouters = c.HasRouters || !nb.Speaker
		c.Neighbors = append(c.Neighbors, nb)
	}
	if err := planBFD(r, &c); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return config{}, errors.Join(errs...)
	}
	c.Families = families(r, c.Neighbors)
	for _, p := range r.Networks {
		c.IPv6 = c.IPv6 || p.Addr().Is6()
	}
	if c.HasSpeakers {
		actions, _ := intent.Actions(r) // Check has parsed them already
		c.Lists, c.SpeakerMaps = intent.RouteMapPolicy(r.SpeakerPolicy, actions, intent.ListSyntax{Community: "ip community-list standard", LargeCommunity: "ip large-community-list standard", WellKnown: wellKnown})
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
		}{{n.v4, &v4}, {n.v6, &v6}} {
			if !f.on {
				continue
			}
			an := afNeighbor{Addr: n.Addr, NextHopSelf: n.nextHopSelf, RRClient: n.rrClient, MaxPrefix: n.maxPrefix}
			if !n.Speaker {
				an.In, an.Out = "ROUTER-ALL", "ROUTER-ALL"
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

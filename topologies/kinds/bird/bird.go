// Package bird renders BIRD 2 configuration (bird.conf) from router intent.
package bird

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

//go:embed bird.conf.tmpl
var text string

var tmpl = template.Must(template.New("bird.conf").Funcs(template.FuncMap{"join": strings.Join}).Parse(text))

// Render returns bird.conf.
func (Kind) Render(r intent.Router) ([]intent.File, error) {
	c, err := build(r)
	if err != nil {
		return nil, fmt.Errorf("bird: %w", err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, c); err != nil {
		return nil, fmt.Errorf("bird: router %s: %w", r.Name, err)
	}
	return []intent.File{{Path: "bird.conf", Content: b.Bytes()}}, nil
}

type config struct {
	intent.Router
	ECMP      bool
	BFD       bool
	Kernels   []string
	Statics   []static
	Sets      []set
	Filters   []filter
	Neighbors []neighbor
}

type static struct {
	Family   string
	Networks []netip.Prefix
}

type neighbor struct {
	Name, Description   string
	Local, Address      netip.Addr
	ASN                 uint32
	Direct, TTLSecurity bool
	Multihop            uint8
	Password            string
	Hold, Keepalive     int
	Passive, RRClient   bool
	Speaker             bool
	BFD                 *intent.BFD
	Channels            []channel
}

type channel struct {
	Family, Import, Export string
	Limit                  uint32
	NextHopSelf            bool
}

func build(r intent.Router) (config, error) {
	if err := intent.Check(r); err != nil {
		return config{}, err
	}
	c := config{Router: r, ECMP: r.MaximumPaths > 1, Kernels: []string{"ipv4", "ipv6"}}
	var v4, v6 []netip.Prefix
	for _, p := range r.Networks {
		if p.Addr().Is4() {
			v4 = append(v4, p)
		} else {
			v6 = append(v6, p)
		}
	}
	for _, s := range []static{{"ipv4", v4}, {"ipv6", v6}} {
		if len(s.Networks) > 0 {
			c.Statics = append(c.Statics, s)
		}
	}
	if intent.HasRole(r, intent.RoleSpeaker) {
		actions, _ := intent.Actions(r) // Check has parsed them already
		c.Sets, c.Filters = speakerPolicy(r.SpeakerPolicy, actions)
	}
	var errs []error
	for i, n := range r.Neighbors {
		nb, err := buildNeighbor(r, i, n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.BFD = c.BFD || nb.BFD != nil
		c.Neighbors = append(c.Neighbors, nb)
	}
	return c, errors.Join(errs...)
}

func buildNeighbor(r intent.Router, i int, n intent.Neighbor) (neighbor, error) {
	who := intent.Who(r, i)
	nb := neighbor{
		Name:        string(n.Role) + "_" + strings.NewReplacer(".", "_", ":", "_").Replace(n.Address.String()),
		Description: n.Description, Address: n.Address, ASN: n.ASN, Multihop: n.EBGPMultihop,
		Password: n.Password, Passive: n.Passive, RRClient: n.RouteReflectorClient, BFD: n.BFD,
		Speaker: n.Role == intent.RoleSpeaker,
	}
	nb.Keepalive, nb.Hold, _, _ = intent.Timers(n)
	ibgp := n.ASN == r.ASN
	src, ok, _ := intent.SourceAddr(r, n)
	if ok {
		nb.Local = src
	} else if a, ok := connected(r, n.Address); ok {
		// A session on a connected subnet: source it from our address there, and tell
		// BIRD an iBGP peer is directly connected (it assumes multihop otherwise).
		nb.Local, nb.Direct = a, ibgp
	}
	if n.BFD != nil && n.BFD.MinimumTTL != 0 {
		return nb, fmt.Errorf("%s: BFD.MinimumTTL: BIRD cannot set a minimum TTL for multihop BFD; leave it 0", who)
	}
	if n.BFD != nil && (ibgp && !nb.Direct || n.EBGPMultihop > 0) && !nb.Local.IsValid() {
		return nb, fmt.Errorf("%s: BFD: BIRD runs multihop BFD here and needs a local address; set UpdateSource or add an Interface on the neighbor's subnet", who)
	}
	if n.TTLSecurityHops > 0 {
		if n.TTLSecurityHops > 1 && n.EBGPMultihop != n.TTLSecurityHops {
			return nb, fmt.Errorf("%s: TTLSecurityHops %d: BIRD derives the accepted TTL from multihop; set EBGPMultihop to %d too, or TTLSecurityHops to 1", who, n.TTLSecurityHops, n.TTLSecurityHops)
		}
		nb.TTLSecurity = true
	}
	v4, v6 := intent.Families(n)
	for _, f := range []struct {
		name string
		on   bool
	}{{"ipv4", v4}, {"ipv6", v6}} {
		if !f.on {
			continue
		}
		// Routers get what we learned by BGP and what we originate, never connected
		// subnets (FRR does the same unless told to redistribute).
		ch := channel{Family: f.name, Import: "all", Export: "where source ~ [ RTS_BGP, RTS_STATIC ]", Limit: n.MaximumPrefix, NextHopSelf: n.NextHopSelf}
		if n.Role == intent.RoleSpeaker {
			// Speakers announce and never learn: they get no routes back.
			ch.Import, ch.Export = "filter speaker_in_"+f.name, "none"
		}
		nb.Channels = append(nb.Channels, ch)
	}
	return nb, nil
}

// connected returns the router's address on the interface subnet holding addr.
func connected(r intent.Router, addr netip.Addr) (netip.Addr, bool) {
	for _, itf := range r.Interfaces {
		for _, p := range itf.Addresses {
			if p.Bits() < p.Addr().BitLen() && p.Contains(addr) {
				return p.Addr(), true
			}
		}
	}
	return netip.Addr{}, false
}

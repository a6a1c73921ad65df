// Package openbgpd is OpenBGPD 7.7 (Debian's openbgpd) as a lab router kind: bgpd.conf
// rendered from router intent, one bgpd per namespace with its own control socket, and
// a probe over bgpctl's JSON.
package openbgpd

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"text/template"

	"github.com/bgplb/bgplb/topologies/intent"
)

//go:embed bgpd.conf.tmpl
var text string

var tmpl = template.Must(template.New("bgpd.conf").Parse(text))

// Render returns bgpd.conf.
func (Kind) Render(r intent.Router) ([]intent.File, error) {
	c, err := build(r)
	if err != nil {
		return nil, fmt.Errorf("openbgpd: %w", err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, c); err != nil {
		return nil, fmt.Errorf("openbgpd: router %s: %w", r.Name, err)
	}
	return []intent.File{{Path: "bgpd.conf", Content: b.Bytes()}}, nil
}

type config struct {
	intent.Router
	Neighbors []neighbor
	// Speakers is the filter peer spec of the speaker neighbors ("{ a b }"), or "".
	Speakers string
	// Accept are the prefix specs accepted from speakers; Actions the `match` tails,
	// in OpenBGPD's order (later rules win).
	Accept, Actions  []string
	DefaultLocalPref uint32
}

type neighbor struct {
	Address, Local                 netip.Addr
	ASN                            uint32
	Description, Password          string
	Hold                           int
	Passive, RRClient, NextHopSelf bool
	TTLSecurity, IPv4, IPv6        bool
	Multihop                       uint8
	MaxPrefix                      uint32
}

// Names OpenBGPD gives well-known communities.
var wellKnown = map[string]string{
	"graceful-shutdown": "GRACEFUL_SHUTDOWN", "blackhole": "BLACKHOLE", "no-export": "NO_EXPORT",
	"no-advertise": "NO_ADVERTISE", "no-export-subconfed": "NO_EXPORT_SUBCONFED", "no-peer": "NO_PEER",
}

func build(r intent.Router) (config, error) {
	if err := intent.Check(r); err != nil {
		return config{}, err
	}
	var errs []error
	c := config{Router: r, DefaultLocalPref: r.SpeakerPolicy.DefaultLocalPref}
	var speakers []string
	for i, n := range r.Neighbors {
		who := intent.Who(r, i)
		if n.BFD != nil {
			errs = append(errs, fmt.Errorf("%s: BFD: OpenBGPD has no BFD; leave BFD unset for openbgpd routers", who))
		}
		if n.KeepaliveTime > 0 && n.HoldTime > 0 && n.HoldTime != 3*n.KeepaliveTime {
			errs = append(errs, fmt.Errorf("%s: KeepaliveTime: OpenBGPD sends keepalives at a third of the hold time; set HoldTime = 3 x KeepaliveTime or leave KeepaliveTime unset", who))
		}
		nb := neighbor{Address: n.Address, ASN: n.ASN, Description: n.Description, Password: n.Password,
			Passive: n.Passive, RRClient: n.RouteReflectorClient, NextHopSelf: n.NextHopSelf,
			TTLSecurity: n.TTLSecurityHops > 0, Multihop: n.EBGPMultihop, MaxPrefix: n.MaximumPrefix}
		_, nb.Hold, _, _ = intent.Timers(n)
		local, _, _ := intent.SourceAddr(r, n)
		// OpenBGPD 7.7 keys only an unbound listener for TCP MD5: a passive neighbor
		// with a password and a local-address never accepts the signed SYN.
		if !(n.Passive && n.Password != "") {
			nb.Local = local
		}
		nb.IPv4, nb.IPv6 = intent.Families(n)
		c.Neighbors = append(c.Neighbors, nb)
		if n.Role == intent.RoleSpeaker {
			speakers = append(speakers, n.Address.String())
		}
	}
	if len(errs) > 0 {
		return config{}, errors.Join(errs...)
	}
	if len(speakers) > 0 {
		c.Speakers = "{ " + strings.Join(speakers, " ") + " }"
		v4, v6 := intent.Accept(r.SpeakerPolicy)
		for _, a := range slices.Concat(v4, v6) {
			spec := a.Prefix.String()
			if le := intent.Le(a); le > a.Prefix.Bits() {
				spec += fmt.Sprintf(" prefixlen %d - %d", a.Prefix.Bits(), le)
			}
			c.Accept = append(c.Accept, spec)
		}
		actions, _ := intent.Actions(r) // Check has parsed them already
		// The intent's first matching action wins; OpenBGPD's last set wins: reverse.
		for i := len(actions) - 1; i >= 0; i-- {
			a := actions[i]
			kw, val := "community", a.Community.NameOr(wellKnown)
			if a.Community.Kind == intent.Large {
				kw, val = "large-community", a.Community.Numeric()
			}
			c.Actions = append(c.Actions, fmt.Sprintf("%s %s set localpref %d", kw, val, a.LocalPref))
		}
	}
	return c, nil
}

// Package gobgp renders gobgpd's TOML configuration from router intent.
package gobgp

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"net/netip"
	"text/template"

	"github.com/bgplb/bgplb/topologies/intent"
)

//go:embed gobgpd.toml.tmpl
var text string

var tmpl = template.Must(template.New("gobgpd.toml").Parse(text))

// Render returns gobgpd.toml.
func (Kind) Render(r intent.Router) ([]intent.File, error) {
	c, err := build(r)
	if err != nil {
		return nil, fmt.Errorf("gobgp: %w", err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, c); err != nil {
		return nil, fmt.Errorf("gobgp: router %s: %w", r.Name, err)
	}
	return []intent.File{{Path: "gobgpd.toml", Content: b.Bytes()}}, nil
}

type config struct {
	intent.Router
	ECMP      bool
	Neighbors []neighbor
	policy
}

type neighbor struct {
	Address, Local        netip.Addr
	ASN                   uint32
	Description, Password string
	Hold, Keepalive       int
	Passive, RRClient     bool
	Multihop              uint8
	TTLMin                int
	MaxPrefix             uint32
	Families              []string
}

func build(r intent.Router) (config, error) {
	if err := intent.Check(r); err != nil {
		return config{}, err
	}
	var errs []error
	if len(r.Networks) > 0 {
		errs = append(errs, fmt.Errorf("router %s: Networks: gobgpd's config file cannot originate prefixes; announce them with `gobgp global rib add` or leave Networks empty", r.Name))
	}
	c := config{Router: r, ECMP: r.MaximumPaths > 1}
	for i, n := range r.Neighbors {
		who := intent.Who(r, i)
		if n.BFD != nil {
			errs = append(errs, fmt.Errorf("%s: BFD: gobgpd has no BFD; leave BFD unset for gobgp routers", who))
		}
		if n.TTLSecurityHops > 0 && n.EBGPMultihop > 0 {
			errs = append(errs, fmt.Errorf("%s: TTLSecurityHops with EBGPMultihop: gobgpd allows only one of them per neighbor; drop one", who))
		}
		nb := neighbor{
			Address: n.Address, ASN: n.ASN, Description: n.Description, Password: n.Password,
			Passive: n.Passive, RRClient: n.RouteReflectorClient, Multihop: n.EBGPMultihop, MaxPrefix: n.MaximumPrefix,
		}
		nb.Keepalive, nb.Hold, _, _ = intent.Timers(n)
		nb.Local, _, _ = intent.SourceAddr(r, n)
		if n.TTLSecurityHops > 0 {
			nb.TTLMin = intent.TTLMin(n.TTLSecurityHops)
		}
		v4, v6 := intent.Families(n)
		if v4 {
			nb.Families = append(nb.Families, "ipv4")
		}
		if v6 {
			nb.Families = append(nb.Families, "ipv6")
		}
		c.Neighbors = append(c.Neighbors, nb)
	}
	if len(errs) > 0 {
		return config{}, errors.Join(errs...)
	}
	actions, _ := intent.Actions(r) // Check has parsed them already
	c.policy = buildPolicy(r, actions)
	return c, nil
}

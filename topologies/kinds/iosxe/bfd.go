package iosxe

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/bgplb/bgplb/topologies/intent"
)

// bfdPlan is how IOS-XE spells per-session BFD: single-hop sessions take their
// timers from a template applied on the interface they run over; multihop sessions
// from a multi-hop template bound to the (destination, source) pair by a bfd map.
type bfdPlan struct {
	Templates []bfdTemplate
	Maps      []string
}

type bfdTemplate struct {
	Kind string // single-hop or multi-hop
	intent.BFDProfile
}

func planBFD(r intent.Router, c *config) error {
	profiles, names, err := intent.BFDProfiles(r)
	if err != nil {
		return err
	}
	byName := map[string]intent.BFDProfile{}
	for _, p := range profiles {
		byName[p.Name] = p
	}
	used := map[string]bool{}
	var errs []error
	for i, n := range r.Neighbors {
		name, ok := names[i]
		if !ok {
			continue
		}
		who := intent.Who(r, i)
		if n.BFD.Passive || n.BFD.MinimumTTL != 0 {
			errs = append(errs, fmt.Errorf("%s: BFD.Passive/BFD.MinimumTTL: IOS-XE BFD templates have neither; leave them unset", who))
			continue
		}
		if itf, ok := connected(r, n.Address); ok && n.EBGPMultihop == 0 {
			if t := c.Interfaces[itf].BFDTemplate; t != "" && t != name {
				if !sameTimers(byName[t], byName[name]) {
					errs = append(errs, fmt.Errorf("%s: BFD.Profile %q: IOS-XE sets single-hop BFD per interface, and %s already uses %q with other timers", who, name, c.Interfaces[itf].Name, t))
				}
				c.Neighbors[i].FallOver = "bfd" // the interface's template has the same timers
				continue
			}
			c.Interfaces[itf].BFDTemplate = name
			c.Neighbors[i].FallOver = "bfd"
			if !used["single-hop "+name] {
				c.Templates = append(c.Templates, bfdTemplate{"single-hop", byName[name]})
				used["single-hop "+name] = true
			}
			continue
		}
		src, ok, _ := intent.SourceAddr(r, n)
		if !ok {
			errs = append(errs, fmt.Errorf("%s: BFD: the session is multihop and IOS-XE maps multihop BFD by source address; set UpdateSource", who))
			continue
		}
		fam := "ipv4"
		if n.Address.Is6() {
			fam = "ipv6"
		}
		c.Maps = append(c.Maps, fmt.Sprintf("bfd map %s %s %s %s", fam, netip.PrefixFrom(n.Address, n.Address.BitLen()), netip.PrefixFrom(src, src.BitLen()), name))
		c.Neighbors[i].FallOver = "bfd multi-hop"
		if !used["multi-hop "+name] {
			c.Templates = append(c.Templates, bfdTemplate{"multi-hop", byName[name]})
			used["multi-hop "+name] = true
		}
	}
	return errors.Join(errs...)
}

// connected returns the index of the interface whose subnet holds addr.
func connected(r intent.Router, addr netip.Addr) (int, bool) {
	for i, itf := range r.Interfaces {
		for _, p := range itf.Addresses {
			if p.Bits() < p.Addr().BitLen() && p.Contains(addr) {
				return i, true
			}
		}
	}
	return 0, false
}

func sameTimers(a, b intent.BFDProfile) bool {
	return a.ReceiveInterval == b.ReceiveInterval && a.TransmitInterval == b.TransmitInterval && a.DetectMultiplier == b.DetectMultiplier
}

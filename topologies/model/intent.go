package model

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/bgplb/bgplb/topologies/intent"
)

// RouterIntent returns the NOS-neutral configuration intent of one router: its interfaces,
// loopbacks, one neighbor per session, the LANs it originates, ECMP width and the inbound
// policy for speakers (accept only the VIP ranges, up to /32 and /128, and act on
// communities). Renderers turn it into NOS files.
func (l *Lab) RouterIntent(node string) (intent.Router, error) {
	n := l.Node(node)
	if n == nil {
		return intent.Router{}, fmt.Errorf("router intent: no node %q in lab %s", node, l.Name)
	}
	if n.Role != RoleRouter {
		return intent.Router{}, fmt.Errorf("router intent: node %q is a %s, not a router", node, n.Role)
	}
	r := intent.Router{
		Name:         n.Name,
		ASN:          n.ASN,
		RouterID:     n.RouterID,
		Loopbacks:    slices.Clone(n.Loopbacks),
		MaximumPaths: n.MaximumPaths,
	}
	for _, ifc := range n.Interfaces {
		link := l.link(ifc.Link)
		r.Interfaces = append(r.Interfaces, intent.Interface{
			Name: ifc.Name, Addresses: slices.Clone(ifc.Addresses),
			Description: fmt.Sprintf("%s link %s to %s", link.Kind, link.Name, strings.Join(others(link, n.Name), ", ")),
		})
		if link.Kind == LinkBridge {
			r.Networks = append(r.Networks, link.Prefixes...)
		}
	}
	for _, s := range l.SessionsOf(node) {
		r.Neighbors = append(r.Neighbors, l.neighbor(s, node))
	}
	r.SpeakerPolicy = l.speakerPolicy(n.Policy)
	return r, nil
}

func (l *Lab) link(name string) LabLink {
	for _, k := range l.Links {
		if k.Name == name {
			return k
		}
	}
	return LabLink{}
}

func others(link LabLink, self string) []string {
	var out []string
	for _, e := range link.Ends {
		if e.Node != self {
			out = append(out, e.Node)
		}
	}
	return out
}

// neighbor is session s seen from router self.
func (l *Lab) neighbor(s Session, self string) intent.Neighbor {
	peer := s.B
	if s.B.Node == self {
		peer = s.A
	}
	nb := intent.Neighbor{
		Address:         peer.Address,
		ASN:             peer.ASN,
		Role:            intent.RoleRouter,
		Description:     fmt.Sprintf("%s %s", s.Kind, peer.Node),
		Password:        s.Password,
		HoldTime:        s.HoldTime,
		KeepaliveTime:   s.KeepaliveTime,
		TTLSecurityHops: s.TTLSecurity,
		MaximumPrefix:   s.MaximumPrefix,
		// iBGP without an IGP: the next hop a router learned from a speaker or another
		// DC may be on a link its iBGP neighbor lacks, so it rewrites it to itself.
		NextHopSelf: s.Kind == SessionIBGP,
	}
	if s.Kind == SessionSpeaker {
		nb.Role = intent.RoleSpeaker
	}
	if p, ok := l.BFDProfiles[s.BFD]; ok && s.BFD != "" {
		nb.BFD = &intent.BFD{
			Profile: s.BFD, ReceiveInterval: p.ReceiveInterval, TransmitInterval: p.TransmitInterval,
			DetectMultiplier: p.DetectMultiplier, Passive: p.Passive,
		}
	}
	return nb
}

// speakerPolicy accepts the VIP ranges and nothing else, with the router's community actions.
func (l *Lab) speakerPolicy(p *Policy) intent.Policy {
	var out intent.Policy
	for _, v := range l.VIPs {
		out.Accept = append(out.Accept, intent.PrefixRange{Prefix: v, Le: v.Addr().BitLen()})
	}
	if p != nil {
		for _, c := range p.Communities {
			out.CommunityActions = append(out.CommunityActions, intent.CommunityAction{Community: c.Community, LocalPref: c.LocalPref})
		}
		out.DefaultLocalPref = p.DefaultLocalPref
	}
	return out
}

// addrFamily names a family for object names: "" for IPv4, "-v6" for IPv6.
func addrFamily(a netip.Addr) string {
	if a.Is4() {
		return ""
	}
	return "-v6"
}

package openbgpd

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/bgplb/bgplb/topologies/kind"
)

// Probe reads an OpenBGPD router through bgpctl's JSON (bgpctl -j, 7.x).
type Probe struct{ exec kind.Exec }

// NewProbe returns a probe running bgpctl through exec (the backend points bgpctl at
// the router's socket).
func NewProbe(exec kind.Exec) *Probe { return &Probe{exec: exec} }

// Sessions are `bgpctl -j show neighbor`.
func (p *Probe) Sessions(ctx context.Context) ([]kind.Session, error) {
	out, err := p.exec(ctx, []string{"bgpctl", "-j", "show", "neighbor"})
	if err != nil {
		return nil, err
	}
	return ParseNeighbors(out)
}

// Routes are `bgpctl -j show rib detail`, kept when inside one of the ranges.
func (p *Probe) Routes(ctx context.Context, within []netip.Prefix) ([]kind.Route, error) {
	out, err := p.exec(ctx, []string{"bgpctl", "-j", "show", "rib", "detail"})
	if err != nil {
		return nil, err
	}
	return ParseRIB(out, within)
}

// BFD: OpenBGPD has none.
func (p *Probe) BFD(context.Context) ([]kind.BFDPeer, error) { return nil, nil }

type neighborJSON struct {
	RemoteAS    string `json:"remote_as"`
	Description string `json:"description"`
	RemoteAddr  string `json:"remote_addr"`
	State       string `json:"state"`
	UpDownSec   int64  `json:"last_updown_sec"`
	Stats       *struct {
		Prefixes struct {
			Received int `json:"received"`
		} `json:"prefixes"`
	} `json:"stats"`
	Session *struct {
		Local struct {
			Address string `json:"address"`
		} `json:"local"`
	} `json:"session"`
}

// ParseNeighbors parses `bgpctl -j show neighbor` (or `show summary`, which lacks the
// counters: PrefixesReceived is then -1).
func ParseNeighbors(out []byte) ([]kind.Session, error) {
	var doc struct {
		Neighbors []neighborJSON `json:"neighbors"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("openbgpd: show neighbor: %w", err)
	}
	var ss []kind.Session
	for _, n := range doc.Neighbors {
		addr, err := netip.ParseAddr(n.RemoteAddr)
		if err != nil {
			return nil, fmt.Errorf("openbgpd: show neighbor: address %q: %w", n.RemoteAddr, err)
		}
		asn, _ := strconv.ParseUint(n.RemoteAS, 10, 32)
		s := kind.Session{Neighbor: addr, Name: n.Description, RemoteAS: uint32(asn), State: n.State, PrefixesReceived: -1}
		if n.Stats != nil {
			s.PrefixesReceived = n.Stats.Prefixes.Received
		}
		if s.Established() && n.UpDownSec > 0 {
			s.Uptime = time.Duration(n.UpDownSec) * time.Second
		}
		ss = append(ss, s)
	}
	kind.SortSessions(ss)
	return ss, nil
}

type pathJSON struct {
	Prefix      string `json:"prefix"`
	ASPath      string `json:"aspath"`
	ExitNexthop string `json:"exit_nexthop"`
	Neighbor    struct {
		RemoteAddr string `json:"remote_addr"`
	} `json:"neighbor"`
	Best             bool     `json:"best"`
	ECMP             bool     `json:"ecmp"`
	Source           string   `json:"source"`
	Origin           string   `json:"origin"`
	LocalPref        *uint32  `json:"localpref"`
	Communities      []string `json:"communities"`
	LargeCommunities []string `json:"large_communities"`
}

// ParseRIB parses `bgpctl -j show rib detail`: one entry per path, grouped here by
// prefix. Locally originated paths (source internal, neighbor "???") have no peer.
func ParseRIB(out []byte, within []netip.Prefix) ([]kind.Route, error) {
	var doc struct {
		RIB []pathJSON `json:"rib"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("openbgpd: show rib detail: %w", err)
	}
	var routes []kind.Route
	index := map[netip.Prefix]int{}
	for _, e := range doc.RIB {
		pfx, err := netip.ParsePrefix(e.Prefix)
		if err != nil {
			return nil, fmt.Errorf("openbgpd: show rib: prefix %q: %w", e.Prefix, err)
		}
		if !kind.Within(pfx, within) {
			continue
		}
		path := kind.Path{Best: e.Best, Multipath: e.ECMP, LocalPref: e.LocalPref, Origin: strings.ToLower(e.Origin),
			Communities: e.Communities, LargeCommunities: e.LargeCommunities}
		if a, err := netip.ParseAddr(e.Neighbor.RemoteAddr); err == nil {
			path.Peer = a
		}
		if a, err := netip.ParseAddr(e.ExitNexthop); err == nil && !a.IsUnspecified() {
			path.NextHops = []netip.Addr{a}
		}
		for _, f := range strings.Fields(e.ASPath) {
			if asn, err := strconv.ParseUint(strings.Trim(f, "{},"), 10, 32); err == nil {
				path.ASPath = append(path.ASPath, uint32(asn))
			}
		}
		i, ok := index[pfx]
		if !ok {
			i = len(routes)
			index[pfx] = i
			routes = append(routes, kind.Route{Prefix: pfx})
		}
		routes[i].Paths = append(routes[i].Paths, path)
	}
	kind.SortRoutes(routes)
	return routes, nil
}

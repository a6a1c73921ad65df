// Package gobgp probes a gobgpd router through the gobgp CLI's JSON output (`-j`). The
// parsers are pure and tested on output captured from gobgp 3.10 (../testdata/gobgp).
// gobgpd has no BFD: BFD returns no peers.
package gobgp

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

// sessionStates are gobgp's apipb.PeerState_SessionState values.
var sessionStates = map[int]string{
	1: kind.StateIdle, 2: kind.StateConnect, 3: kind.StateActive,
	4: kind.StateOpenSent, 5: kind.StateOpenConfirm, 6: kind.StateEstablished,
}

type neighborJSON struct {
	Conf struct {
		NeighborAddress string `json:"neighbor_address"`
		PeerASN         uint32 `json:"peer_asn"`
		LocalASN        uint32 `json:"local_asn"`
	} `json:"conf"`
	State struct {
		SessionState json.RawMessage `json:"session_state"`
	} `json:"state"`
	Timers struct {
		State struct {
			Uptime struct {
				Seconds int64 `json:"seconds"`
			} `json:"uptime"`
		} `json:"state"`
	} `json:"timers"`
	AfiSafis []struct {
		State struct {
			Family struct {
				Afi int `json:"afi"`
			} `json:"family"`
			Accepted *int `json:"accepted"`
		} `json:"state"`
	} `json:"afi_safis"`
}

// ParseNeighbors parses `gobgp neighbor -j`. gobgp reports the session's start as a Unix
// time, so the uptime needs now.
func ParseNeighbors(data []byte, now time.Time) ([]kind.Session, error) {
	var ns []neighborJSON
	if err := json.Unmarshal(data, &ns); err != nil {
		return nil, fmt.Errorf("gobgp: neighbor -j: %w", err)
	}
	out := make([]kind.Session, 0, len(ns))
	for _, n := range ns {
		addr, err := netip.ParseAddr(n.Conf.NeighborAddress)
		if err != nil {
			return nil, fmt.Errorf("gobgp: neighbor -j: address %q: %w", n.Conf.NeighborAddress, err)
		}
		s := kind.Session{Neighbor: addr, Name: n.Conf.NeighborAddress, RemoteAS: n.Conf.PeerASN,
			LocalAS: n.Conf.LocalASN, State: sessionState(n.State.SessionState), PrefixesReceived: -1}
		for _, af := range n.AfiSafis {
			if af.State.Accepted != nil {
				if s.PrefixesReceived < 0 {
					s.PrefixesReceived = 0
				}
				s.PrefixesReceived += *af.State.Accepted
			}
		}
		if s.Established() {
			if s.PrefixesReceived < 0 {
				s.PrefixesReceived = 0 // gobgp omits zero counters
			}
			if up := n.Timers.State.Uptime.Seconds; up > 0 {
				s.Uptime = now.Sub(time.Unix(up, 0)).Truncate(time.Second)
			}
		}
		out = append(out, s)
	}
	kind.SortSessions(out)
	return out, nil
}

// sessionState accepts the number gobgp 3 prints and the names other versions print.
func sessionState(raw json.RawMessage) string {
	var n int
	if json.Unmarshal(raw, &n) == nil {
		if s, ok := sessionStates[n]; ok {
			return s
		}
		return "Unknown(" + strconv.Itoa(n) + ")"
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	s = strings.TrimPrefix(strings.ToUpper(s), "SESSION_STATE_")
	for _, st := range sessionStates {
		if strings.EqualFold(s, st) {
			return st
		}
	}
	return kind.StateIdle
}

type ribPath struct {
	Best       bool   `json:"best"`
	NeighborIP string `json:"neighbor-ip"`
	Attrs      []attr `json:"attrs"`
}

// attr is a path attribute; gobgp prints each in its own shape, keyed by type.
type attr struct {
	Type        int             `json:"type"`
	Value       json.RawMessage `json:"value"`
	NextHop     string          `json:"nexthop"`
	Communities []uint32        `json:"communities"`
	ASPaths     []struct {
		ASNs []uint32 `json:"asns"`
	} `json:"as_paths"`
}

// BGP path attribute type codes (RFC 4271, 1997, 8092).
const (
	attrOrigin    = 1
	attrASPath    = 2
	attrNextHop   = 3
	attrLocalPref = 5
	attrCommunity = 8
	attrMPReach   = 14
	attrLarge     = 32
)

// ParseRIB parses `gobgp global rib -j [-a ipv4|ipv6]`.
func ParseRIB(data []byte) ([]kind.Route, error) {
	var rib map[string][]ribPath
	if err := json.Unmarshal(data, &rib); err != nil {
		return nil, fmt.Errorf("gobgp: global rib -j: %w", err)
	}
	var out []kind.Route
	for key, paths := range rib {
		pfx, err := netip.ParsePrefix(key)
		if err != nil {
			return nil, fmt.Errorf("gobgp: global rib -j: prefix %q: %w", key, err)
		}
		r := kind.Route{Prefix: pfx}
		for _, p := range paths {
			path := kind.Path{Best: p.Best}
			path.Peer, _ = netip.ParseAddr(p.NeighborIP)
			for _, a := range p.Attrs {
				readAttr(&path, a)
			}
			r.Paths = append(r.Paths, path)
		}
		out = append(out, r)
	}
	kind.SortRoutes(out)
	return out, nil
}

func readAttr(p *kind.Path, a attr) {
	switch a.Type {
	case attrOrigin:
		var v int
		_ = json.Unmarshal(a.Value, &v)
		p.Origin = [...]string{"igp", "egp", "incomplete"}[min(max(v, 0), 2)]
	case attrASPath:
		for _, seg := range a.ASPaths {
			p.ASPath = append(p.ASPath, seg.ASNs...)
		}
	case attrNextHop, attrMPReach:
		if nh, err := netip.ParseAddr(a.NextHop); err == nil && !nh.IsUnspecified() {
			p.NextHops = append(p.NextHops, nh)
		}
	case attrLocalPref:
		var v uint32
		if json.Unmarshal(a.Value, &v) == nil {
			p.LocalPref = &v
		}
	case attrCommunity:
		for _, c := range a.Communities {
			p.Communities = append(p.Communities, fmt.Sprintf("%d:%d", c>>16, c&0xffff))
		}
	case attrLarge:
		var ls []struct{ ASN, LocalData1, LocalData2 uint32 }
		_ = json.Unmarshal(a.Value, &ls)
		for _, l := range ls {
			p.LargeCommunities = append(p.LargeCommunities, fmt.Sprintf("%d:%d:%d", l.ASN, l.LocalData1, l.LocalData2))
		}
	}
}

// Probe asks one gobgpd through the gobgp CLI.
type Probe struct {
	exec kind.Exec
	now  func() time.Time
}

var _ kind.Probe = (*Probe)(nil)

// NewProbe returns a probe that runs gobgp through exec; now dates session uptimes.
func NewProbe(exec kind.Exec, now func() time.Time) *Probe { return &Probe{exec: exec, now: now} }

// Sessions implements kind.Probe.
func (p *Probe) Sessions(ctx context.Context) ([]kind.Session, error) {
	out, err := p.exec(ctx, []string{"gobgp", "neighbor", "-j"})
	if err != nil {
		return nil, fmt.Errorf("gobgp: neighbor -j: %w", err)
	}
	return ParseNeighbors(out, p.now())
}

// Routes implements kind.Probe.
func (p *Probe) Routes(ctx context.Context, within []netip.Prefix) ([]kind.Route, error) {
	var keep []kind.Route
	for _, fam := range []string{"ipv4", "ipv6"} {
		if !hasFamily(within, fam == "ipv4") {
			continue
		}
		out, err := p.exec(ctx, []string{"gobgp", "global", "rib", "-j", "-a", fam})
		if err != nil {
			return nil, fmt.Errorf("gobgp: global rib -j -a %s: %w", fam, err)
		}
		rs, err := ParseRIB(out)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if kind.Within(r.Prefix, within) {
				keep = append(keep, r)
			}
		}
	}
	return keep, nil
}

// BFD implements kind.Probe: gobgpd has no BFD.
func (p *Probe) BFD(context.Context) ([]kind.BFDPeer, error) { return nil, nil }

func hasFamily(ps []netip.Prefix, v4 bool) bool {
	for _, p := range ps {
		if p.Addr().Is4() == v4 {
			return true
		}
	}
	return false
}

// Package frr probes an FRR router through vtysh's JSON output. The parsers are pure and
// tested on output captured from FRR 8.4 (../testdata/frr); Probe runs vtysh through an
// injected kind.Exec.
package frr

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/bgplb/bgplb/topologies/kind"
)

// summaryPeer is one peer of `show bgp summary json`.
type summaryPeer struct {
	RemoteAS       uint32 `json:"remoteAs"`
	LocalAS        uint32 `json:"localAs"`
	State          string `json:"state"`
	PeerUptimeMsec int64  `json:"peerUptimeMsec"`
	PfxRcd         *int   `json:"pfxRcd"`
	Desc           string `json:"desc"`
}

// ParseSummary parses `show bgp summary json`: one Session per neighbor and family.
func ParseSummary(data []byte) ([]kind.Session, error) {
	var afs map[string]json.RawMessage
	if err := json.Unmarshal(data, &afs); err != nil {
		return nil, fmt.Errorf("frr: show bgp summary json: %w", err)
	}
	var out []kind.Session
	for _, af := range sortedKeys(afs) {
		family := familyOf(af)
		if family == "" {
			continue // not an address family block
		}
		var block struct {
			Peers map[string]summaryPeer `json:"peers"`
		}
		if err := json.Unmarshal(afs[af], &block); err != nil {
			return nil, fmt.Errorf("frr: show bgp summary json: %s: %w", af, err)
		}
		for _, key := range sortedKeys(block.Peers) {
			p := block.Peers[key]
			s := kind.Session{Name: key, RemoteAS: p.RemoteAS, LocalAS: p.LocalAS, Family: family,
				State: normState(p.State), PrefixesReceived: -1, Info: p.Desc}
			s.Neighbor, _ = netip.ParseAddr(key)
			if p.PfxRcd != nil {
				s.PrefixesReceived = *p.PfxRcd
			}
			if s.Established() {
				s.Uptime = time.Duration(p.PeerUptimeMsec) * time.Millisecond
			}
			out = append(out, s)
		}
	}
	kind.SortSessions(out)
	return out, nil
}

// familyOf maps FRR's summary keys ("ipv4Unicast") to a family.
func familyOf(key string) string {
	switch {
	case strings.HasPrefix(key, "ipv4"):
		return "ipv4"
	case strings.HasPrefix(key, "ipv6"):
		return "ipv6"
	}
	return ""
}

// normState maps FRR's state names to the RFC names (FRR prints them the same, except
// for "Idle (Admin)" and friends, which keep their remark out of the state).
func normState(s string) string {
	base, _, _ := strings.Cut(s, " ")
	for _, st := range []string{kind.StateIdle, kind.StateConnect, kind.StateActive,
		kind.StateOpenSent, kind.StateOpenConfirm, kind.StateEstablished} {
		if strings.EqualFold(base, st) {
			return st
		}
	}
	return s
}

// tablePath is one path of `show bgp ipv4 unicast json` (the table view).
type tablePath struct {
	Valid     bool      `json:"valid"`
	BestPath  bool      `json:"bestpath"`
	Multipath bool      `json:"multipath"`
	LocPrf    *uint32   `json:"locPrf"`
	PeerID    string    `json:"peerId"`
	Path      string    `json:"path"`
	Origin    string    `json:"origin"`
	NextHops  []nextHop `json:"nexthops"`
}

type nextHop struct {
	IP   string `json:"ip"`
	Used bool   `json:"used"`
}

// ParseTable parses `show bgp ipv4|ipv6 unicast json` into routes. The table view has
// no communities; ParsePrefix has them.
func ParseTable(data []byte) ([]kind.Route, error) {
	var t struct {
		Routes map[string][]tablePath `json:"routes"`
	}
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("frr: show bgp unicast json: %w", err)
	}
	var out []kind.Route
	for key, paths := range t.Routes {
		pfx, err := netip.ParsePrefix(key)
		if err != nil {
			return nil, fmt.Errorf("frr: show bgp unicast json: route %q: %w", key, err)
		}
		r := kind.Route{Prefix: pfx}
		for _, p := range paths {
			if !p.Valid {
				continue
			}
			path := kind.Path{Best: p.BestPath, Multipath: p.Multipath && !p.BestPath,
				LocalPref: p.LocPrf, ASPath: asPathString(p.Path), Origin: strings.ToLower(p.Origin),
				NextHops: nextHops(p.NextHops)}
			path.Peer, _ = netip.ParseAddr(p.PeerID)
			r.Paths = append(r.Paths, path)
		}
		out = append(out, r)
	}
	kind.SortRoutes(out)
	return out, nil
}

// nextHops keeps the usable next hops; 0.0.0.0/:: marks a locally originated path.
func nextHops(nhs []nextHop) []netip.Addr {
	var out []netip.Addr
	for _, nh := range nhs {
		a, err := netip.ParseAddr(nh.IP)
		if err != nil || a.IsUnspecified() {
			continue
		}
		out = append(out, a)
	}
	return out
}

func asPathString(s string) []uint32 {
	var out []uint32
	for _, f := range strings.Fields(s) {
		var asn uint32
		if _, err := fmt.Sscanf(f, "%d", &asn); err == nil {
			out = append(out, asn)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

package frr

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/bgplb/bgplb/topologies/kind"
)

// prefixPath is one path of `show bgp ipv4 unicast A.B.C.D/32 json`.
type prefixPath struct {
	ASPath struct {
		Segments []struct {
			List []uint32 `json:"list"`
		} `json:"segments"`
	} `json:"aspath"`
	Origin   string  `json:"origin"`
	LocPrf   *uint32 `json:"locPrf"`
	Valid    bool    `json:"valid"`
	BestPath *struct {
		Overall bool `json:"overall"`
	} `json:"bestpath"`
	Multipath bool      `json:"multipath"`
	Community *listAttr `json:"community"`
	Large     *listAttr `json:"largeCommunity"`
	NextHops  []nextHop `json:"nexthops"`
	Peer      struct {
		PeerID string `json:"peerId"`
	} `json:"peer"`
}

type listAttr struct {
	List []string `json:"list"`
}

// ParsePrefix parses the per-prefix JSON. ok is false when the router has no route for
// the prefix (FRR prints {}).
func ParsePrefix(data []byte) (r kind.Route, ok bool, err error) {
	var d struct {
		Prefix string       `json:"prefix"`
		Paths  []prefixPath `json:"paths"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return kind.Route{}, false, fmt.Errorf("frr: show bgp prefix json: %w", err)
	}
	if d.Prefix == "" {
		return kind.Route{}, false, nil
	}
	pfx, err := netip.ParsePrefix(d.Prefix)
	if err != nil {
		return kind.Route{}, false, fmt.Errorf("frr: show bgp prefix json: prefix %q: %w", d.Prefix, err)
	}
	r.Prefix = pfx
	for _, p := range d.Paths {
		if !p.Valid {
			continue
		}
		best := p.BestPath != nil && p.BestPath.Overall
		path := kind.Path{Best: best, Multipath: p.Multipath && !best, LocalPref: p.LocPrf,
			Origin: strings.ToLower(p.Origin), NextHops: nextHops(p.NextHops)}
		for _, seg := range p.ASPath.Segments {
			path.ASPath = append(path.ASPath, seg.List...)
		}
		if p.Community != nil {
			path.Communities = p.Community.List
		}
		if p.Large != nil {
			path.LargeCommunities = p.Large.List
		}
		path.Peer, _ = netip.ParseAddr(p.Peer.PeerID)
		r.Paths = append(r.Paths, path)
	}
	return r, true, nil
}

// bfdPeer is one entry of `show bfd peers json`.
type bfdPeer struct {
	Multihop   bool   `json:"multihop"`
	Peer       string `json:"peer"`
	Local      string `json:"local"`
	Interface  string `json:"interface"`
	Status     string `json:"status"`
	RxInterval int    `json:"receive-interval"`
	TxInterval int    `json:"transmit-interval"`
	Multiplier int    `json:"detect-multiplier"`
}

// ParseBFD parses `show bfd peers json`.
func ParseBFD(data []byte) ([]kind.BFDPeer, error) {
	var peers []bfdPeer
	if err := json.Unmarshal(data, &peers); err != nil {
		return nil, fmt.Errorf("frr: show bfd peers json: %w", err)
	}
	out := make([]kind.BFDPeer, 0, len(peers))
	for _, p := range peers {
		peer, err := netip.ParseAddr(p.Peer)
		if err != nil {
			return nil, fmt.Errorf("frr: show bfd peers json: peer %q: %w", p.Peer, err)
		}
		b := kind.BFDPeer{Peer: peer, Interface: p.Interface, Multihop: p.Multihop,
			State:            strings.ToLower(p.Status),
			ReceiveInterval:  time.Duration(p.RxInterval) * time.Millisecond,
			TransmitInterval: time.Duration(p.TxInterval) * time.Millisecond,
			DetectMultiplier: p.Multiplier}
		b.Local, _ = netip.ParseAddr(p.Local)
		out = append(out, b)
	}
	kind.SortBFD(out)
	return out, nil
}

// Package fromconfig builds the upstream router's side of a bgplb (MetalLB)
// configuration: the intent.Router intent that `bgplb router-config` hands to the lab's
// renderers, so an operator's FRR, BIRD, VyOS, EOS or IOS-XE router gets the same,
// tested configuration the lab routers get.
//
// It is pure: a validated config.Config and the nodes go in, an intent and notes come out.
package fromconfig

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/topologies/intent"
)

// Node is a Kubernetes node that runs a speaker.
type Node struct {
	Name      string
	Addresses []netip.Addr
	// Labels decide which BGPPeers the node opens sessions for; nil means unknown
	// (an address given on the command line), and every peer is taken to select it.
	Labels map[string]string
}

// Options say which router to configure and how.
type Options struct {
	// Peer names the BGPPeer that describes this router; "" picks the only peer, or
	// the peers whose address is RouterAddress.
	Peer string
	// RouterASN and RouterAddress default to the chosen peer's peerASN and peerAddress.
	RouterASN     uint32
	RouterAddress netip.Addr
	// RouterID defaults to RouterAddress when that is IPv4.
	RouterID netip.Addr
	// Name is the router's host name; default the peer's name.
	Name string
	// Nodes are the speakers; at least one is needed.
	Nodes []Node
	// MaxPrefix overrides the maximum-prefix limit derived from the pools.
	MaxPrefix uint32
	// GTSM asks for RFC 5082 TTL security on every speaker session.
	GTSM bool
}

// Result is the router intent and what the caller should tell the operator.
type Result struct {
	Router intent.Router
	// Peers are the BGPPeers whose sessions the router terminates, sorted.
	Peers []string
	// Notes explain choices a reader of the generated config should know about.
	Notes []string
}

// Build returns the router intent for the BGPPeer(s) chosen by opts. Every problem is
// returned at once.
func Build(cfg *config.Config, opts Options) (Result, error) {
	peers, err := choosePeers(cfg, opts)
	if err != nil {
		return Result{}, err
	}
	first := peers[0]
	var res Result
	r := intent.Router{
		Name:     cmp.Or(opts.Name, first.Name),
		ASN:      cmp.Or(opts.RouterASN, first.PeerASN),
		RouterID: opts.RouterID,
	}
	addr := cmp.Or(opts.RouterAddress, first.Address)
	if !r.RouterID.IsValid() && addr.Is4() {
		r.RouterID = addr
	}
	var errs []error
	if r.ASN == 0 {
		errs = append(errs, fmt.Errorf("BGPPeer %s uses dynamicASN: give the router's AS number with --router-asn", first.Name))
	}
	if !r.RouterID.Is4() {
		errs = append(errs, fmt.Errorf("router address %v is not IPv4: give a router ID with --router-id", addr))
	}
	if len(opts.Nodes) == 0 {
		errs = append(errs, errors.New("no nodes: give their addresses with --node-address or include Node objects with status.addresses"))
	}
	for _, p := range peers {
		res.Peers = append(res.Peers, p.Name)
		ns, notes, err := neighbors(cfg, p, opts)
		r.Neighbors = append(r.Neighbors, ns...)
		res.Notes = append(res.Notes, notes...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Result{}, err
	}
	policy, notes := speakerPolicy(cfg, res.Peers)
	r.SpeakerPolicy = policy
	res.Notes = append(res.Notes, notes...)
	if len(r.SpeakerPolicy.Accept) == 0 {
		res.Notes = append(res.Notes, "no BGPAdvertisement announces a pool to these peers: the router accepts nothing from the speakers")
	}
	res.Router = r
	return res, nil
}

// choosePeers returns the BGPPeers that describe the router: the named one (and any
// other with the same address), else the one peer, else those at RouterAddress.
func choosePeers(cfg *config.Config, opts Options) ([]*config.Peer, error) {
	names := func() string {
		var n []string
		for _, p := range cfg.Peers {
			n = append(n, fmt.Sprintf("%s (%v)", p.Name, p.Address))
		}
		return strings.Join(n, ", ")
	}
	if len(cfg.Peers) == 0 {
		return nil, errors.New("the manifests hold no BGPPeer: nothing to configure a router for")
	}
	addr := opts.RouterAddress
	switch {
	case opts.Peer != "":
		p := cfg.Peer(opts.Peer)
		if p == nil {
			return nil, fmt.Errorf("--peer %s: no such BGPPeer (have %s)", opts.Peer, names())
		}
		if !addr.IsValid() {
			addr = p.Address
		}
	case len(cfg.Peers) == 1:
		if !addr.IsValid() {
			addr = cfg.Peers[0].Address
		}
	case !addr.IsValid():
		return nil, fmt.Errorf("%d BGPPeers: choose the router with --peer NAME or --router-address (have %s)", len(cfg.Peers), names())
	}
	var out []*config.Peer
	for _, p := range cfg.Peers {
		if p.Name == opts.Peer || (p.Address.IsValid() && p.Address == addr) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no BGPPeer has peerAddress %v (have %s)", addr, names())
	}
	for _, p := range out {
		if p.Interface != "" {
			return nil, fmt.Errorf("BGPPeer %s uses interface %s (unnumbered BGP): not supported by router-config", p.Name, p.Interface)
		}
	}
	return out, nil
}

// selected reports whether peer p opens sessions from node n.
func selected(p *config.Peer, n Node) bool {
	if n.Labels == nil {
		return true
	}
	return p.SelectsNode(labels.Set(n.Labels))
}

// nodeAddress is n's address of addr's family.
func nodeAddress(n Node, addr netip.Addr) (netip.Addr, bool) {
	i := slices.IndexFunc(n.Addresses, func(a netip.Addr) bool { return a.Is4() == addr.Is4() })
	if i < 0 {
		return netip.Addr{}, false
	}
	return n.Addresses[i], true
}

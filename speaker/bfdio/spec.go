package bfdio

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/speaker/bfd"
)

// UDP ports of BFD control packets.
const (
	SingleHopPort = 3784 // RFC 5881
	MultihopPort  = 4784 // RFC 5883
	// EchoPort is never bound: echo packets loop back through the kernel.
	EchoPort = 3785
	// Source ports of transmit sockets (RFC 5881 §4).
	minSourcePort = 49152
	maxSourcePort = 65535
)

// Spec is one desired BFD session: toward the router of one BGPPeer.
type Spec struct {
	// Peer is the BGPPeer name; it keys the session.
	Peer string
	// PeerAddr is the router's address.
	PeerAddr netip.Addr
	// LocalAddr is the BGP session's source address; zero lets the kernel's
	// route to PeerAddr choose (as it does for the BGP connection).
	LocalAddr netip.Addr
	// Interface, when set, binds the session to one interface (needed for IPv6
	// link-local peers).
	Interface string
	// Multihop runs RFC 5883 on UDP 4784 (eBGP multihop peers).
	Multihop bool
	// DesiredMinTx, RequiredMinRx, DetectMult, Passive are the profile's
	// transmitInterval, receiveInterval, detectMultiplier and passiveMode.
	DesiredMinTx, RequiredMinRx time.Duration
	DetectMult                  uint8
	Passive                     bool
	// MinTTL is the lowest TTL accepted on multihop packets (minimumTtl);
	// single-hop packets always need 255.
	MinTTL uint8
}

// validate returns every problem of one spec, each naming the field and a fix.
func (s Spec) validate() error {
	var errs []error
	if s.Peer == "" {
		errs = append(errs, errors.New("bfd spec: Peer is empty: name the BGPPeer"))
	}
	if !s.PeerAddr.IsValid() {
		errs = append(errs, fmt.Errorf("bfd spec %s: PeerAddr is unset: BFD needs the router's address (unnumbered peers are not supported)", s.Peer))
	}
	if s.LocalAddr.IsValid() && s.PeerAddr.IsValid() && s.LocalAddr.Unmap().Is4() != s.PeerAddr.Unmap().Is4() {
		errs = append(errs, fmt.Errorf("bfd spec %s: LocalAddr %s and PeerAddr %s are of different families: use a source address of the peer's family", s.Peer, s.LocalAddr, s.PeerAddr))
	}
	if err := s.core(1).Validate(); err != nil {
		errs = append(errs, fmt.Errorf("bfd spec %s: %w", s.Peer, err))
	}
	return errors.Join(errs...)
}

// core is the core's configuration for this spec.
func (s Spec) core(discr uint32) bfd.Config {
	return bfd.Config{LocalDiscr: discr, DesiredMinTx: s.DesiredMinTx, RequiredMinRx: s.RequiredMinRx,
		DetectMult: s.DetectMult, Passive: s.Passive}
}

// sameEndpoints: the session's sockets and demux entry stay valid.
func (s Spec) sameEndpoints(o Spec) bool {
	return s.PeerAddr == o.PeerAddr && s.LocalAddr == o.LocalAddr && s.Interface == o.Interface && s.Multihop == o.Multihop
}

// route is the demux key for packets that carry no Your Discriminator.
type route struct {
	multihop bool
	peer     netip.Addr
}

func (s Spec) route() route { return route{s.Multihop, plain(s.PeerAddr)} }

// SpecsFor returns the BFD sessions the named peers of cfg ask for: one per peer
// with a bfdProfile (MetalLB's defaults are already filled in by config.For).
// Peers without a profile, or whose profile is missing, get none.
func SpecsFor(cfg *config.Config, peers []string) []Spec {
	if cfg == nil {
		return nil
	}
	var out []Spec
	for _, name := range peers {
		p := cfg.Peer(name)
		if p == nil || p.BFDProfile == "" {
			continue
		}
		prof := cfg.BFDProfile(p.BFDProfile)
		if prof == nil {
			continue
		}
		out = append(out, Spec{
			Peer: name, PeerAddr: p.Address, LocalAddr: p.SourceAddress, Interface: p.Interface,
			Multihop:     p.EBGPMultiHop,
			DesiredMinTx: prof.TransmitInterval, RequiredMinRx: prof.ReceiveInterval,
			DetectMult: prof.DetectMultiplier, Passive: prof.PassiveMode, MinTTL: prof.MinimumTTL,
		})
	}
	return out
}
